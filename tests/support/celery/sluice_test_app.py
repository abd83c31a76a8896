"""A tiny Celery application for sluiced's end-to-end tests.

Modelled on the app that produced the protocol captures
(tests/fixtures/celery-5.2): same task names, so expectations carry over.
Run only with Debian's interpreter (/usr/bin/python3) and Debian's
python3-celery; everything talks to loopback only.

Configuration from the environment (set by tests/support/celery_worker.cpp):

  SLUICE_TEST_BROKER       broker URL (required), e.g. redis://127.0.0.1:PORT/0
  SLUICE_TEST_BACKEND      result backend (default: none)
  SLUICE_TEST_RESULT_SERIALIZER  result_serializer (default: json)
  SLUICE_TEST_TRANSPORT    JSON object merged into broker_transport_options
  SLUICE_TEST_SENT_EVENT   "1" (default) -> task_send_sent_event=True
  SLUICE_TEST_EVENT_EXCHANGE / SLUICE_TEST_CONTROL_EXCHANGE
  SLUICE_TEST_TASK_ROUTES  JSON object for task_routes (default: none)
  SLUICE_TEST_PRIORITY     message priority of tasks sent by produce.py (default: none)
  SLUICE_TEST_BROKER_SSL   JSON object for broker_use_ssl (default: none), e.g.
                           {"ssl_cert_reqs": "required", "ssl_ca_certs": PATH}
  SLUICE_TEST_PUBLISH_RETRY  JSON object for task_publish_retry_policy (default:
                           Celery's, which gives up after ~0.6 s: shorter than a
                           Sentinel failover)
  SLUICE_TEST_SENT_DELAY   seconds a producer pauses between publishing a task
                           and its task-sent event (default: 0), as a slow or
                           busy client does
"""
import json
import os
import time

from celery import Celery
from celery.exceptions import Reject

app = Celery('sluice_test_app',
             broker=os.environ['SLUICE_TEST_BROKER'],
             backend=os.environ.get('SLUICE_TEST_BACKEND') or None)

_transport = json.loads(os.environ.get('SLUICE_TEST_TRANSPORT') or '{}')

app.conf.update(
    task_send_sent_event=os.environ.get('SLUICE_TEST_SENT_EVENT', '1') == '1',
    accept_content=['json'],
    broker_transport_options=_transport,
    result_backend_transport_options=_transport,
    worker_hijack_root_logger=True,
    broker_connection_retry_on_startup=True,
    event_exchange=os.environ.get('SLUICE_TEST_EVENT_EXCHANGE', 'celeryev'),
    control_exchange=os.environ.get('SLUICE_TEST_CONTROL_EXCHANGE', 'celery'),
    task_routes=json.loads(os.environ.get('SLUICE_TEST_TASK_ROUTES') or '{}'),
    result_serializer=os.environ.get('SLUICE_TEST_RESULT_SERIALIZER') or 'json',
)
if os.environ.get('SLUICE_TEST_BROKER_SSL'):
    app.conf.broker_use_ssl = json.loads(os.environ['SLUICE_TEST_BROKER_SSL'])
if os.environ.get('SLUICE_TEST_PUBLISH_RETRY'):
    app.conf.task_publish_retry_policy = json.loads(os.environ['SLUICE_TEST_PUBLISH_RETRY'])


_sent_delay = float(os.environ.get('SLUICE_TEST_SENT_DELAY') or 0)
if _sent_delay:
    from celery.signals import after_task_publish

    @after_task_publish.connect(weak=False)
    def _delay_task_sent(**_):
        # Celery publishes task-sent right after this signal, so the worker
        # takes the task and publishes task-received before it.
        time.sleep(_sent_delay)


@app.task(name='fixture.add')
def add(x, y):
    return x + y


@app.task(name='fixture.echo')
def echo(text, **kwargs):
    return {'text': text, 'kwargs': kwargs}


@app.task(name='fixture.slow_echo')
def slow_echo(text, seconds):
    time.sleep(seconds)
    return {'text': text}


@app.task(name='fixture.fail')
def fail(msg):
    raise ValueError(msg)


@app.task(name='fixture.flaky', bind=True, max_retries=2, default_retry_delay=1)
def flaky(self, succeed_after):
    """Retries (task-retried) until `succeed_after` retries were done."""
    if self.request.retries < succeed_after:
        raise self.retry(exc=RuntimeError('flaky attempt %d' % self.request.retries))
    return 'ok after %d retries' % self.request.retries


@app.task(name='fixture.reject', bind=True, acks_late=True)
def reject(self, requeue_first=False):
    redelivered = bool((self.request.delivery_info or {}).get('redelivered'))
    if requeue_first and not redelivered:
        raise Reject('first delivery, requeue', requeue=True)
    raise Reject('rejected for good', requeue=False)


@app.task(name='fixture.sleep')
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name='fixture.parent', bind=True)
def parent(self, n):
    """Starts a child task, so the child carries parent_id/root_id."""
    return add.delay(n, n).id


@app.task(name='fixture.progress', bind=True)
def progress(self, steps):
    """Emits custom task-progress events through Task.send_event."""
    for i in range(steps):
        self.send_event('task-progress', current=i + 1, total=steps)
        time.sleep(0.05)
    return steps
