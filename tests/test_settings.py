"""Settings come from the environment, with safe embedded defaults and a strict production."""

from __future__ import annotations

import pytest

from config.settings import SIMULATOR_ACCOUNT_SID, Settings, SettingsError

STRONG = "s" * 40
PRODUCTION = {
    "WARMLINE_ENV": "production",
    "WARMLINE_DATABASE_URL": "postgresql://warmline@db.internal/warmline",
    "WARMLINE_REDIS_URL": "redis://cache.internal:6379/0",
    "WARMLINE_PUBLIC_URL": "https://line.example.org",
    "WARMLINE_SECRET_KEY": STRONG,
    "WARMLINE_CALLER_KEY": "c" * 40,
    "TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
    "TWILIO_AUTH_TOKEN": "real-token",
}


def test_embedded_defaults_need_no_configuration(tmp_path):
    settings = Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'warmline.db'}"
    assert settings.embedded_redis
    assert settings.redis_url == f"unix://{tmp_path / 'redis.sock'}"
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.twilio_account_sid == SIMULATOR_ACCOUNT_SID
    assert settings.log_format == "text"


def test_generated_keys_are_kept_private_and_reused(tmp_path):
    first = Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path)})
    second = Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path)})
    assert len(first.secret_key) >= 32
    assert first.secret_key != first.caller_key
    assert (first.secret_key, first.caller_key) == (second.secret_key, second.caller_key)
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caller_key", "secret_key"]


def test_public_url_follows_the_port(tmp_path):
    settings = Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path), "PORT": "5050"})
    assert settings.public_url == "http://127.0.0.1:5050"


def test_complete_production_settings_are_accepted():
    settings = Settings.from_env(PRODUCTION)
    assert settings.is_production
    assert settings.log_format == "json"
    assert not settings.embedded_redis


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WARMLINE_SECRET_KEY", None),
        ("WARMLINE_SECRET_KEY", "short"),
        ("WARMLINE_CALLER_KEY", None),
        ("WARMLINE_CALLER_KEY", STRONG),
        ("TWILIO_ACCOUNT_SID", None),
        ("TWILIO_AUTH_TOKEN", None),
        ("WARMLINE_DATABASE_URL", None),
        ("WARMLINE_DATABASE_URL", "sqlite:////srv/warmline.db"),
        ("WARMLINE_REDIS_URL", None),
        ("WARMLINE_PUBLIC_URL", None),
        ("WARMLINE_PUBLIC_URL", "http://line.example.org"),
    ],
)
def test_production_refuses_missing_or_default_settings_naming_the_variable(variable, value):
    environ = dict(PRODUCTION)
    if value is None:
        del environ[variable]
    else:
        environ[variable] = value
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    message = str(refused.value)
    assert message.startswith(variable)
    assert "\n" not in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [("WARMLINE_LOG_FORMAT", "xml"), ("WARMLINE_ENV", "staging"), ("PORT", "eighty")],
)
def test_nonsense_values_are_refused(tmp_path, variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path), variable: value})
