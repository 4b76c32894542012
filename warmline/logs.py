"""Process logging: one stderr handler, text or JSON, every record redacted."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from config.settings import Settings
from warmline.privacy import install_redaction

HANDLER_NAME = "warmline"
# Loggers that keep handlers of their own instead of propagating to the root.
SEPARATE_LOGGERS = ("gunicorn.error", "gunicorn.access")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(settings: Settings) -> None:
    """Send records to stderr in the configured format, through the redaction filter."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    install_redaction(logging.getLogger(name) for name in SEPARATE_LOGGERS)
