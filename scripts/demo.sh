#!/usr/bin/env bash
# The main job, locally: a private redis-server, a real Celery worker with
# sample tasks (success, failure, retry, ETA, two queues), and sluiced in
# dry-run mode (--sink stdout) printing every event it would send to Sluice,
# one JSON object per line. Tasks the worker ran before sluiced turned its
# events on get their outcome from the Celery result backend (db 1)
# ("source":"result_backend"). Ctrl-C stops everything it started.
#   DEMO_SECONDS=60 bash scripts/demo.sh   # stop by itself after 60 s
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/deps.sh >&2
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target sluiced >&2

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
health_port=$(free_port)
work=$(mktemp -d -t sluiced-demo.XXXXXX)
pids=()

stop() {
  trap - INT TERM EXIT
  echo "demo: stopping" >&2
  # Producer, then worker (so its worker-offline is seen), then sluiced
  # (it flushes), then Redis: each by PID.
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop INT TERM EXIT

# Every child runs in its own session (setsid): Ctrl-C reaches only this
# script, which then stops them in order, each by PID.
setsid redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$work" --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "demo: redis-server on 127.0.0.1:$redis_port (pid $redis_pid)" >&2

export DEMO_BROKER="redis://127.0.0.1:$redis_port/0"
export DEMO_BACKEND="redis://127.0.0.1:$redis_port/1"
# Started WITHOUT -E: sluiced's enable_events broadcast turns task events on.
(cd scripts/demo && exec setsid /usr/bin/python3 -m celery -A demo_app worker -Q celery,emails \
  --pool=prefork -c 2 -n demo@%h --loglevel=WARNING >"$work/worker.log" 2>&1) &
worker_pid=$!
(cd scripts/demo && exec setsid /usr/bin/python3 produce.py >"$work/producer.log" 2>&1) &
producer_pid=$!
echo "demo: celery worker (pid $worker_pid) and producer (pid $producer_pid) started" >&2

setsid "$root/build/daemon/sluiced" --sink stdout \
  --connection-id 00000000-0000-4000-8000-000000000000 \
  --redis-url "redis://127.0.0.1:$redis_port/0" \
  --result-backend-url "$DEMO_BACKEND" --reconcile-after 5s \
  --health-addr "127.0.0.1:$health_port" --log-level info &
sluiced_pid=$!
pids=("$producer_pid" "$worker_pid" "$sluiced_pid" "$redis_pid")
echo "demo: sluiced (pid $sluiced_pid) prints events below; metrics: curl http://127.0.0.1:$health_port/metrics" >&2
echo "demo: press Ctrl-C to stop" >&2

if [ -n "${DEMO_SECONDS:-}" ]; then
  (sleep "$DEMO_SECONDS"; kill -INT $$ 2>/dev/null) &
fi
wait "$sluiced_pid" || true
