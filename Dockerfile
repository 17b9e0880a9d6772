# syntax=docker/dockerfile:1
#
# Container image for one HAP service. Build one image per service:
#
#   docker build --build-arg SERVICE=consent -t hap-consent:0.1.0 .
#
# SERVICE is one of applications, consent, linkage, anonymization or
# delivery (the image runs the binary `hap-<SERVICE>`), or hapctl for the
# operator tool. The image runs as UID/GID 10001, needs no shell and writes
# only to /tmp and the store directories under /var/lib/hap.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie

# --- Build tools: the Rust toolchain, cargo-chef and the libpq headers ---
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS chef
ARG CARGO_CHEF_VERSION=0.1.78
# pq-sys (Diesel's PostgreSQL backend) links libpq, which it finds through
# pkg-config. The other C code in the dependency tree (ring, aws-lc-sys,
# zstd-sys) builds with the gcc that the rust image already contains.
# Package versions are not pinned (DL3008): Debian removes superseded
# versions from its mirrors, so a pin breaks the build at the next security
# update. The base image tag pins the Debian release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-chef --locked --version "${CARGO_CHEF_VERSION}"
WORKDIR /src

# --- Dependency recipe: the manifests and Cargo.lock, without the sources ---
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# --- Build: dependencies first, so that their layer is reused while only
# workspace sources change ---
FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
# The dependency layer is the same for every SERVICE (ARG SERVICE is declared
# below it), so the five image builds on one builder compile the
# dependencies once.
RUN cargo chef cook --release --locked --recipe-path recipe.json
COPY . .
ARG SERVICE
RUN set -eu; \
    case "${SERVICE:-}" in \
      applications|consent|linkage|anonymization|delivery) binary="hap-${SERVICE}" ;; \
      hapctl) binary="hapctl" ;; \
      *) echo "invalid build argument SERVICE='${SERVICE:-}': expected applications, consent, linkage, anonymization, delivery or hapctl" >&2; exit 1 ;; \
    esac; \
    cargo build --release --locked --bin "${binary}"; \
    mkdir -p /out/bin; \
    cp "target/release/${binary}" "/out/bin/${binary}"; \
    ln -s "${binary}" /out/bin/hap-entrypoint

# --- Runtime: Debian slim with the shared libraries the binaries load ---
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
ARG SERVICE
# libpq5 is the only shared library outside libc and libgcc that the
# services link. ca-certificates provides the system trust store, which
# libpq reads with sslrootcert=system (libpq 16 and later) and TLS clients
# that load the platform's roots read by default. The store directories
# exist so that an image run without volumes still starts; in Kubernetes
# they are mount points.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 hap \
    && useradd --system --uid 10001 --gid hap --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin hap \
    && mkdir -p /var/lib/hap/work /var/lib/hap/registry /var/lib/hap/delivery \
    && chown -R 10001:10001 /var/lib/hap
COPY --from=builder /out/bin/ /usr/local/bin/
LABEL org.opencontainers.image.title="hap-${SERVICE}" \
      org.opencontainers.image.description="HAP health-registry data platform: ${SERVICE}" \
      org.opencontainers.image.licenses="Apache-2.0"
# A numeric USER lets Kubernetes verify runAsNonRoot without reading
# /etc/passwd.
USER 10001:10001
EXPOSE 8080
# Exec form: the binary is PID 1 and receives SIGTERM directly, no shell.
ENTRYPOINT ["/usr/local/bin/hap-entrypoint"]
