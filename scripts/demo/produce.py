"""Sends a mix of demo tasks every few seconds until interrupted:
success, failure, retry and an ETA task, on two queues."""
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, __import__('os').path.dirname(__file__))
from demo_app import add, fail, flaky, send_email  # noqa: E402

round_no = 0
try:
    while True:
        round_no += 1
        add.delay(round_no, 1)
        send_email.apply_async(('user%d@example.invalid' % round_no,), queue='emails')
        if round_no % 2 == 0:
            fail.delay('demo failure %d' % round_no)
        if round_no % 3 == 1:
            flaky.delay()
            add.apply_async((round_no, 100), eta=datetime.now(timezone.utc) + timedelta(seconds=5))
        time.sleep(3)
except KeyboardInterrupt:
    pass
