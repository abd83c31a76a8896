#!/usr/bin/env bash
# Builds sluiced and runs the whole test suite (unit, integration, e2e).
# Installs its own dependencies first (Debian 12, apt-get, idempotent).
#   SANITIZE=1 bash scripts/test.sh   # the same under ASan + UBSan
#   BUILD_DIR=… / CTEST_ARGS="-L unit" to narrow a run
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh

build_dir=${BUILD_DIR:-build}
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_WERROR=ON)
if [ "${SANITIZE:-0}" = 1 ]; then
  build_dir=${BUILD_DIR:-build-asan}
  cmake_args+=(-DSLUICE_SANITIZE=ON)
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi

cmake -S . -B "$build_dir" "${cmake_args[@]}"
cmake --build "$build_dir" --parallel "$(nproc)"
cd "$build_dir"
# Integration and e2e tests start their own servers on free loopback ports,
# so they may run in parallel; the timeout catches a hung test.
ctest --output-on-failure --timeout 300 --parallel "$(nproc)" ${CTEST_ARGS:-}
