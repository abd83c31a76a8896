#!/usr/bin/env python3
"""Queue-name flood: how big /metrics gets and how long it takes to render
after N task-sent events with distinct made-up queue names.

Usage: python3 bench/queue_flood.py SLUICED_BINARY [N]   (default N=100000)

Starts a private redis-server and the given sluiced (dry-run sink, queue
polls every 100 ms) on loopback, publishes the events pipelined, waits until
sluiced has read them all, then times GET /metrics (median of 5). Every
process it starts is stopped by PID. A measurement, not a test.
"""
import shutil, socket, statistics, sys, tempfile, time

from bench_support import Processes, envelope, http_get, resp


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    work = tempfile.mkdtemp()
    procs = Processes(work)
    try:
        redis_port = procs.redis()
        port = procs.sluiced(binary, redis_port, queue_poll_interval="100ms")
        pub = socket.create_connection(("127.0.0.1", redis_port))
        batch = b""
        for i in range(n):
            event = {"type": "task-sent", "uuid": f"f{i}", "hostname": "gen@flood", "timestamp": time.time(),
                     "utcoffset": 0, "pid": 1, "clock": i, "name": "flood.add", "queue": f"made-up-{i}"}
            batch += resp("PUBLISH", "/0.celeryev/task.sent", envelope(event, "task.sent"))
            if i % 1000 == 999:
                pub.sendall(batch)
                batch = b""
                time.sleep(0.02)  # stay under the pub/sub output buffer limit
        pub.sendall(batch)
        want = f'sluiced_events_received_total{{type="task-sent"}} {n}'
        for _ in range(600):
            if want in http_get(port, "/metrics").decode(errors="replace"):
                break
            time.sleep(0.5)
        time.sleep(2)  # a few more polls
        times, size = [], 0
        for _ in range(5):
            t0 = time.perf_counter()
            size = len(http_get(port, "/metrics"))
            times.append(time.perf_counter() - t0)
        print(f"{n} names: /metrics {size} bytes, GET median {statistics.median(times) * 1000:.1f} ms "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    finally:
        procs.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
