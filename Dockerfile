# syntax=docker/dockerfile:1
# The partner-portal API image.
#   docker build -t partner-portal .
#   docker run --rm -p 8080:8080 -v pp-data:/data partner-portal          (SQLite in /data)
#   docker compose up --build                                              (with PostgreSQL)

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev libsqlite3-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Cache mounts keep the crates.io downloads and the target folder between builds
# (BuildKit, the default builder); the binary is copied out of the cached folder.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p api \
    && install -D -m 0755 target/release/partner-portal /out/partner-portal

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim
# curl is for the container health check (GET /healthz).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libsqlite3-0 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /data --no-create-home --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data
COPY --from=builder /out/partner-portal /usr/local/bin/partner-portal
USER app:app
# /data holds the generated signing keys (DATA_DIR) and, without DATABASE_URL,
# the default SQLite file (relative to the working folder). A named volume
# mounted here starts with this folder's owner, so the app user can write it.
WORKDIR /data
ENV BIND=0.0.0.0:8080 \
    DATA_DIR=/data
EXPOSE 8080
ENTRYPOINT ["partner-portal"]
CMD ["serve"]
