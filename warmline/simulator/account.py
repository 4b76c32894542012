"""What Twilio's account pages show over REST: the numbers' settings and the debugger's alerts.

`warmline twilio check` reads both: the IncomingPhoneNumbers list resource
(https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource) and the Monitor
API's Alerts (https://www.twilio.com/docs/usage/monitor-alert), which Twilio serves from
monitor.twilio.com/v1 and the simulator beside its 2010-04-01 API.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Blueprint, Flask, jsonify, request

from warmline.simulator.api import ACCOUNT, TwilioError, authenticate, simulator
from warmline.simulator.directory import Line
from warmline.simulator.state import API_VERSION
from warmline.simulator.webhook_client import Alert

numbers = Blueprint("twilio_numbers", __name__, url_prefix=ACCOUNT)
monitor = Blueprint("twilio_monitor", __name__, url_prefix="/v1")
numbers.before_request(authenticate)
monitor.before_request(authenticate)

PAGE_SIZE = 50
# "Specify the date and time in GMT and format as YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ."
MONITOR_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$")


def _sid(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def number_json(account_sid: str, line: Line) -> dict:
    """One IncomingPhoneNumber as the list resource gives it: every URL Twilio would call."""
    sid = _sid("PN", line.number)
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False},
        "friendly_name": line.number,
        "phone_number": line.number,
        "sid": sid,
        "sms_application_sid": "",
        "sms_fallback_method": "POST",
        "sms_fallback_url": line.fallback_url,
        "sms_method": "POST",
        "sms_url": line.sms_url,
        "status_callback": line.status_callback,
        "status_callback_method": "POST",
        "uri": f"/{API_VERSION}/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}.json",
        "voice_application_sid": "",
        "voice_caller_id_lookup": False,
        "voice_fallback_method": "POST",
        "voice_fallback_url": line.fallback_url,
        "voice_method": "POST",
        "voice_receive_mode": "voice",
        "voice_url": line.voice_url,
    }


def _number_filter(wanted: str | None) -> re.Pattern[str]:
    """The `PhoneNumber` filter: "partial numbers", with '*' as a wildcard for any digit."""
    if not wanted:
        return re.compile("")
    return re.compile(re.escape(wanted).replace(r"\*", r"\d"))


@numbers.get("/IncomingPhoneNumbers.json")
def list_numbers(account_sid: str):
    """Read the account's numbers, filtered as documented; one page, as Twilio pages them."""
    sim = simulator()
    pattern = _number_filter(request.args.get("PhoneNumber"))
    found = [
        number_json(account_sid, line)
        for line in sorted(sim.lines.values(), key=lambda line: line.number)
        if pattern.search(line.number)
    ]
    uri = f"/{API_VERSION}/Accounts/{account_sid}/IncomingPhoneNumbers.json"
    return jsonify(
        {
            "incoming_phone_numbers": found[:PAGE_SIZE],
            "first_page_uri": f"{uri}?PageSize={PAGE_SIZE}&Page=0",
            "next_page_uri": None,
            "previous_page_uri": None,
            "page": 0,
            "page_size": PAGE_SIZE,
            "start": 0,
            "end": max(len(found[:PAGE_SIZE]) - 1, 0),
            "uri": uri,
        }
    )


def _moment(name: str) -> float | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not MONITOR_DATE.match(value):
        raise TwilioError(400, 20001, f"Invalid {name}: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    layout = "%Y-%m-%dT%H:%M:%SZ" if "T" in value else "%Y-%m-%d"
    return datetime.strptime(value, layout).replace(tzinfo=UTC).timestamp()


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert_json(account_sid: str, alert: Alert) -> dict:
    """One alert as the list gives it: without the request and response bodies."""
    sid = _sid("NO", alert.resource_sid, alert.code, alert.url, alert.at)
    return {
        "account_sid": account_sid,
        "alert_text": urlencode({"ErrorCode": alert.code, "url": alert.url}),
        "api_version": API_VERSION,
        "date_created": _iso(alert.at),
        "date_generated": _iso(alert.at),
        "date_updated": _iso(alert.at),
        "error_code": str(alert.code),
        "log_level": "error",
        "more_info": f"https://www.twilio.com/docs/errors/{alert.code}",
        "request_method": "POST",
        "request_url": alert.url,
        "resource_sid": alert.resource_sid,
        "service_sid": None,
        "sid": sid,
        "url": f"https://monitor.twilio.com/v1/Alerts/{sid}",
    }


@monitor.get("/Alerts")
def list_alerts():
    """Read the debugger's alerts, newest first, between StartDate and EndDate."""
    sim = simulator()
    start, end = _moment("StartDate"), _moment("EndDate")
    level = request.args.get("LogLevel")
    alerts = [
        alert_json(sim.account_sid, alert)
        for alert in reversed(sim.webhooks.alerts)
        if (start is None or alert.at >= start)
        and (end is None or alert.at <= end)
        and level in (None, "error")
    ]
    url = "https://monitor.twilio.com/v1/Alerts"
    return jsonify(
        {
            "alerts": alerts[:PAGE_SIZE],
            "meta": {
                "first_page_url": f"{url}?PageSize={PAGE_SIZE}&Page=0",
                "key": "alerts",
                "next_page_url": None,
                "page": 0,
                "page_size": PAGE_SIZE,
                "previous_page_url": None,
                "url": f"{url}?PageSize={PAGE_SIZE}&Page=0",
            },
        }
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(numbers)
    app.register_blueprint(monitor)
