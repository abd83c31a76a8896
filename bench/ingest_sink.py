#!/usr/bin/python3
"""Counting stand-in for the Sluice ingest API (plain HTTP on 127.0.0.1).

POST .../ingest: counts events per type, samples the delivery latency of the
first (oldest) job event of each batch (now - event timestamp) and answers 202.
GET /stats: the counts and latency percentiles as JSON.
Usage: ingest_sink.py PORT_FILE   (binds port 0, writes the port to PORT_FILE)
"""
import gzip
import json
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"requests": 0, "events": 0, "types": {}, "latencies": []}


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def first_job_latency(events, now):
    for event in events:
        if event.get("type") == "job_state_change":
            stamp = datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
            epoch = (stamp - datetime(1970, 1, 1)).total_seconds()
            return now - epoch
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        now = time.time()
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        events = json.loads(raw)["events"]
        latency = first_job_latency(events, now)
        with LOCK:
            STATS["requests"] += 1
            STATS["events"] += len(events)
            for event in events:
                kind = event.get("type", "?")
                STATS["types"][kind] = STATS["types"].get(kind, 0) + 1
            if latency is not None:
                STATS["latencies"].append(latency)
        self.reply(202, {"accepted": len(events)})

    def do_GET(self):
        with LOCK:
            lat = STATS["latencies"]
            body = {k: STATS[k] for k in ("requests", "events", "types")}
            body["latency_p50_s"] = percentile(lat, 0.50)
            body["latency_p99_s"] = percentile(lat, 0.99)
            body["latency_max_s"] = max(lat) if lat else None
        self.reply(200, body)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as out:
        out.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
