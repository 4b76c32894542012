"""Settings come from the environment, with safe embedded defaults and a strict production."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from config.settings import (
    ENVIRONMENTS,
    LOG_FORMATS,
    SIMULATOR_ACCOUNT_SID,
    SIMULATOR_AUTH_TOKEN,
    TIMERS,
    Settings,
    SettingsError,
)

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
    [
        ("WARMLINE_LOG_FORMAT", "xml"),
        ("WARMLINE_ENV", "staging"),
        ("PORT", "eighty"),
        ("TWILIO_TIMEOUT_SECONDS", "soon"),
        ("TWILIO_TIMEOUT_SECONDS", "0"),
        ("TWILIO_TIMEOUT_SECONDS", "-5"),
        ("TWILIO_TIMEOUT_SECONDS", "nan"),
        ("TWILIO_TIMEOUT_SECONDS", "3600"),
        ("WARMLINE_PRESENCE_GRACE_SECONDS", "0"),
        ("WARMLINE_PRESENCE_GRACE_SECONDS", "-1"),
        ("WARMLINE_PRESENCE_GRACE_SECONDS", "a while"),
        ("WARMLINE_PRESENCE_GRACE_SECONDS", "86400"),
        ("WARMLINE_REPAIR_EVERY_SECONDS", "0"),
        ("WARMLINE_REPAIR_EVERY_SECONDS", "0.5"),
        ("WARMLINE_REPAIR_EVERY_SECONDS", "3600"),
        ("WARMLINE_PRESENCE_SWEEP_EVERY_SECONDS", "-10"),
        ("WARMLINE_TEXT_SWEEP_EVERY_SECONDS", "hourly"),
        ("WARMLINE_WORKER_MAINTENANCE_SECONDS", "0"),
        ("WARMLINE_REPAIR_SETTLING_SECONDS", "1"),
        ("WARMLINE_ASK_TWILIO_AFTER_SECONDS", "86400"),
        ("WARMLINE_ASK_TWILIO_EVERY_SECONDS", "nan"),
    ],
)
def test_nonsense_values_are_refused(tmp_path, variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path), variable: value})


# What an environment variable can hold: no NUL, and no trailing slash where from_env trims one.
_value = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1)
_url = _value.map(lambda url: url.rstrip("/")).filter(bool)
_key = st.text(st.characters(codec="ascii", exclude_characters="\x00"), min_size=32)
_count = st.integers(min_value=0, max_value=10_000)


@st.composite
def canonical_settings(draw) -> Settings:
    """Draw settings as from_env makes them: every field varied, production kept valid."""
    env = draw(st.sampled_from(ENVIRONMENTS))
    production = env == "production"
    instance = Path("/nonexistent-warmline") / draw(
        st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)
    )
    embedded_redis = not production and draw(st.booleans())
    secret_key = draw(_key)
    return Settings(
        env=env,
        database_url=draw(_value.map(lambda url: f"postgresql://{url}")),
        redis_url=f"unix://{instance / 'redis.sock'}" if embedded_redis else draw(_value),
        embedded_redis=embedded_redis,
        public_url=draw(_url.map(lambda url: f"https://{url}")),
        secret_key=secret_key,
        caller_key=draw(_key.filter(lambda key: key != secret_key)),
        twilio_account_sid=draw(_value.filter(lambda sid: sid != SIMULATOR_ACCOUNT_SID)),
        twilio_auth_token=draw(_value.filter(lambda token: token != SIMULATOR_AUTH_TOKEN)),
        twilio_api_base_url=draw(_url),
        twilio_timeout_seconds=draw(st.floats(min_value=0, max_value=60, exclude_min=True)),
        log_format=draw(st.sampled_from(LOG_FORMATS)),
        log_level=draw(st.sampled_from(["DEBUG", "INFO", "WARNING", "ERROR"])),
        instance_path=instance,
        port=draw(_count),
        web_concurrency=draw(_count),
        proxy_hops=draw(_count),
        crisis_number=draw(_value),
        presence_grace_seconds=draw(st.integers(min_value=1, max_value=3600)),
        **{
            name: draw(st.integers(min_value=timer.least, max_value=timer.most))
            for name, timer in TIMERS.items()
        },
    )


@hypothesis_settings(max_examples=200, database=None)
@given(settings=canonical_settings())
def test_to_environ_is_read_back_into_the_same_settings_field_for_field(settings):
    assert Settings.from_env(settings.to_environ()) == settings


def test_every_field_but_the_derived_embedded_flag_has_its_own_variable():
    settings = Settings.from_env(
        {"WARMLINE_INSTANCE_PATH": "/nonexistent-warmline/i", "WARMLINE_SECRET_KEY": "s" * 32,
         "WARMLINE_CALLER_KEY": "c" * 32, "WARMLINE_REDIS_URL": "redis://cache:6379/0"}
    )  # fmt: skip
    assert len(settings.to_environ()) == len(fields(Settings)) - 1


def test_the_timers_default_to_what_production_has_always_run(tmp_path):
    settings = Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path)})
    assert {name: getattr(settings, name) for name in TIMERS} == {
        "repair_every_seconds": 5,
        "presence_sweep_every_seconds": 10,
        "text_sweep_every_seconds": 60,
        "crisis_wait_sweep_every_seconds": 15,
        "worker_maintenance_seconds": 30,
        "repair_settling_seconds": 60,
        "ask_twilio_after_seconds": 120,
        "ask_twilio_every_seconds": 60,
    }


def test_a_timer_is_read_from_its_variable(tmp_path):
    settings = Settings.from_env(
        {"WARMLINE_INSTANCE_PATH": str(tmp_path), "WARMLINE_REPAIR_SETTLING_SECONDS": "5"}
    )
    assert settings.repair_settling_seconds == 5


def test_embedded_redis_is_asked_for_by_leaving_the_redis_url_unset(tmp_path):
    settings = Settings.from_env({"WARMLINE_INSTANCE_PATH": str(tmp_path)})
    assert "WARMLINE_REDIS_URL" not in settings.to_environ()
    assert Settings.from_env(settings.to_environ()) == settings
