"""Sample Celery application for the sluiced demo (scripts/demo.sh).

Run only with Debian's /usr/bin/python3 and python3-celery. The broker URL
comes from DEMO_BROKER (a private redis-server on loopback started by the
demo), the result backend from DEMO_BACKEND (db 1 of it). Task events are
NOT switched on here: sluiced turns them on remotely, and reads in the result
backend the outcome of tasks whose events the worker sent before that.
"""
import os
import random
import time

from celery import Celery

app = Celery('demo', broker=os.environ.get('DEMO_BROKER', 'redis://127.0.0.1:6399/0'),
             backend=os.environ.get('DEMO_BACKEND') or None)
app.conf.update(
    task_send_sent_event=True,  # producers announce tasks: queue names, 'queued'
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name='demo.add')
def add(x, y):
    time.sleep(random.uniform(0.05, 0.3))
    return x + y


@app.task(name='demo.send_email')
def send_email(to):
    time.sleep(random.uniform(0.1, 0.5))
    return 'sent'


@app.task(name='demo.fail')
def fail(reason):
    raise ValueError(reason)


@app.task(name='demo.flaky', bind=True, max_retries=2, default_retry_delay=1)
def flaky(self):
    if self.request.retries < 1:
        raise self.retry(exc=RuntimeError('transient error, retrying'))
    return 'ok after retry'
