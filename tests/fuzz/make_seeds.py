#!/usr/bin/env python3
"""Writes decode_fuzz's seed corpus from the Celery captures.

Every payload as is, and every event body (base64-decoded) behind the mode
byte decode_fuzz.cpp gives its serializer, so the fuzzer reaches the
serializers without first having to find valid base64.
    make_seeds.py <fixtures/celery-5.2> <seed dir>
"""
import base64
import json
import pathlib
import sys

MODES = {"application/json": b"\x01", "application/x-msgpack": b"\x02", "application/x-yaml": b"\x03"}


def main() -> None:
    fixtures, out = (pathlib.Path(arg) for arg in sys.argv[1:3])
    out.mkdir(parents=True, exist_ok=True)
    for capture in sorted(fixtures.glob("*.jsonl")):
        for number, line in enumerate(capture.read_bytes().splitlines(), 1):
            name = f"{capture.stem}-{number:03}"
            (out / name).write_bytes(line)
            try:
                envelope = json.loads(line)
                mode = MODES[envelope["content-type"]]
                body = base64.b64decode(envelope["body"])
            except (KeyError, TypeError, ValueError):
                continue
            (out / f"{name}-body").write_bytes(mode + body)


if __name__ == "__main__":
    main()
