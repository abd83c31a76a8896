"""Shared pieces of the Python benchmarks: a private redis-server, sluiced
with the dry-run sink, kombu event envelopes, RESP and plain HTTP on
loopback. Every process started here is stopped by PID (Processes)."""
import base64, json, os, re, socket, subprocess, time, uuid


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


def envelope(event, routing_key):
    """A Celery event as kombu publishes it on /0.celeryev/<routing_key>."""
    body = base64.b64encode(json.dumps(event).encode()).decode()
    return json.dumps({"body": body, "content-encoding": "utf-8", "content-type": "application/json",
                       "headers": {"hostname": event.get("hostname", "gen@bench")},
                       "properties": {"delivery_info": {"exchange": "celeryev", "routing_key": routing_key},
                                      "body_encoding": "base64", "delivery_tag": str(uuid.uuid4()),
                                      "delivery_mode": 2, "priority": 0}})


def http_get(port, path):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode())
        data = b""
        while chunk := s.recv(1 << 20):
            data += chunk
    return data.split(b"\r\n\r\n", 1)[1]


def metric(port, name):
    """The sum of every sample of metric `name` in sluiced's /metrics."""
    total = 0.0
    for line in http_get(port, "/metrics").decode(errors="replace").splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Processes:
    """Starts redis-server and sluiced in `work`; stop() ends them by PID."""

    def __init__(self, work):
        self.work, self.started = work, []

    def redis(self):
        port = free_port()
        self.started.append(subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.work], stdout=subprocess.DEVNULL))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                return port
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def sluiced(self, binary, redis_port, **settings):
        """sluiced with the stdout sink and the given SLUICE_* settings; returns its health port."""
        log = open(os.path.join(self.work, "sluiced.log"), "w+")
        env = dict(os.environ, SLUICE_SINK="stdout", SLUICE_CONNECTION_ID=str(uuid.uuid4()),
                   SLUICE_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", SLUICE_HEALTH_ADDR="127.0.0.1:0",
                   **{f"SLUICE_{k.upper()}": str(v) for k, v in settings.items()})
        self.started.append(subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=log))
        for _ in range(200):
            m = re.search(r"health endpoint listening.* port=(\d+)", open(log.name).read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("sluiced did not start: " + open(log.name).read()[-2000:])
        for _ in range(200):  # subscribed
            if metric(port, "sluiced_redis_connected") >= 1:
                return port
            time.sleep(0.1)
        raise RuntimeError("sluiced did not subscribe")

    def stop(self):
        for p in reversed(self.started):
            p.terminate()
            p.wait(10)
