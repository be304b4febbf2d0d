# costsync as an image: the npm package built from this checkout, installed on Node 20.
# Untested on the machines this project is built on (they cannot pull base images); see docs/deploy.md.
FROM node:20-bookworm-slim AS package
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN mkdir /out && npm pack --pack-destination /out

FROM node:20-bookworm-slim
COPY --from=package /out /tmp/package
RUN npm install -g --no-audit --no-fund /tmp/package/costsync-*.tgz && rm -rf /tmp/package && npm cache clean --force
ENV COSTSYNC_DATA_DIR=/data COSTSYNC_HTTP_HOST=0.0.0.0
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080 50051
ENTRYPOINT ["costsync"]
CMD ["serve"]
