"""Sends Celery tasks by name for sluiced's end-to-end tests.

Usage: produce.py [--every SECONDS] [--count N] TASK [JSON_ARG ...]
       produce.py --bursts SIZE MIN_PAUSE MAX_PAUSE DURATION TASK [JSON_ARG ...]

Sends TASK with the JSON-decoded positional arguments COUNT times (0 =
until stopped with SIGTERM), waiting SECONDS between sends, and prints
one task id per line. With --bursts it sends SIZE tasks at once, pauses a
random MIN_PAUSE..MAX_PAUSE seconds (seeded: every run is the same), and
repeats for DURATION seconds. Broker and options come from the same
environment variables as sluice_test_app.
"""
import argparse
import json
import os
import random
import signal
import sys
import time

from sluice_test_app import app


def send_bursts(options, args, extra):
    size, min_pause, max_pause, duration = options.bursts
    pauses = random.Random(20)
    end = time.monotonic() + duration
    with app.producer_or_acquire() as producer:
        while time.monotonic() < end:
            for _ in range(int(size)):
                result = app.send_task(options.task, args=args, producer=producer, **extra)
                print(result.id, flush=True)
            time.sleep(min(pauses.uniform(min_pause, max_pause), max(end - time.monotonic(), 0)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--every', type=float, default=0.0)
    parser.add_argument('--count', type=int, default=1)
    parser.add_argument('--bursts', type=float, nargs=4, metavar=('SIZE', 'MIN_PAUSE', 'MAX_PAUSE', 'DURATION'))
    parser.add_argument('task')
    parser.add_argument('args', nargs='*')
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    args = [json.loads(a) for a in options.args]
    extra = {}
    if os.environ.get('SLUICE_TEST_PRIORITY'):
        extra['priority'] = int(os.environ['SLUICE_TEST_PRIORITY'])
    if options.bursts:
        send_bursts(options, args, extra)
        return
    sent = 0
    with app.producer_or_acquire() as producer:
        while options.count == 0 or sent < options.count:
            result = app.send_task(options.task, args=args, producer=producer, **extra)
            print(result.id, flush=True)
            sent += 1
            if options.every:
                time.sleep(options.every)


if __name__ == '__main__':
    main()
