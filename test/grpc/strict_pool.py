"""Loads reflection answers into strict protobuf descriptor pools, as the upstream Python
client does, and fails on any descriptor it would reject.

Input (stdin, JSON): {"services": {"<service name>": ["<base64 FileDescriptorProto>", ...]}}
For each service: a fresh DescriptorPool gets every file (dependencies first), the service is
looked up, and a message class is built for the input and output of every method. Then all
files go into the default pool, next to the well-known types compiled into python-protobuf.
Prints one JSON line: {"ok": [...services...], "errors": [...]}.
"""
import base64
import json
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def add_in_order(pool, files, added):
    by_name = {f.name: f for f in files}

    def add(name, trail=()):
        if name in added:
            return
        if name not in by_name:
            if pool is descriptor_pool.Default():
                try:
                    pool.FindFileByName(name)
                    return
                except KeyError:
                    pass
            raise ValueError("dependency %s was not sent (needed by %s)" % (name, " <- ".join(trail) or "request"))
        proto = by_name[name]
        for dep in proto.dependency:
            add(dep, trail + (name,))
        pool.Add(proto)
        added.add(name)

    for f in files:
        add(f.name)


def message_class(pool, descriptor):
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def check(name, blobs, default_added):
    files = []
    for blob in blobs:
        proto = descriptor_pb2.FileDescriptorProto()
        proto.ParseFromString(base64.b64decode(blob))
        files.append(proto)
    pool = descriptor_pool.DescriptorPool()
    add_in_order(pool, files, set())
    service = pool.FindServiceByName(name)
    for method in service.methods:
        message_class(pool, method.input_type)
        message_class(pool, method.output_type)
    add_in_order(descriptor_pool.Default(), files, default_added)
    descriptor_pool.Default().FindServiceByName(name)


def main():
    request = json.load(sys.stdin)
    ok, errors = [], []
    default_added = set()
    for name, blobs in request["services"].items():
        try:
            check(name, blobs, default_added)
            ok.append(name)
        except Exception as error:  # report every failure, not only the first
            errors.append("%s: %s: %s" % (name, type(error).__name__, error))
    print(json.dumps({"ok": ok, "errors": errors}))


main()
