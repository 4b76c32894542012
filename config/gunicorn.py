"""Gunicorn settings for `web` (Procfile), taken from the warmline settings object."""

import sys

from config.settings import Settings, SettingsError

try:
    _settings = Settings.from_env()
except SettingsError as error:
    sys.exit(f"warmline: {error}")

# Behind a platform's router in production; only this machine in development.
bind = [f"{'0.0.0.0' if _settings.is_production else '127.0.0.1'}:{_settings.port}"]
workers = _settings.web_concurrency
# Threads keep a slow dashboard stream from holding up Twilio's webhooks.
worker_class = "gthread"
threads = 4
# Twilio gives up on a webhook after 15 s; a stuck request is cut before that matters.
timeout = 30
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level.lower()
