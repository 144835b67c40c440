# syntax=docker/dockerfile:1
# The deployment image: the server built with the dist profile (fat LTO, one codegen unit), run as
# a user without privileges, with the store in a volume and the seed files beside the binary.
#
#   docker build -t khartoum-graphql .
#   docker run --rm -p 8000:8000 -v khartoum-data:/data khartoum-graphql
#
# tests/api/container.rs checks this file's structure and runs its command line outside Docker;
# .ci/run lints it with hadolint.

# ----- build -----
FROM rust:1.95-slim-bookworm AS build
# protoc: the etcd-client crate compiles etcd's protos when it builds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends protobuf-compiler \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The registry and the target directory are cache mounts, so a rebuild after a code change does
# not download or rebuild the dependencies; the binary is copied out of the cache.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --profile dist --locked \
    && cp target/dist/khartoum-graphql /usr/local/bin/khartoum-graphql

# ----- run -----
FROM debian:bookworm-slim AS run
# curl for the health check; nothing else is needed at run time.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 khartoum \
    && useradd --system --uid 10001 --gid khartoum --home-dir /data --shell /usr/sbin/nologin khartoum \
    && mkdir -p /data \
    && chown khartoum:khartoum /data
COPY --from=build /usr/local/bin/khartoum-graphql /usr/local/bin/khartoum-graphql
COPY seed/ /app/seed/
WORKDIR /app
# Inside a container the server must listen on every interface; publish the port with -p.
ENV KHARTOUM_GRAPHQL_BIND=0.0.0.0:8000 \
    KHARTOUM_GRAPHQL_DATA_DIR=/data \
    KHARTOUM_GRAPHQL_SEED_DIR=/app/seed
# The store: created and seeded on the first start, kept across containers in the volume.
VOLUME ["/data"]
EXPOSE 8000
# The khartoum user, by number so that the host can resolve it.
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
    CMD ["curl", "-fsS", "http://127.0.0.1:8000/health"]
ENTRYPOINT ["khartoum-graphql"]
CMD ["serve"]
