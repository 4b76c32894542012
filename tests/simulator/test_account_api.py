"""The account's numbers and the debugger's alerts, read with twilio-python."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from twilio.base.exceptions import TwilioException

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.services import serve
from warmline.models import Line
from warmline.simulator import create_simulator, simulator_of
from warmline.twilio_check import Outcome, TwilioCheck, twilio_client

LINE = "+15017122661"
OTHER_LINE = "+15017129999"


@pytest.fixture
def account(settings, clock):
    """The simulator's REST API over HTTP, and a twilio-python client pointed at it."""
    app = create_simulator(
        webhook_base_url="http://127.0.0.1:9",
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        clock=clock,
    )
    with serve(app) as url:
        yield simulator_of(app), twilio_client(replace(settings, twilio_api_base_url=url))
    simulator_of(app).close()


def test_a_number_lists_every_url_twilio_calls_for_it(account):
    """https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource (Read)."""
    sim, client = account
    sim.line(LINE)

    [number] = client.incoming_phone_numbers.list(phone_number=LINE)

    assert number.phone_number == LINE
    assert number.sid.startswith("PN") and len(number.sid) == 34
    assert number.voice_url == "http://127.0.0.1:9/webhooks/voice/incoming"
    assert number.voice_fallback_url == "http://127.0.0.1:9/webhooks/fallback"
    assert number.sms_url == "http://127.0.0.1:9/webhooks/sms/incoming"
    assert number.voice_application_sid == "" and number.sms_application_sid == ""


def test_the_phone_number_filter_takes_partial_numbers_and_a_digit_wildcard(account):
    """PhoneNumber: "You can specify partial numbers and use '*' as a wildcard for any digit"."""
    sim, client = account
    sim.line(LINE)
    sim.line(OTHER_LINE)

    def listed(pattern: str) -> list[str]:
        return [n.phone_number for n in client.incoming_phone_numbers.list(phone_number=pattern)]

    assert listed("2661") == [LINE]
    assert listed("+150171*****") == [LINE, OTHER_LINE]
    assert listed("+1415") == []
    assert listed("") == [LINE, OTHER_LINE]


def test_alerts_are_read_from_a_start_date_newest_first(account):
    """https://www.twilio.com/docs/usage/monitor-alert: StartDate, "on or after", in GMT."""
    sim, client = account
    caller = sim.phone("+14155550123")
    sim.line(LINE)
    caller.dial(LINE)
    assert sim.webhooks.alerts, "the unreachable webhook is an alert"

    alerts = client.monitor.v1.alerts.list(start_date=datetime.now(UTC) - timedelta(minutes=1))
    later = client.monitor.v1.alerts.list(start_date=datetime.now(UTC) + timedelta(minutes=1))

    assert [alert.error_code for alert in alerts][-1] == "11205"
    assert alerts[-1].request_url == "http://127.0.0.1:9/webhooks/voice/incoming"
    assert alerts[-1].more_info == "https://www.twilio.com/docs/errors/11205"
    assert later == []


def test_a_start_date_in_another_format_is_refused(account):
    """StartDate: "format as YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"."""
    client = account[1]
    with pytest.raises(TwilioException) as refused:
        client.monitor.v1.alerts.list(start_date="yesterday")
    # twilio-python reads list pages itself: it raises the page's response, not a RestException.
    assert refused.value.args[1].status_code == 400


def test_the_account_pages_refuse_another_accounts_credentials(account, settings):
    """Every REST request authenticates with HTTP basic auth (error 20003)."""
    client = account[1]
    stranger = twilio_client(
        replace(settings, twilio_auth_token="wrong", twilio_api_base_url=client.api.base_url)
    )
    with pytest.raises(TwilioException) as refused:
        stranger.monitor.v1.alerts.list()
    assert refused.value.args[1].status_code == 401


def test_the_check_says_which_credentials_twilio_refused(account, settings):
    """A 401 on the first read names the two settings to look at, and nothing else."""
    client = account[1]
    wrong = replace(settings, twilio_auth_token="wrong", twilio_api_base_url=client.api.base_url)
    check = TwilioCheck(
        settings=wrong,
        client=twilio_client(wrong),
        sessions=None,
        line=Line(twilio_number=LINE, crisis_number=OTHER_LINE),
        operator=None,
        wait_seconds=1,
        handoff=False,
    )

    finding = check.number_settings()

    assert finding.outcome is Outcome.FAILED
    assert finding.detail == (
        "could not list the account's numbers: "
        "Twilio refused TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (401)"
    )
