"""The composition root: one app per settings, behind a proxy, nothing connected at import."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flask import request

from tests.conftest import unreadable_scripts
from tests.processes import ROOT, environment
from warmline.app import create_app
from warmline.crisis.scripts import WordingRefused


def test_forwarded_scheme_and_client_address_are_trusted_from_one_proxy(app):
    @app.get("/_whoami")
    def whoami():
        return {"scheme": request.scheme, "remote": request.remote_addr}

    response = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.json == {"scheme": "https", "remote": "203.0.113.9"}


def test_an_app_whose_words_cannot_be_read_refuses_to_start(settings, edited_scripts):
    # Its safety net speaks those words: better no new release than a crisis answer that fails.
    edited_scripts(unreadable_scripts)
    with pytest.raises(WordingRefused, match="config/scripts"):
        create_app(settings)


def test_importing_every_module_connects_to_nothing(tmp_path):
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise AssertionError('connected at import time')\n"
        "socket.socket.connect = refuse\n"
        "import warmline.app, warmline.cli, webhooks, workers.jobs, workers.main, config.gunicorn\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment(WARMLINE_INSTANCE_PATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
