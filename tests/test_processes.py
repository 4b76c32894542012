"""The real processes: `warmline run`, gunicorn as the Procfile runs it, and RQ workers."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import time
import urllib.request

import psutil
import pytest
import requests
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import select

from tests.factories import make_line
from tests.processes import (
    ROOT,
    descendants,
    environment,
    settings_environment,
    start,
    warmline_command,
)
from tests.services import free_port, free_port_and_next, wait_for
from warmline.demo import DEMO_PASSWORD
from warmline.models import AuditEvent, Contact, utcnow

# Ctrl-C stops `warmline run` in under 5 s (issue 16); the margin is for a loaded CI machine.
STOP_SECONDS = 8

PROCFILE = dict(
    line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
)


def health(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
    except OSError:
        return 0, {}


def wait_until_ready(run: subprocess.Popen[bytes], log) -> None:
    wait_for(
        lambda: "Press Ctrl-C to stop." in log.read_text() or run.poll() is not None,
        timeout=90,
        what="warmline run to say it is ready",
    )
    assert run.poll() is None, log.read_text()


def test_warmline_run_serves_health_with_a_worker_and_stops_cleanly_on_ctrl_c(tmp_path):
    # The simulator listens on the next port up.
    port = free_port_and_next()
    instance = tmp_path / "instance"
    env = environment(PORT=str(port), WARMLINE_INSTANCE_PATH=str(instance), WEB_CONCURRENCY="2")
    log = tmp_path / "run.log"
    run = start([*warmline_command(), "run"], env, log)
    try:
        wait_until_ready(run, log)
        assert health(port) == (200, {"db": "ok", "redis": "ok", "workers": 1})
        banner = log.read_text()
        assert "warmline is running at http://127.0.0.1:" in banner
        assert f"phones: http://127.0.0.1:{port + 1}/simulator/" in banner
        assert "ana@demo.warmline.test" in banner
        with urllib.request.urlopen(f"http://127.0.0.1:{port + 1}/simulator/", timeout=5) as page:
            assert "+15017122661" in page.read().decode()
        assert (instance / "warmline.db").exists()
        children = descendants(run.pid)
        assert len(children) >= 4  # gunicorn master and workers, the RQ worker, its children
        embedded_redis = psutil.Process(int((instance / "redis.pid").read_text()))
    finally:
        run.send_signal(signal.SIGINT)
        run.wait(timeout=60)
    assert run.returncode == 0, log.read_text()
    _gone, alive = psutil.wait_procs(children, timeout=30)
    assert alive == []
    embedded_redis.wait(timeout=30)
    assert health(port) == (0, {})
    assert "warmline stopped." in log.read_text()


def test_ctrl_c_with_a_dashboard_streaming_stops_everything_quickly_and_quietly(tmp_path):
    port = free_port_and_next()
    instance = tmp_path / "instance"
    env = environment(PORT=str(port), WARMLINE_INSTANCE_PATH=str(instance), WEB_CONCURRENCY="2")
    log = tmp_path / "run.log"
    # Its own session, as a terminal's foreground job: Ctrl-C signals the whole group.
    with open(log, "wb") as sink:
        run = subprocess.Popen(
            [*warmline_command(), "run"], cwd=ROOT, env=env, stdout=sink,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    browser = requests.Session()
    try:
        wait_until_ready(run, log)
        base_url = f"http://127.0.0.1:{port}"
        csrf = browser.get(f"{base_url}/api/session", timeout=10).json()["csrf_token"]
        signed_in = browser.post(
            f"{base_url}/api/session",
            json={"email": "ana@demo.warmline.test", "password": DEMO_PASSWORD},
            headers={"X-CSRF-Token": csrf},
            timeout=10,
        )
        assert signed_in.status_code == 200, signed_in.text
        stream = browser.get(f"{base_url}/api/events", stream=True, timeout=(5, 30))
        assert stream.status_code == 200
        assert next(stream.iter_lines()) == b"retry: 2000"
        children = descendants(run.pid)
        started = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=STOP_SECONDS)
        stopped_in = time.monotonic() - started
    finally:
        browser.close()
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 0, log.read_text()
    _gone, alive = psutil.wait_procs(children, timeout=STOP_SECONDS)
    assert alive == []
    print(f"warmline run stopped in {stopped_in:.1f} s with a stream open")
    assert health(port) == (0, {})
    output = log.read_text()
    assert "warmline stopped." in output
    for text in (output, (instance / "run.log").read_text()):
        assert "Traceback" not in text
        assert "KeyboardInterrupt" not in text
    # The processes' chatter went to the instance log, not over the banner.
    assert f"log of every process: {instance / 'run.log'}" in output
    assert "Listening at" not in output


def test_gunicorn_refuses_to_start_in_production_without_secrets(tmp_path):
    env = environment(WARMLINE_ENV="production", PORT=str(free_port()))
    result = subprocess.run(
        shlex.split(PROCFILE["web"]),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "warmline: WARMLINE_SECRET_KEY must be set in production: at least 32 random characters"
    ]


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_worker_process_runs_the_retention_purge(settings, app, session, redis_client, tmp_path):
    line = make_line(session, retention_days=30)
    old = Contact(line_id=line.id, channel="voice", arrived_at=utcnow().replace(year=2020))
    recent = Contact(line_id=line.id, channel="sms")
    session.add_all([old, recent])
    session.commit()

    env = settings_environment(settings)
    queued = subprocess.run(
        [*warmline_command(), "purge"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert queued.returncode == 0, queued.stderr
    [job_id] = Queue("maintenance", connection=redis_client).job_ids
    worker = subprocess.run(
        [*warmline_command(), "worker", "--burst"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    job = Job.fetch(job_id, connection=redis_client)
    assert job.get_status() == JobStatus.FINISHED, worker.stderr
    assert job.return_value() == {str(line.id): 1}
    session.expire_all()
    assert [c.id for c in session.scalars(select(Contact))] == [recent.id]
    purge = session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")).one()
    assert purge.detail == {"removed": {str(line.id): 1}}
