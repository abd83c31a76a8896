#!/usr/bin/env python3
"""Queue-name flood: how big /metrics gets and how long it takes to render
after N task-sent events with distinct made-up queue names.

Usage: python3 bench/queue_flood.py SLUICED_BINARY [N]   (default N=100000)

Starts a private redis-server and the given sluiced (dry-run sink, queue
polls every 100 ms) on loopback, publishes the events pipelined, waits until
sluiced has read them all, then times GET /metrics (median of 5). Every
process it starts is stopped by PID. A measurement, not a test.
"""
import base64, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, uuid


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def envelope(event):
    body = base64.b64encode(json.dumps(event).encode()).decode()
    return json.dumps({"body": body, "content-encoding": "utf-8", "content-type": "application/json",
                       "headers": {"hostname": "gen@flood"},
                       "properties": {"delivery_info": {"exchange": "celeryev", "routing_key": "task.sent"},
                                      "body_encoding": "base64", "delivery_tag": str(uuid.uuid4()),
                                      "delivery_mode": 2, "priority": 0}})


def http_get(port, path):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode())
        data = b""
        while chunk := s.recv(1 << 20):
            data += chunk
    return data.split(b"\r\n\r\n", 1)[1]


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    work = tempfile.mkdtemp()
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
    log = open(os.path.join(work, "sluiced.log"), "w+")
    daemon = None
    try:
        time.sleep(0.5)
        env = dict(os.environ, SLUICE_SINK="stdout", SLUICE_CONNECTION_ID=str(uuid.uuid4()),
                   SLUICE_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", SLUICE_HEALTH_ADDR="127.0.0.1:0",
                   SLUICE_QUEUE_POLL_INTERVAL="100ms")
        daemon = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=log)
        port = 0
        for _ in range(200):
            m = re.search(r"health endpoint listening.* port=(\d+)", open(log.name).read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.1)
        time.sleep(1)  # subscribed
        pub = socket.create_connection(("127.0.0.1", redis_port))
        batch = b""
        for i in range(n):
            event = {"type": "task-sent", "uuid": f"f{i}", "hostname": "gen@flood", "timestamp": time.time(),
                     "utcoffset": 0, "pid": 1, "clock": i, "name": "flood.add", "queue": f"made-up-{i}"}
            batch += resp("PUBLISH", "/0.celeryev/task.sent", envelope(event))
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
        for p in (daemon, redis):
            if p:
                p.terminate()
                p.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
