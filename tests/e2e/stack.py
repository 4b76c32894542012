"""The whole line as production runs it, with the Twilio simulator standing in for Twilio.

`running_stack` starts, against a Redis server (or `SentinelRedis`: a primary, a replica and
three Sentinels, for high availability) and a migrated-by-`warmline db upgrade`
PostgreSQL database it is given: gunicorn serving the app as the Procfile's `web` does,
continuous `warmline worker` processes, a `warmline clock`, and the simulator served from this
process on a manual clock. The end-to-end tests wrap it in fixtures (tests/e2e/conftest.py);
the day-long benchmarks (bench/busy_day.py) use it directly. A `Scenario` is one test's or
one benchmark's own line, crisis number, people and phones on a running stack.

The web and worker processes act on their own time: wait for what they do with a deadline
(`wait_for`), and move the simulator's clock only for what happens on the phones.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import secrets
import shlex
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import psutil
import redis
from rq import Queue
from sqlalchemy import select
from werkzeug.serving import make_server

from config.settings import PRESENCE_GRACE_SECONDS, Settings
from tests.processes import ROOT, environment, warmline_command
from tests.services import free_port, redis_answers, wait_for
from warmline import presence
from warmline.composition import build_runtime
from warmline.embedded import redis_server_binary
from warmline.lines import add_line
from warmline.live import LiveLine
from warmline.models import Contact, Line, utcnow
from warmline.people import add_user
from warmline.roster import add_shift
from warmline.runtime import Runtime
from warmline.simulator import ManualClock, Phone, Simulator, create_simulator, simulator_of

PROCFILE = dict(
    entry.split(": ", 1) for entry in (ROOT / "Procfile").read_text().splitlines() if entry
)
WORKERS = 2
STARTUP_SECONDS = 90
# How long the simulator's clock may run before a scenario gives up on a phone event.
SIMULATED_LIMIT_SECONDS = 600
_numbers = itertools.count()


def fresh_number() -> str:
    """Return a phone number no other scenario in this run has used."""
    return f"+1415555{1000 + next(_numbers):04d}"


def _health(base_url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}
    except OSError:
        return 0, {}


# Processes.


class Processes:
    """The stack's real processes, each logging to its own file.

    `running` holds the processes meant to be up; one that exits on its own is a failure.
    """

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory = directory
        self.env = env
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self._commands: dict[str, list[str]] = {}
        self._names = itertools.count(1)

    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        with open(self.directory / f"{name}.log", "ab") as sink:
            process = subprocess.Popen(
                args, cwd=ROOT, env=self.env, stdout=sink, stderr=subprocess.STDOUT
            )
        self.running[name] = process
        self._commands[name] = args
        return process

    def start_worker(self) -> subprocess.Popen[bytes]:
        return self.start(f"worker-{next(self._names)}", [*warmline_command(), "worker"])

    def restart_queue_processes(self, workers: int) -> None:
        """Replace the workers and the clock, as a supervisor does after Redis comes back.

        An RQ worker that lived through the outage may have exited or lost its registration
        with the restarted (empty) Redis; fresh processes leave the next scenario no doubt.
        """
        for name, process in list(self.running.items()):
            if name.startswith("worker-") or name == "clock":
                # A worker retrying its lost Redis may not heed SIGTERM in time: `end` then kills
                # it, which takes it off `running` already.
                self.end(process)
                self.running.pop(name, None)
        for _ in range(workers):
            self.start_worker()
        self.start("clock", self._commands["clock"])

    def worker_pids(self) -> dict[str, int]:
        """Return the pid of every worker process that is up, by name."""
        return {
            name: process.pid
            for name, process in self.running.items()
            if name.startswith("worker-") and process.poll() is None
        }

    def end(self, process: subprocess.Popen[bytes]) -> None:
        """Stop one process: politely, then for certain."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill(process.pid)

    def sender(self, port: int) -> int:
        """Return the pid of the stack process whose family has a local TCP socket on `port`."""
        for connection in psutil.net_connections(kind="tcp"):
            if connection.laddr and connection.laddr.port == port and connection.pid:
                process = psutil.Process(connection.pid)
                ours = {p.pid for p in self.running.values()}
                for candidate in [process, *process.parents()]:
                    if candidate.pid in ours:
                        return candidate.pid
        raise LookupError(f"no stack process has a connection from port {port}")

    def kill(self, pid: int) -> None:
        """SIGKILL a process and everything it forked (an RQ work horse, its scheduler)."""
        try:
            root = psutil.Process(pid)
            family = [*root.children(recursive=True), root]
        except psutil.NoSuchProcess:
            return
        for process in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.send_signal(signal.SIGKILL)
        psutil.wait_procs(family, timeout=10)
        for name, process in list(self.running.items()):
            if process.pid == pid:
                process.wait(timeout=10)
                del self.running[name]

    def stop(self) -> None:
        """Ask every process to stop, then make sure it has.

        gunicorn is stopped at once (SIGQUIT): gracefully it would wait for each event stream
        a test closed to notice, at its next heartbeat.
        """
        for name, process in self.running.items():
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if name == "web" else signal.SIGTERM)
        # `end` may kill a process that does not stop, which takes it off `running`.
        for process in list(self.running.values()):
            self.end(process)

    def logs(self, lines: int = 60) -> str:
        """Return the end of every process's log."""
        parts = []
        for log in sorted(self.directory.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()
            parts.append(f"--- {log.stem} ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)


# The simulator over HTTP.


class RingGate:
    """Hold the REST request that rings one number, as if the worker sending it froze.

    Wraps the simulator's WSGI app. The held request is answered with a 503 once released,
    without reaching the simulator: the phone never rang.
    """

    def __init__(self, app) -> None:
        self.app = app
        self._number: str | None = None
        self.held = threading.Event()
        self.released = threading.Event()
        # The sending side's port of the held request: it names the process that sent it.
        self.held_port: int | None = None

    def hold(self, number: str) -> None:
        self.held.clear()
        self.released.clear()
        self._number = number

    def release(self) -> None:
        self._number = None
        self.released.set()

    def __call__(self, environ, start_response):
        if self._number is not None and environ["PATH_INFO"].endswith("/Calls.json"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            if parse_qs(body.decode()).get("To") == [self._number]:
                self._number = None
                self.held_port = int(environ["REMOTE_PORT"])
                self.held.set()
                self.released.wait(timeout=120)
                start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "text/plain")])
                return [b"held by the test"]
        return self.app(environ, start_response)


class _Server:
    """A threaded WSGI server on a free local port."""

    def __init__(self, app) -> None:
        self._http = make_server("127.0.0.1", 0, app, threaded=True)
        self._thread = threading.Thread(
            target=self._http.serve_forever, args=(0.05,), name="e2e-simulator", daemon=True
        )
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=10)


# Redis.


class RedisServer:
    """A private redis-server on a unix socket, which a scenario may stop and start again.

    With `appendonly`, it persists as the README says to run Redis in production: an
    append-only file (fsync every second, Redis's default) read back when it starts again.
    """

    def __init__(self, directory: Path, *, appendonly: bool = False) -> None:
        self.directory = directory
        self.url = f"unix://{directory / 'redis.sock'}"
        self.appendonly = appendonly
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or str(redis_server_binary())
        self._process = subprocess.Popen(
            [
                binary,
                "--port",
                "0",
                "--unixsocket",
                str(self.directory / "redis.sock"),
                "--save",
                "",
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: redis_answers(self.url), timeout=20, what="the e2e Redis server")

    def stop(self) -> None:
        """Shut the server down as a crash would look to its clients: it is simply gone."""
        if self._process is None or self._process.poll() is not None:
            return
        client = redis.Redis.from_url(self.url)
        with contextlib.suppress(redis.ConnectionError):
            client.shutdown(nosave=True)
        client.close()
        self._process.wait(timeout=20)

    def crash(self) -> None:
        """SIGKILL the server, as a host losing power would: what it had not written is lost."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.kill()
        self._process.wait(timeout=20)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None


class SentinelRedis:
    """A primary, its replica and three Sentinels watching them, each its own redis-server.

    `url` is the `redis+sentinel://` URL the line runs on. `kill_primary` SIGKILLs the
    primary; the Sentinels then agree it is down (after `DOWN_AFTER_MS`) and promote the
    replica, which `promoted` reports.
    """

    SERVICE = "warmline"
    DOWN_AFTER_MS = 1000
    SENTINELS = 3

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ports = {"primary": free_port(), "replica": free_port()}
        self.sentinel_ports = [free_port() for _ in range(self.SENTINELS)]
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        self.url = f"redis+sentinel://{hosts}/{self.SERVICE}/0"
        self._processes: dict[str, subprocess.Popen[bytes]] = {}

    def _server(self, name: str, *args: str) -> None:
        binary = shutil.which("redis-server") or str(redis_server_binary())
        folder = self.directory / name
        folder.mkdir(exist_ok=True)
        with open(folder / "log", "ab") as sink:
            self._processes[name] = subprocess.Popen(
                [binary, *args], cwd=folder, stdout=sink, stderr=subprocess.STDOUT
            )

    def _data_server(self, name: str, *args: str) -> None:
        port = str(self.ports[name])
        self._server(name, "--port", port, "--save", "", "--appendonly", "no", *args)
        wait_for(lambda: redis_answers(f"redis://127.0.0.1:{port}"), timeout=20, what=f"the {name}")

    def start(self) -> None:
        primary = self.ports["primary"]
        self._data_server("primary")
        self._data_server("replica", "--replicaof", "127.0.0.1", str(primary))
        replica = redis.Redis(port=self.ports["replica"])
        wait_for(
            lambda: replica.info("replication").get("master_link_status") == "up",
            timeout=20,
            what="the replica to sync",
        )
        replica.close()
        for number, port in enumerate(self.sentinel_ports):
            name = f"sentinel-{number}"
            (self.directory / name).mkdir(exist_ok=True)
            config = self.directory / name / "sentinel.conf"
            config.write_text(
                f"port {port}\n"
                f"sentinel monitor {self.SERVICE} 127.0.0.1 {primary} 2\n"
                f"sentinel down-after-milliseconds {self.SERVICE} {self.DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {self.SERVICE} 10000\n"
                f"sentinel parallel-syncs {self.SERVICE} 1\n"
            )
            self._server(name, str(config), "--sentinel")

        def watching() -> bool:
            for port in self.sentinel_ports:
                try:
                    with redis.Redis(port=port, socket_timeout=1) as sentinel:
                        master = sentinel.sentinel_master(self.SERVICE)
                except (redis.ConnectionError, redis.ResponseError):
                    return False
                others = int(master.get("num-other-sentinels", 0))
                if others < self.SENTINELS - 1 or int(master.get("num-slaves", 0)) < 1:
                    return False
            return True

        wait_for(watching, timeout=30, what="three Sentinels watching the primary and replica")

    def primary_port(self) -> int | None:
        """The port the Sentinels now name as the primary's (None if they cannot agree)."""
        with redis.Redis(port=self.sentinel_ports[0], socket_timeout=1) as sentinel:
            found = sentinel.sentinel_get_master_addr_by_name(self.SERVICE)
        return int(found[1]) if found else None

    def kill_primary(self) -> None:
        process = self._processes["primary"]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def promoted(self) -> bool:
        """Whether the replica is the primary now, as Sentinel and the replica itself say."""
        if self.primary_port() != self.ports["replica"]:
            return False
        with redis.Redis(port=self.ports["replica"], socket_timeout=1) as replica:
            return replica.info("replication").get("role") == "master"

    @property
    def running(self) -> bool:
        return all(process.poll() is None for process in self._processes.values())

    def stop(self) -> None:
        for process in self._processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self._processes.values():
            process.wait(timeout=20)


def holding(sim: Simulator, phone: Phone) -> bool:
    """Whether the phone's call waits in one of the simulator's (Twilio's) queues."""
    with sim.lock:
        return any(
            member.call.device_number == phone.number
            for queue in sim.queues.values()
            for member in queue.members
        )


# The stack.


@dataclass
class Stack:
    """Everything a scenario drives, and this process's own connections to the same stores."""

    settings: Settings
    services: Runtime
    sim: Simulator
    clock: ManualClock
    gate: RingGate
    processes: Processes
    redis: RedisServer | SentinelRedis
    workers: int

    def wait_until_ready(self) -> None:
        """Wait for the web processes to answer health checks with every worker attached."""

        def ready() -> bool:
            crashed = [n for n, p in self.processes.running.items() if p.poll() is not None]
            assert not crashed, f"{crashed} exited\n{self.processes.logs()}"
            status, body = _health(self.settings.public_url)
            return status == 200 and body.get("workers", 0) >= self.workers

        wait_for(ready, timeout=STARTUP_SECONDS, what="gunicorn, workers and clock to be ready")

    def recover(self) -> None:
        """Bring Redis back, with fresh workers and clock."""
        if not self.redis.running:
            self.redis.start()
        self.processes.restart_queue_processes(self.workers)
        self.wait_until_ready()

    def advance_until(self, condition: Callable[[], bool], *, what: str) -> None:
        """Move the simulator's clock a second at a time until `condition` holds.

        Webhooks the simulator sends on the way are answered before `advance` returns, so
        this is for what happens on the phones; wait for the workers with `wait_for`. Work
        the simulator left for right after a request (a call a worker placed, about to ring)
        runs before each second: a clock that moved on first would leave it waiting for good.
        """
        for _ in range(SIMULATED_LIMIT_SECONDS):
            if condition():
                return
            wait_for(self.sim.idle, timeout=10, what="the simulator's work after a request")
            self.clock.advance(1)
        if not condition():
            raise AssertionError(f"{what}: not within {SIMULATED_LIMIT_SECONDS} simulated seconds")


@contextmanager
def running_stack(
    directory: Path,
    *,
    database_url: str,
    redis_server: RedisServer | SentinelRedis,
    account_sid: str,
    auth_token: str,
    workers: int = WORKERS,
    web_concurrency: int = 2,
    presence_grace_seconds: int = PRESENCE_GRACE_SECONDS,
    timers: Mapping[str, int] | None = None,
) -> Iterator[Stack]:
    """Start web, workers and clock against the simulator; stop them all afterwards.

    The processes log into `directory`/logs and keep their instance folder beside it.
    `timers` overrides the app's process-level timers (config/settings.py, TIMERS).
    """
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    clock = ManualClock()
    simulator_app = create_simulator(
        webhook_base_url=public_url, account_sid=account_sid, auth_token=auth_token, clock=clock
    )
    sim = simulator_of(simulator_app)
    gate = RingGate(simulator_app)
    server = _Server(gate)
    settings = Settings(
        database_url=database_url,
        redis_url=redis_server.url,
        public_url=public_url,
        secret_key=secrets.token_urlsafe(32),
        caller_key=secrets.token_urlsafe(32),
        twilio_account_sid=account_sid,
        twilio_auth_token=auth_token,
        twilio_api_base_url=server.url,
        instance_path=directory / "instance",
        port=port,
        web_concurrency=web_concurrency,
        presence_grace_seconds=presence_grace_seconds,
        **(timers or {}),
    )
    env = environment(**settings.to_environ())
    logs = directory / "logs"
    logs.mkdir()
    processes = Processes(logs, env)
    services = build_runtime(settings)
    try:
        release = subprocess.run(
            shlex.split(PROCFILE["release"]),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS,
        )
        if release.returncode != 0:
            raise RuntimeError(f"the release command failed:\n{release.stderr}")
        processes.start("web", shlex.split(PROCFILE["web"]))
        for _ in range(workers):
            processes.start_worker()
        processes.start("clock", shlex.split(PROCFILE["clock"]))
        stack = Stack(settings, services, sim, clock, gate, processes, redis_server, workers)
        stack.wait_until_ready()
        yield stack
    finally:
        gate.release()
        processes.stop()
        server.close()
        sim.close()
        services.engine.dispose()
        services.redis.close()


# One scenario.


PASSWORD = "a long enough password"


@dataclass(frozen=True)
class Specialist:
    id: int
    name: str
    email: str
    phone: Phone


class Scenario:
    """One scenario's own line, people and phones, on the module's stack."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.sim = stack.sim
        self._errors_before = len(stack.sim.errors)

    def phone(self) -> Phone:
        """A simulated phone with a number nobody has used yet."""
        return self.sim.phone(fresh_number())

    def line(self, **fields) -> Line:
        """Add a line on a fresh Twilio number, with a crisis line of its own to ring."""
        fields.setdefault("name", "Riverside Warm Line")
        fields.setdefault("crisis_number", fresh_number())
        with self.stack.services.sessions() as session:
            line = add_line(session, twilio_number=f"+1501712{next(_numbers):04d}", **fields)
            session.commit()
        self.sim.line(line.twilio_number)
        return line

    def specialist(self, line: Line, name: str, *, on_shift: bool = True, **fields) -> Specialist:
        """Add a specialist rostered on `line` now, with a phone; start the shift by default."""
        phone = self.phone()
        with self.stack.services.sessions() as session:
            user = add_user(
                session,
                email=f"{name.lower()}.{secrets.token_hex(4)}@example.org",
                display_name=name,
                password=PASSWORD,
                phone=phone.number,
                **fields,
            )
            now = utcnow()
            add_shift(
                session,
                line=line,
                user=user,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=3),
            )
            session.commit()
            specialist = Specialist(user.id, name, user.email, phone)
        if on_shift:
            self.start_shift(line, specialist)
        return specialist

    def start_shift(self, line: Line, specialist: Specialist) -> None:
        """Have the specialist start their shift, as the dashboard does."""
        services = self.stack.services
        with services.sessions() as session:
            presence.start_shift(
                session,
                services.redis,
                services.jobs,
                line_id=line.id,
                specialist_id=specialist.id,
                at=utcnow(),
            )

    def live(self, line: Line) -> LiveLine:
        return LiveLine(self.stack.services.redis, line.id)

    def contacts(self, line: Line) -> list[Contact]:
        """The line's contacts as the database has them now, oldest first."""
        with self.stack.services.sessions() as session:
            return list(
                session.scalars(
                    select(Contact).where(Contact.line_id == line.id).order_by(Contact.id)
                )
            )

    def contact(self, line: Line) -> Contact:
        """The line's only contact, as the database has it now."""
        [contact] = self.contacts(line)
        return contact

    def holding(self, phone: Phone) -> bool:
        """Whether the phone's call waits in one of the simulator's (Twilio's) queues."""
        return holding(self.sim, phone)

    def calls_done(self) -> bool:
        """Whether the workers have run every calls-queue job asked for so far (or one is
        between the queue and RQ's started registry: a test waits on it only to give a wrong
        move the time to happen)."""
        queue = Queue("calls", connection=self.stack.services.redis)
        return queue.count == 0 and queue.started_job_registry.count == 0

    def errors(self) -> list[tuple[str, int, str]]:
        """Errors the simulator recorded (Twilio's debugger) since the scenario began."""
        return self.sim.errors[self._errors_before :]

    def advance_until(self, condition: Callable[[], bool], *, what: str) -> None:
        self.stack.advance_until(condition, what=what)

    def wait_until_rung(self, *phones: Phone, what: str) -> Phone:
        """Wait for a worker to place a call to one of `phones`, then run the simulated clock
        until it rings (the account places one API call a second: it may wait its turn).
        Return the phone that rings."""
        wait_for(
            lambda: any(not call.ended for phone in phones for call in phone.calls),
            timeout=30,
            what=what,
        )
        self.advance_until(
            lambda: any(phone.ringing for phone in phones), what=f"{what}: the phone rings"
        )
        return next(phone for phone in phones if phone.ringing)
