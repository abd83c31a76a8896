"""The end-to-end workload: one task of every outcome sluiced must report.

Usage: workload.py  (broker etc. from the same environment as sluice_test_app)

Prints one line of JSON: {label: task id}. Argument and result texts carry
the marker SLUICE_PRIVATE_ so the test can prove none of it leaves sluiced.
"""
import json
import time
from datetime import datetime, timedelta, timezone

from sluice_test_app import add, app, echo, fail, flaky

ids = {}
ids['success'] = add.delay(2, 3).id
ids['echo'] = echo.apply_async(('SLUICE_PRIVATE_ARG',), {'note': 'SLUICE_PRIVATE_KWARG'}).id
ids['failure'] = fail.delay('boom').id
ids['retry_then_success'] = flaky.delay(1).id
ids['eta'] = add.apply_async((4, 4), eta=datetime.now(timezone.utc) + timedelta(seconds=3)).id
revoked = add.apply_async((6, 6), countdown=4)
ids['revoked'] = revoked.id
time.sleep(1)  # let the worker reserve it, so the revoke is reported by the worker
app.control.revoke(revoked.id)
print(json.dumps(ids), flush=True)
