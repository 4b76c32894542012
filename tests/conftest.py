"""Fixtures: real Redis, real SQLite and PostgreSQL, the app, and signed Twilio requests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from config.settings import Settings
from tests.services import fresh_database, postgres_server, throwaway_redis
from warmline import migrate, wording
from warmline.app import create_app
from warmline.runtime import Runtime
from workers import context

PUBLIC_URL = "https://warmline.example.org"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "1" * 32


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


@pytest.fixture
def app(settings: Settings):
    migrate.upgrade(settings.database_url)
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
