# syntax=docker/dockerfile:1
# Build stage: the same dependency script and CMake build as the README.
FROM debian:12-slim AS build
WORKDIR /src
COPY scripts/deps.sh scripts/deps.sh
RUN bash scripts/deps.sh
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_TESTS=OFF -DSLUICE_BENCH=OFF \
 && cmake --build /build --target sluiced \
 && strip /build/daemon/sluiced

# Runtime stage: only the shared libraries sluiced links against (Debian 12
# package names: hiredis 0.14, OpenSSL 3, zlib, libyaml 0.2, LZ4; libstdc++ is in
# the base image) and the CA bundle for HTTPS to the Sluice API.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhiredis0.14 libssl3 zlib1g libyaml-0-2 liblz4-1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 sluiced \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin sluiced
COPY --from=build /build/daemon/sluiced /usr/local/bin/sluiced
# Numeric, so orchestrators can check runAsNonRoot without /etc/passwd.
USER 10001:10001
# Configuration only by environment (docker run --env-file, compose, k8s):
# SLUICE_API_KEY, SLUICE_CONNECTION_ID, SLUICE_REDIS_URL, … (README).
ENV SLUICE_HEALTH_ADDR=:8081
# The spool (README "Durability"): on by default, on a volume, so events
# not yet delivered survive a restart of the container.
RUN mkdir -p /var/lib/sluiced && chown 10001:10001 /var/lib/sluiced
ENV SLUICE_SPOOL_DIR=/var/lib/sluiced/spool
VOLUME /var/lib/sluiced
EXPOSE 8081
# The binary asks its own /health (no curl in the image); its client gives
# up after 2 s, inside the 3 s Docker allows.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["/usr/local/bin/sluiced", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/sluiced"]
