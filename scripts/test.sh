#!/usr/bin/env bash
# Builds sluiced and runs the whole test suite (unit, integration, e2e).
# Installs its own dependencies first (Debian 12, apt-get, idempotent).
#   SANITIZE=1 bash scripts/test.sh   # the same under ASan + UBSan
#   TSAN=1 bash scripts/test.sh       # the tests that run both threads, under ThreadSanitizer
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
if [ "${TSAN:-0}" = 1 ]; then
  build_dir=${BUILD_DIR:-build-tsan}
  cmake_args+=(-DSLUICE_TSAN=ON -DSLUICE_BENCH=OFF)
  # Suppressions: known false positives only, each explained in the file.
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp}
  # The tests where the reading and the delivery threads both run.
  CTEST_ARGS=${CTEST_ARGS:--R "DeliveryThread|Pipeline|Daemon|App|Metrics"}
fi

cmake -S . -B "$build_dir" "${cmake_args[@]}"
cmake --build "$build_dir" --parallel "$(nproc)"
cd "$build_dir"
# Integration and e2e tests start their own servers on free loopback ports,
# so they may run in parallel; the timeout catches a hung test.
ctest --output-on-failure --timeout 300 --parallel "$(nproc)" ${CTEST_ARGS:-}
