#!/bin/sh
# Regenerates proto/descriptors.binpb, the canonical FileDescriptorSet that costsync's gRPC
# servers and clients encode with and that its reflection service answers from.
# Needs protoc (Debian: apt-get install protobuf-compiler); the google/protobuf imports come
# from protoc's include directory (PROTOC_INCLUDE, default /usr/include).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
include=${PROTOC_INCLUDE:-/usr/include}
out=${1:-$root/proto/descriptors.binpb}
cd "$root/proto"
files=$(find spaceone grpc -name '*.proto' | LC_ALL=C sort)
# shellcheck disable=SC2086
protoc --proto_path=. --proto_path="$include" --include_imports --descriptor_set_out="$out" $files
