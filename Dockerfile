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

# Runtime stage: only the shared libraries sluiced links against.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libhiredis0.14 libssl3 zlib1g libyaml-cpp0.7 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin sluiced
COPY --from=build /build/daemon/sluiced /usr/local/bin/sluiced
USER sluiced
ENV SLUICE_HEALTH_ADDR=:8081
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s CMD ["/usr/local/bin/sluiced", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/sluiced"]
