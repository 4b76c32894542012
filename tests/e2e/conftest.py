"""The end-to-end suite's fixtures over the stack in tests/e2e/stack.py.

Once per module: a throwaway Redis, a fresh PostgreSQL database and the whole line running
on them. Each scenario gets its own line, crisis number, people and phones, so nothing one
scenario leaves behind (a delayed job, a phone's transcript) reaches the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.e2e.stack import RedisServer, Scenario, Stack, running_stack
from tests.e2e.test_texts import Dashboard
from tests.services import fresh_database


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so a failed scenario can show the process logs."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def e2e_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("e2e-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def e2e_database_url(postgres_admin_url: str) -> Iterator[str]:
    with fresh_database(postgres_admin_url, "warmline_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def stack(
    e2e_redis: RedisServer, e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Start web, workers and clock against the simulator; stop them all afterwards."""
    with running_stack(
        tmp_path_factory.mktemp("e2e"),
        database_url=e2e_database_url,
        redis_server=e2e_redis,
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
    ) as running:
        yield running


@pytest.fixture
def redis_outage(stack: Stack) -> Iterator[RedisServer]:
    """The stack's Redis, for a scenario to stop; it and the processes recover afterwards."""
    yield stack.redis
    stack.recover()


@pytest.fixture
def scenario(stack: Stack, request: pytest.FixtureRequest) -> Iterator[Scenario]:
    yield Scenario(stack)
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(stack.processes.logs())


@pytest.fixture
def open_dashboard(stack) -> Iterator[Callable[..., Dashboard]]:
    """Sign a specialist in on a browser of their own (their shift has started)."""
    opened: list[Dashboard] = []

    def open_for(specialist) -> Dashboard:
        dashboard = Dashboard(stack.settings.public_url)
        opened.append(dashboard)
        dashboard.sign_in(specialist.email)
        return dashboard

    yield open_for
    for dashboard in opened:
        dashboard.http.close()
