#!/usr/bin/env bash
# End-to-end benchmark: loadgen → private redis-server → sluiced → counting
# ingest sink, and the same traffic into Celery's own EventReceiver + State.
# Usage: bash bench/run.sh [BUILD_DIR]   (default build/; RUNS=3 repeats)
# Installs its dependencies and builds what it runs first.
# CASES="flat-multi10 rate-40k" / TARGETS=sluiced narrow a run (exploration only).
# The hold*-cases put the ingest API a WAN round trip away: the sink holds
# every response 20 or 100 ms (sluiced only; Celery delivers nothing).
# SPOOL_DIR=… runs sluiced with its on-disk spool there (bench/spool.sh).
# Writes bench/RESULTS.md. Loopback only; every process is stopped by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
LOADGEN=$BUILD/bench/loadgen
SINK=$BUILD/bench/ingest_sink
SLUICED=$BUILD/daemon/sluiced
WORK=$(mktemp -d)
PIDS=()
RESULTS_TSV=$WORK/results.tsv

cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

# Polls "$@" (a command) every 0.1 s until it succeeds; at most $1 tries.
await() {
  local tries=$1; shift
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for: $*" >&2; return 1
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

start_redis() {
  REDIS_PORT=$(free_port); rm -f "$WORK/redis.log"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --logfile "$WORK/redis.log" &
  REDIS_PID=$!; PIDS+=("$REDIS_PID")
  await 50 redis-cli -p "$REDIS_PORT" ping
}

# A self-signed certificate for localhost that sluiced trusts through
# SLUICE_CA_FILE: delivery is measured over TLS, as in production.
make_sink_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$WORK/sink.key" -out "$WORK/sink.pem" 2>/dev/null
}

start_sink() {
  rm -f "$WORK/sink.port"
  "$SINK" --port-file "$WORK/sink.port" --port "${SINK_FIXED_PORT:-0}" --cert "$WORK/sink.pem" \
    --key "$WORK/sink.key" --hold-ms "${HOLD_MS:-0}" &
  SINK_PID=$!; PIDS+=("$SINK_PID")
  await 50 test -s "$WORK/sink.port"
  SINK_PORT=$(cat "$WORK/sink.port")
}

subscribed() { [ "$(redis-cli -p "$REDIS_PORT" pubsub numpat)" -ge 1 ]; }

start_sluiced() {
  HEALTH_PORT=$(free_port)
  SLUICE_API_URL=https://localhost:$SINK_PORT/api SLUICE_CA_FILE=$WORK/sink.pem SLUICE_API_KEY=sk_bench \
  SLUICE_CONNECTION_ID=7f0c6a8e-1d2b-4c3d-9e4f-5a6b7c8d9e0f \
  SLUICE_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0 SLUICE_ENABLE_EVENTS=false \
  SLUICE_HEALTH_ADDR=127.0.0.1:$HEALTH_PORT SLUICE_SPOOL_DIR=${SPOOL_DIR:-} \
  "$SLUICED" >"$WORK/sluiced.log" 2>&1 &
  TARGET_PID=$!; PIDS+=("$TARGET_PID")
  await 100 subscribed
}

start_celery() {
  rm -f "$WORK/celery.json"
  $PY "$ROOT/bench/celery_receiver.py" "redis://127.0.0.1:$REDIS_PORT/0" "$WORK/celery.json" \
    >"$WORK/celery.log" 2>&1 &
  TARGET_PID=$!; PIDS+=("$TARGET_PID")
  await 200 subscribed
}

metric() {  # sum of all samples of metric $1 from sluiced /metrics
  curl -s "http://127.0.0.1:$HEALTH_PORT/metrics" |
    awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%d\n", s }'
}

applied() {  # Celery events the target has taken in
  if [ "$TARGET" = sluiced ]; then metric sluiced_events_received_total
  else $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["applied"])' "$WORK/celery.json"; fi
}

tracked_tasks() {  # tasks the target holds in memory
  if [ "$TARGET" = sluiced ]; then metric sluiced_tracked_tasks
  else $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["tasks"])' "$WORK/celery.json"; fi
}

sink_stats() { curl -s --cacert "$WORK/sink.pem" "https://localhost:$SINK_PORT/stats"; }
sink_events() { sink_stats | $PY -c 'import json,sys; print(json.load(sys.stdin)["events"])'; }
sink_count() { sink_stats | $PY -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
sink_field() { sink_stats | $PY -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print("-" if v is None else round(v*1000))' "$1"; }

# Waits until applied() reaches $1 or stops moving for 3 s (bounded: 180 s).
# Sets SETTLED_AT to the time of the last change and APPLIED to the count.
await_settled() {
  local want=$1 last=-1 still=0 count
  SETTLED_AT=$(now)
  for _ in $(seq 1800); do
    count=$(applied 2>/dev/null || echo 0)
    if [ "$count" != "$last" ]; then last=$count; still=0; SETTLED_AT=$(now); else still=$((still + 1)); fi
    [ "$count" -ge "$want" ] || [ "$still" -ge 30 ] && break
    sleep 0.1
  done
  APPLIED=$last
}

await_delivered() {  # sluiced only: sink has all produced ingest events (bounded 30 s)
  local want
  want=$(metric sluiced_ingest_events_total)
  for _ in $(seq 300); do [ "$(sink_events)" -ge "$want" ] && break; sleep 0.1; done
}

# Process figures; "nan" once the process has exited (e.g. after a Redis disconnect).
proc_cpu_s() { awk '{ printf "%.2f\n", ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null || echo nan; }
proc_hwm_mb() { awk '/VmHWM/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo nan; }
proc_rss_mb() { awk '/VmRSS/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo nan; }
sub_alive() { subscribed && echo yes || echo NO; }
# Subscribers Redis closed for exceeding client-output-buffer-limit pubsub (redis.log).
obuf_kills() { grep -c "overcoming of output buffer limits" "$WORK/redis.log" || true; }

# run_case TARGET CASE RUN LOADGEN_ARGS… — fresh redis, sink and target; one TSV row.
run_case() {
  TARGET=$1; local name=$2 run=$3; shift 3
  case " ${CASES:-$name} " in *" $name "*) ;; *) return 0 ;; esac
  start_redis; start_sink
  if [ "$TARGET" = sluiced ]; then start_sluiced; else start_celery; fi
  local cpu0 t0 t1 published
  cpu0=$(proc_cpu_s "$TARGET_PID"); t0=$(now)
  "$LOADGEN" --port "$REDIS_PORT" "$@" >"$WORK/loadgen.json"; t1=$(now)
  published=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$WORK/loadgen.json")
  await_settled "$published"
  local reconnects=- produced=- delivered=- p99=- dropped=- finished=- concurrency=- tracked sent_tasks
  sent_tasks=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1])).get("task-sent", 0))' "$WORK/loadgen.json")
  tracked=$(tracked_tasks 2>/dev/null || echo -)
  if [ "$TARGET" = sluiced ]; then
    await_delivered
    reconnects=$(metric sluiced_redis_reconnects_total); produced=$(metric sluiced_ingest_events_total)
    delivered=$(sink_events); p99=$(sink_field latency_p99_s); dropped=$(metric sluiced_events_dropped_total)
    finished=$(sink_count terminal_jobs)
    # The limit adaptive control settled on / the most requests the sink held at once.
    concurrency=$(metric sluiced_delivery_concurrency_limit)/$(sink_count max_in_flight)
  fi
  local cpu
  cpu=$(awk -v a="$(proc_cpu_s "$TARGET_PID")" -v b="$cpu0" 'BEGIN { printf "%.2f", a - b }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$TARGET" "$name" "$run" \
    "$published" "$APPLIED" "$((published - APPLIED))" \
    "$(awk -v n="$APPLIED" -v a="$SETTLED_AT" -v b="$t0" 'BEGIN { printf "%d", n / (a - b) }')" \
    "$(awk -v n="$published" -v a="$t1" -v b="$t0" 'BEGIN { printf "%d", n / (a - b) }')" \
    "$cpu" "$(proc_hwm_mb "$TARGET_PID")" "$(proc_rss_mb "$TARGET_PID")" "$(sub_alive)" \
    "$reconnects/$(obuf_kills)" "$produced/$delivered" "$p99" "$dropped" "$tracked" "$finished/$sent_tasks" \
    "${HOLD_MS:-0}" "$concurrency" |
    tee -a "$RESULTS_TSV"
  cp "$WORK/loadgen.json" "$WORK/loadgen-$TARGET-$name-$run.json"
  stop_pid "$TARGET_PID"; stop_pid "$SINK_PID"; stop_pid "$REDIS_PID"; PIDS=()
}

# Flat-out cases show bursts; fixed rates for 10 s find the highest rate
# carried with zero loss (summarize.py picks it), unbatched and task.multi.
suite() {
  local target=$1 run rate
  for run in $(seq "$RUNS"); do
    run_case "$target" flat-unbatched "$run" --rate 0 --tasks 25000 --workers 4
    run_case "$target" flat-multi10 "$run" --rate 0 --tasks 25000 --workers 4 --multi 10
    for rate in 5 40 100 150 200; do
      run_case "$target" "rate-${rate}k" "$run" --rate "${rate}000" --seconds 10 --tasks -1 --workers 4
    done
    run_case "$target" multi10-rate-150k "$run" --rate 150000 --seconds 10 --tasks -1 --workers 4 --multi 10
  done
  if [ "$target" = sluiced ]; then
    for run in $(seq "$RUNS"); do
      for hold in 20 100; do
        for rate in 10 100; do
          HOLD_MS=$hold run_case "$target" "hold${hold}-rate-${rate}k" "$run" \
            --rate "${rate}000" --seconds 10 --tasks -1 --workers 4
        done
      done
    done
  fi
  run_case "$target" idle-20-workers 1 --tasks 0 --workers 20 --seconds 20
  # 1 M distinct tasks (4 M events) at a rate sluiced carries: the task
  # table's LRU bound, not a delivery backlog, decides the memory.
  if [ "$target" = sluiced ]; then
    run_case "$target" tasks-1M 1 --rate 150000 --tasks 1000000 --workers 4 --multi 24 --seconds 120
  fi
}

# Dependencies (apt-get, idempotent) and an optimised build of what runs here.
build() {
  bash "$ROOT/scripts/deps.sh"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD" --target sluiced loadgen ingest_sink
}

main() {
  build
  make_sink_cert
  local started; started=$(date -u +%FT%TZ)
  printf 'target\tcase\trun\tpublished\tapplied\tlost\te2e_ev_s\toffered_ev_s\tcpu_s\thwm_mb\trss_mb\tsubscribed\treconnects/obuf_kills\tingest_made/sink\tp99_ms\tdropped\ttracked_tasks\tjobs_final/tasks_sent\thold_ms\tconcurrency_limit/sink_max_in_flight\n' | tee "$RESULTS_TSV"
  local target
  for target in ${TARGETS:-sluiced celery}; do suite "$target"; done
  $PY "$ROOT/bench/summarize.py" "$RESULTS_TSV" "$started" "$RUNS" >"$ROOT/bench/RESULTS.md"
  echo "wrote bench/RESULTS.md"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi  # sourcing it gives the functions alone
