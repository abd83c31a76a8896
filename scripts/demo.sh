#!/usr/bin/env bash
# Local demo: a private redis-server, a real Celery worker with sample tasks
# and sluiced in dry-run mode (stdout sink) printing the events it would send.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target sluiced
echo "demo: the event pipeline is not wired yet; showing the configuration check only" >&2
SLUICE_CONNECTION_ID=00000000-0000-4000-8000-000000000000 ./build/daemon/sluiced --sink stdout --check-config
