"""The one place that reads the environment: a frozen, typed settings object."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# The local Twilio simulator's credentials: good for embedded mode, refused in production.
SIMULATOR_ACCOUNT_SID = "AC00000000000000000000000000000000"
SIMULATOR_AUTH_TOKEN = "warmline-simulator-auth-token"
TWILIO_API_BASE_URL = "https://api.twilio.com"
TWILIO_TIMEOUT_SECONDS = 10.0
# 988 is not routable on every platform; the 10-digit Lifeline number always is.
LIFELINE_NUMBER = "+18002738255"
# How long a specialist on shift may have no dashboard open before their availability ends:
# long enough for a reload, a dropped Wi-Fi or a background tab's once-a-minute timers.
PRESENCE_GRACE_SECONDS = 180
MAX_PRESENCE_GRACE_SECONDS = 3600


@dataclass(frozen=True)
class Timer:
    """One of the app's own real-time waits that is the same for every line of a process."""

    variable: str
    default: int
    least: int
    most: int


# Process-level overrides of the clock's sweeps and the repairs' waits. Production keeps the
# defaults; a benchmark that compresses a day into minutes shortens them. A line's own timers
# (ring timeout, wrap-up, recovery, text timeouts, call-back retry) are set in the console.
TIMERS = {
    # How often the clock enqueues the live-state repair (offers past their lease, lost calls).
    "repair_every_seconds": Timer("WARMLINE_REPAIR_EVERY_SECONDS", 5, 1, 60),
    # How often the clock ends the availability of specialists with no dashboard open.
    "presence_sweep_every_seconds": Timer("WARMLINE_PRESENCE_SWEEP_EVERY_SECONDS", 10, 1, 600),
    # How often the clock looks for someone with crisis signs waiting a minute, to tell the
    # coordinators on shift.
    "crisis_wait_sweep_every_seconds": Timer(
        "WARMLINE_CRISIS_WAIT_SWEEP_EVERY_SECONDS", 15, 1, 600
    ),
    # How often the clock reminds waiting texters and closes idle text conversations.
    "text_sweep_every_seconds": Timer("WARMLINE_TEXT_SWEEP_EVERY_SECONDS", 60, 1, 3600),
    # How often a worker looks for jobs a killed worker left behind (RQ's maintenance).
    "worker_maintenance_seconds": Timer("WARMLINE_WORKER_MAINTENANCE_SECONDS", 30, 1, 600),
    # How long the repair leaves a new call or call-back request alone before mending it.
    "repair_settling_seconds": Timer("WARMLINE_REPAIR_SETTLING_SECONDS", 60, 5, 600),
    # How long a call is open before the repair asks Twilio whether it ended, and how often.
    "ask_twilio_after_seconds": Timer("WARMLINE_ASK_TWILIO_AFTER_SECONDS", 120, 10, 3600),
    "ask_twilio_every_seconds": Timer("WARMLINE_ASK_TWILIO_EVERY_SECONDS", 60, 5, 3600),
}

T = TypeVar("T", int, float)

LOG_FORMATS = ("text", "json")
ENVIRONMENTS = ("development", "production")


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message names the variable in one line."""


@dataclass(frozen=True)
class Settings:
    """Everything a warmline process needs to know about where it runs."""

    database_url: str
    # One server (redis://, rediss://, unix://) or Sentinel's primary (redis+sentinel://...):
    # warmline/redis_client.py reads it.
    redis_url: str
    public_url: str
    secret_key: str
    caller_key: str
    twilio_account_sid: str = SIMULATOR_ACCOUNT_SID
    twilio_auth_token: str = SIMULATOR_AUTH_TOKEN
    twilio_api_base_url: str = TWILIO_API_BASE_URL
    twilio_timeout_seconds: float = TWILIO_TIMEOUT_SECONDS
    env: str = "development"
    log_format: str = "text"
    log_level: str = "INFO"
    instance_path: Path = Path("instance")
    embedded_redis: bool = False
    port: int = 8000
    web_concurrency: int = 2
    proxy_hops: int = 1
    crisis_number: str = LIFELINE_NUMBER
    presence_grace_seconds: int = PRESENCE_GRACE_SECONDS
    repair_every_seconds: int = TIMERS["repair_every_seconds"].default
    presence_sweep_every_seconds: int = TIMERS["presence_sweep_every_seconds"].default
    text_sweep_every_seconds: int = TIMERS["text_sweep_every_seconds"].default
    crisis_wait_sweep_every_seconds: int = TIMERS["crisis_wait_sweep_every_seconds"].default
    worker_maintenance_seconds: int = TIMERS["worker_maintenance_seconds"].default
    repair_settling_seconds: int = TIMERS["repair_settling_seconds"].default
    ask_twilio_after_seconds: int = TIMERS["ask_twilio_after_seconds"].default
    ask_twilio_every_seconds: int = TIMERS["ask_twilio_every_seconds"].default

    def __post_init__(self) -> None:
        if not 1 <= self.presence_grace_seconds <= MAX_PRESENCE_GRACE_SECONDS:
            raise SettingsError(
                "WARMLINE_PRESENCE_GRACE_SECONDS must be from 1 to "
                f"{MAX_PRESENCE_GRACE_SECONDS} seconds"
            )
        for name, timer in TIMERS.items():
            if not timer.least <= getattr(self, name) <= timer.most:
                raise SettingsError(
                    f"{timer.variable} must be from {timer.least} to {timer.most} seconds"
                )
        if self.log_format not in LOG_FORMATS:
            raise SettingsError(f"WARMLINE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
        if self.env not in ENVIRONMENTS:
            raise SettingsError(f"WARMLINE_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.is_production:
            self._refuse_unsafe_production()

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def runs_simulator(self) -> bool:
        """Whether `warmline run` brings up the local Twilio simulator: simulator credentials
        and no other Twilio-compatible API configured."""
        return (
            self.twilio_account_sid == SIMULATOR_ACCOUNT_SID
            and self.twilio_api_base_url == TWILIO_API_BASE_URL
        )

    @property
    def redis_socket_path(self) -> Path:
        """Return where the embedded Redis listens."""
        return self.instance_path / "redis.sock"

    def _refuse_unsafe_production(self) -> None:
        checks = [
            ("WARMLINE_SECRET_KEY", len(self.secret_key) >= 32, "at least 32 random characters"),
            ("WARMLINE_CALLER_KEY", len(self.caller_key) >= 32, "at least 32 random characters"),
            (
                "WARMLINE_CALLER_KEY",
                self.caller_key != self.secret_key,
                "a key of its own, not the secret key",
            ),
            (
                "TWILIO_ACCOUNT_SID",
                self.twilio_account_sid != SIMULATOR_ACCOUNT_SID,
                "your Twilio account SID, not the simulator's",
            ),
            (
                "TWILIO_AUTH_TOKEN",
                self.twilio_auth_token != SIMULATOR_AUTH_TOKEN,
                "your Twilio auth token, not the simulator's",
            ),
            (
                "WARMLINE_DATABASE_URL",
                not self.database_url.startswith("sqlite"),
                "a PostgreSQL URL (SQLite is for a single machine only)",
            ),
            ("WARMLINE_REDIS_URL", not self.embedded_redis, "the URL of a Redis server"),
            (
                "WARMLINE_PUBLIC_URL",
                self.public_url.startswith("https://"),
                "the https:// address Twilio calls",
            ),
        ]
        for variable, ok, expected in checks:
            if not ok:
                raise SettingsError(f"{variable} must be set in production: {expected}")

    def to_environ(self) -> dict[str, str]:
        """Return the environment that `from_env` reads back into these settings."""
        environ = {
            "WARMLINE_ENV": self.env,
            "WARMLINE_DATABASE_URL": self.database_url,
            "WARMLINE_PUBLIC_URL": self.public_url,
            "WARMLINE_SECRET_KEY": self.secret_key,
            "WARMLINE_CALLER_KEY": self.caller_key,
            "WARMLINE_INSTANCE_PATH": str(self.instance_path),
            "WARMLINE_LOG_FORMAT": self.log_format,
            "WARMLINE_LOG_LEVEL": self.log_level,
            "WARMLINE_PROXY_HOPS": str(self.proxy_hops),
            "WARMLINE_CRISIS_NUMBER": self.crisis_number,
            "WARMLINE_PRESENCE_GRACE_SECONDS": str(self.presence_grace_seconds),
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "TWILIO_API_BASE_URL": self.twilio_api_base_url,
            "TWILIO_TIMEOUT_SECONDS": str(self.twilio_timeout_seconds),
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.web_concurrency),
        }
        environ.update({timer.variable: str(getattr(self, name)) for name, timer in TIMERS.items()})
        # An unset Redis URL is what asks for the embedded server in the instance folder.
        if not self.embedded_redis:
            environ["WARMLINE_REDIS_URL"] = self.redis_url
        return environ

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from the environment, filling embedded defaults."""
        environ = os.environ if environ is None else environ
        env = environ.get("WARMLINE_ENV", "development")
        production = env == "production"
        instance = Path(environ.get("WARMLINE_INSTANCE_PATH", "instance")).resolve()
        port = _number(environ, "PORT", 8000, int)
        twilio_timeout = _number(environ, "TWILIO_TIMEOUT_SECONDS", TWILIO_TIMEOUT_SECONDS, float)
        # Zero, a negative or NaN would fail every REST call; a minute is already too long.
        if not 0 < twilio_timeout <= 60:
            raise SettingsError("TWILIO_TIMEOUT_SECONDS must be more than 0 and at most 60")
        redis_url = environ.get("WARMLINE_REDIS_URL", "")
        embedded_redis = not redis_url
        if embedded_redis:
            redis_url = f"unix://{instance / 'redis.sock'}"

        def secret(name: str, filename: str) -> str:
            value = environ.get(name, "")
            if value or production:
                return value
            return _instance_secret(instance, filename)

        return cls(
            env=env,
            database_url=environ.get("WARMLINE_DATABASE_URL")
            or f"sqlite:///{instance / 'warmline.db'}",
            redis_url=redis_url,
            embedded_redis=embedded_redis,
            public_url=environ.get("WARMLINE_PUBLIC_URL", f"http://127.0.0.1:{port}").rstrip("/"),
            secret_key=secret("WARMLINE_SECRET_KEY", "secret_key"),
            caller_key=secret("WARMLINE_CALLER_KEY", "caller_key"),
            twilio_account_sid=environ.get("TWILIO_ACCOUNT_SID", SIMULATOR_ACCOUNT_SID),
            twilio_auth_token=environ.get("TWILIO_AUTH_TOKEN", SIMULATOR_AUTH_TOKEN),
            twilio_api_base_url=environ.get("TWILIO_API_BASE_URL", TWILIO_API_BASE_URL).rstrip("/"),
            twilio_timeout_seconds=twilio_timeout,
            log_format=environ.get("WARMLINE_LOG_FORMAT", "json" if production else "text"),
            log_level=environ.get("WARMLINE_LOG_LEVEL", "INFO").upper(),
            instance_path=instance,
            port=port,
            web_concurrency=_number(environ, "WEB_CONCURRENCY", 2, int),
            proxy_hops=_number(environ, "WARMLINE_PROXY_HOPS", 1, int),
            crisis_number=environ.get("WARMLINE_CRISIS_NUMBER", LIFELINE_NUMBER),
            presence_grace_seconds=_number(
                environ, "WARMLINE_PRESENCE_GRACE_SECONDS", PRESENCE_GRACE_SECONDS, int
            ),
            **{
                name: _number(environ, timer.variable, timer.default, int)
                for name, timer in TIMERS.items()
            },
        )


def _number(environ: Mapping[str, str], name: str, default: T, parse: Callable[[str], T]) -> T:
    raw = environ.get(name, "")
    if not raw:
        return default
    try:
        return parse(raw)
    except ValueError:
        kind = "a whole number" if parse is int else "a number"
        raise SettingsError(f"{name} must be {kind}") from None


def _instance_secret(instance: Path, filename: str) -> str:
    """Return the key kept in instance/, generating it once for every process to share."""
    path = instance / filename
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    draft = instance / f".{filename}.{os.getpid()}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    try:
        # link() refuses to replace, so when two processes race the first key wins for both.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()
