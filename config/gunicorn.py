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
# gevent: a dashboard's live event stream waits as a greenlet, not on one of a few threads,
# so no number of open dashboards delays a Twilio webhook. warmline/dashboard/events.py caps
# the streams per process at half of these connections, and per person and per line.
worker_class = "gevent"
worker_connections = 500
# Twilio gives up on a webhook after 15 s; a stuck request is cut before that matters.
timeout = 30
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level.lower()
