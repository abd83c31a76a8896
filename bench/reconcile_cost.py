#!/usr/bin/env python3
"""What reconciliation costs Redis: N jobs whose final event never arrives,
looked up in the result backend.

Usage: python3 bench/reconcile_cost.py SLUICED_BINARY [N]   (default N=10000)

Starts a private redis-server (broker on db 0, result backend on db 1) and
sluiced (dry-run sink, SLUICE_RECONCILE_AFTER=2s, default rate), publishes
task-sent and task-started for N jobs and nothing after, with a SUCCESS
result stored for 80 % of them (the rest are missing, as with
ignore_result). Then it samples Redis' INFO commandstats once a second
until every job was looked up, and prints the GET rate, every command
sluiced sent per second meanwhile, and the lookups' outcomes. Every process
it starts is stopped by PID. A measurement, not a test.
"""
import json, shutil, socket, statistics, sys, tempfile, time

from bench_support import Processes, envelope, metric, resp


def info_commandstats(sock):
    """{command: calls} from INFO commandstats, read over a raw RESP socket."""
    sock.sendall(resp("INFO", "commandstats"))
    data = b""
    while b"\r\n" not in data:
        data += sock.recv(1 << 16)
    header, rest = data.split(b"\r\n", 1)
    size = int(header[1:])
    while len(rest) < size + 2:
        rest += sock.recv(1 << 16)
    calls = {}
    for line in rest[:size].decode().splitlines():
        if line.startswith("cmdstat_"):
            name, fields = line[len("cmdstat_"):].split(":", 1)
            calls[name] = int(dict(f.split("=") for f in fields.split(","))["calls"])
    return calls


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    work = tempfile.mkdtemp()
    procs = Processes(work)
    try:
        redis_port = procs.redis()
        health = procs.sluiced(binary, redis_port, result_backend_url=f"redis://127.0.0.1:{redis_port}/1",
                               reconcile_after="2s", enable_events="false")
        client = socket.create_connection(("127.0.0.1", redis_port))
        commands = resp("SELECT", 1)
        for i in range(n):
            if i % 5 != 4:
                meta = {"status": "SUCCESS", "result": 42, "traceback": None, "children": [],
                        "date_done": "2026-12-03T12:00:00.000000", "task_id": f"r{i}"}
                commands += resp("SET", f"celery-task-meta-r{i}", json.dumps(meta))
        commands += resp("SELECT", 0)
        now = time.time()
        for i in range(n):
            for kind, extra in (("task-sent", {"name": "bench.lost", "queue": "celery"}), ("task-started", {})):
                event = {"type": kind, "uuid": f"r{i}", "hostname": "w@bench", "timestamp": now, "utcoffset": 0,
                         "pid": 1, "clock": i, **extra}
                commands += resp("PUBLISH", f"/0.celeryev/{kind.replace('-', '.')}", envelope(event, kind.replace("-", ".")))
            if i % 500 == 499:
                client.sendall(commands)
                commands = b""
                time.sleep(0.02)  # stay under the pub/sub output buffer limit
        client.sendall(commands)
        for _ in range(600):
            if metric(health, "sluiced_events_received_total") >= 2 * n:
                break
            time.sleep(0.1)
        stats = socket.create_connection(("127.0.0.1", redis_port))
        samples = []  # (time, get calls, all calls)
        looked_up = 0
        for _ in range(3600):
            calls = info_commandstats(stats)
            samples.append((time.monotonic(), calls.get("get", 0), sum(calls.values())))
            looked_up = metric(health, "sluiced_reconcile_lookups_total")
            if looked_up >= n:
                break
            time.sleep(1)
        calls = info_commandstats(stats)
        samples.append((time.monotonic(), calls.get("get", 0), sum(calls.values())))
        # Seconds in which GETs went out; INFO and the benchmark's own calls are not sluiced's.
        per_second = [(b[1] - a[1], b[2] - a[2] - 1) for a, b in zip(samples, samples[1:]) if b[1] > a[1]]
        gets = [g for g, _ in per_second]
        every = [c for _, c in per_second]
        reconciled = metric(health, "sluiced_jobs_reconciled_total")
        print(f"{n} stale jobs: {int(looked_up)} looked up, {int(reconciled)} reconciled, "
              f"{int(looked_up - reconciled)} not readable (no entry)")
        print(f"GET per second while reconciling: median {statistics.median(gets):.0f}, max {max(gets)}; "
              f"every command from sluiced: median {statistics.median(every):.0f}/s, max {max(every)}/s; "
              f"{len(gets)} s in all")
    finally:
        procs.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
