#!/usr/bin/python3
"""Celery's own monitor path as the baseline: app.events.Receiver feeding
celery.events.state.State with {'*': state.event}, counting applied events.

Usage: celery_receiver.py REDIS_URL STATS_FILE
Every 0.5 s (and on SIGTERM) writes {"applied", "tasks", "workers"} to STATS_FILE.
"""
import json
import os
import signal
import sys
import threading
import time

from celery import Celery


def main():
    url, stats_path = sys.argv[1], sys.argv[2]
    app = Celery("bench", broker=url)
    state = app.events.State()
    applied = [0]

    def on_event(event):
        state.event(event)
        applied[0] += 1

    def write_stats():
        tmp = stats_path + ".tmp"
        with open(tmp, "w") as out:
            json.dump({"applied": applied[0], "tasks": len(state.tasks),
                       "workers": len(state.workers)}, out)
        os.replace(tmp, stats_path)

    def stop(*_):
        write_stats()
        os._exit(0)

    def ticker():
        while True:
            write_stats()
            time.sleep(0.5)

    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=ticker, daemon=True).start()
    try:
        with app.connection() as connection:
            receiver = app.events.Receiver(connection, handlers={"*": on_event})
            receiver.capture(limit=None, timeout=None, wakeup=False)
    except Exception as error:  # e.g. Redis closed us for output buffer overflow
        print(f"receiver stopped: {error!r}", file=sys.stderr, flush=True)
    # Stay alive (not subscribed) so the driver can still read /proc figures.
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
