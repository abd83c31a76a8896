"""Example tasks for the compose demo: `add` every 2 s, a failing one every 10 s."""
import os

from celery import Celery

app = Celery("tasks", broker=os.environ.get("CELERY_BROKER_URL", "redis://redis:6379/0"))
app.conf.beat_schedule = {
    "add-every-2s": {"task": "tasks.add", "schedule": 2.0, "args": (2, 3)},
    "fail-every-10s": {"task": "tasks.fail", "schedule": 10.0},
}


@app.task
def add(x, y):
    return x + y


@app.task
def fail():
    raise ValueError("example failure")
