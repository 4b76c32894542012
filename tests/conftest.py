"""Fixtures: real Redis, real SQLite and PostgreSQL, the app, and signed Twilio requests."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import redis
import yaml
from argon2 import PasswordHasher
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from config.settings import Settings
from tests.services import fresh_database, postgres_server, throwaway_redis
from warmline import migrate, people, wording
from warmline.app import create_app
from warmline.db import database_url
from warmline.runtime import Runtime
from workers import context

PUBLIC_URL = "https://warmline.example.org"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "1" * 32


def pytest_terminal_summary(terminalreporter, config) -> None:
    """Name the machine under the results: the same suite takes twice as long on a busy one."""
    load = ", ".join(f"{average:.1f}" for average in os.getloadavg())
    workers = getattr(config.option, "numprocesses", None) or 1
    terminalreporter.write_line(
        f"machine: {os.cpu_count()} CPUs ({psutil.cpu_count(logical=False)} cores), load"
        f" average {load}; {workers} test workers"
    )


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes() -> Iterator[None]:
    """Hash the suite's passwords with argon2id at its lowest cost: the same checks, in
    microseconds instead of a third of a second per person a test adds or signs in."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(people, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    yield client
    client.flushall()
    client.close()


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite unless a test parametrizes it with "postgresql"."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'warmline.db'}"
    else:
        with fresh_database(request.getfixturevalue("postgres_admin_url"), "warmline_test") as url:
            yield url


@pytest.fixture
def settings(db_url: str, redis_url: str, redis_client: redis.Redis, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        redis_url=redis_url,
        public_url=PUBLIC_URL,
        secret_key=secrets.token_urlsafe(32),
        caller_key=secrets.token_urlsafe(32),
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        instance_path=tmp_path / "instance",
        log_level="DEBUG",
    )


@pytest.fixture
def edited_scripts(monkeypatch: pytest.MonkeyPatch):
    """Let a test replace what config/scripts holds, as an operator's edit would."""

    def edit(load) -> None:
        monkeypatch.setattr(wording, "documents", load)
        wording.shipped.cache_clear()

    yield edit
    wording.shipped.cache_clear()


def unreadable_scripts():
    """Load config/scripts after an edit that left a YAML syntax error behind."""
    return {"en": yaml.safe_load("calls: [welcome: 'Thank you for calling")}


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database the migrations brought to head, once for the whole run."""
    path = tmp_path_factory.mktemp("migrated") / "warmline.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def upgraded(migrated_sqlite: Path):
    """Bring a database to head: a copy of the run's migrated SQLite file where the test's
    is still absent (the same bytes the migrations write), else the migrations themselves."""

    def upgrade(raw_url: str) -> None:
        url = database_url(raw_url)
        if url.get_backend_name() == "sqlite" and not Path(url.database).exists():
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(migrated_sqlite, url.database)
        else:
            migrate.upgrade(raw_url)

    return upgrade


@pytest.fixture
def app(settings: Settings, upgraded):
    upgraded(settings.database_url)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["warmline"].engine.dispose()


@pytest.fixture
def worker_runtime(app) -> Iterator[Runtime]:
    """Run jobs in this process, as a worker would, with the app's connections; then stop."""
    with context.installed(app.extensions["warmline"]) as services:
        yield services


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    with app.extensions["warmline"].sessions() as session:
        yield session


class Twilio:
    """Sends requests the way Twilio does: form-encoded and signed for the public URL."""

    def __init__(self, client, auth_token: str = AUTH_TOKEN) -> None:
        self.client = client
        self.validator = RequestValidator(auth_token)

    def post(self, path: str, params: dict[str, str] | list[tuple[str, str]], **kwargs):
        form = MultiDict(params)
        signature = self.validator.compute_signature(PUBLIC_URL + path, form)
        headers = {"X-Twilio-Signature": signature, **kwargs.pop("headers", {})}
        return self.client.post(path, data=form, headers=headers, **kwargs)


@pytest.fixture
def twilio(client) -> Twilio:
    return Twilio(client)
