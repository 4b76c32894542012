"""The import contracts in pyproject.toml name every module, so none escapes its layer."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import pytest
from rq.utils import import_attribute

import warmline
import workers

ROOT = Path(__file__).resolve().parent.parent
# Alembic's scripts run under Alembic, not imported by the application.
OUTSIDE_THE_LAYERS = {"warmline.migrations"}


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def _layered_modules() -> set[str]:
    (layers,) = [c["layers"] for c in _contracts() if c["type"] == "layers"]
    return {name.strip() for layer in layers for name in layer.split(":")}


def _children(package) -> set[str]:
    return {f"{package.__name__}.{child.name}" for child in pkgutil.iter_modules(package.__path__)}


def test_every_module_of_warmline_and_workers_has_a_layer():
    layered = _layered_modules()
    unplaced = (_children(warmline) | _children(workers)) - layered - OUTSIDE_THE_LAYERS
    assert not unplaced, f"name these in a layer in pyproject.toml: {sorted(unplaced)}"


def test_every_domain_module_is_held_to_plain_python():
    (domain_layer,) = [
        layer
        for c in _contracts()
        if c["type"] == "layers"
        for layer in c["layers"]
        if "warmline.calls" in layer
    ]
    domain = {name.strip() for name in domain_layer.split(":")}
    (forbidden,) = [c for c in _contracts() if c["type"] == "forbidden"]
    assert set(forbidden["source_modules"]) == domain


# Every queued or scheduled RQ job is stored with its function's dotted name: a name that
# moves strands the jobs waiting in Redis when a new version starts (a texter's reply unsent).
STORED_JOB_NAMES = [
    "workers.jobs.offer_contacts",
    "workers.jobs.connect_caller",
    "workers.jobs.bring_specialist",
    "workers.jobs.add_crisis_counselor",
    "workers.jobs.hang_up",
    "workers.jobs.supervise_call",
    "workers.jobs.say_goodbye",
    "workers.jobs.repair_live_state",
    "workers.jobs.extend_rosters",
    "workers.jobs.purge_expired_contacts",
    "workers.text_jobs.send_reply",
    "workers.text_jobs.watch_conversation",
    "workers.text_jobs.sweep_text_conversations",
]


@pytest.mark.parametrize("name", STORED_JOB_NAMES)
def test_jobs_queued_by_an_earlier_version_still_find_their_function(name):
    assert callable(import_attribute(name))
