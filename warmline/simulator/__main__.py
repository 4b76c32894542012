"""Run the simulator on its own: `python -m warmline.simulator --webhook-url http://...`."""

from __future__ import annotations

import argparse
import signal
import threading

from werkzeug.serving import make_server

from config.settings import SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN
from warmline.simulator import RealClock, create_simulator, page, simulator_of


def _named_phone(value: str) -> tuple[str, str]:
    number, _, name = value.partition("=")
    if not number.startswith("+") or not name:
        raise argparse.ArgumentTypeError("give a phone as +14155550123=Name")
    return number, name


def main(argv: list[str] | None = None) -> None:
    """Serve the REST API and the /simulator page on a real clock until a signal."""
    parser = argparse.ArgumentParser(prog="python -m warmline.simulator")
    parser.add_argument("--webhook-url", required=True, help="the warmline app's public URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--account-sid", default=SIMULATOR_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=SIMULATOR_AUTH_TOKEN)
    parser.add_argument("--line", action="append", default=[], help="a line number to list")
    parser.add_argument(
        "--phone",
        action="append",
        default=[],
        type=_named_phone,
        metavar="NUMBER=NAME",
        help="a phone to show from the start, labelled with whose it is",
    )
    args = parser.parse_args(argv)

    clock = RealClock()
    app = create_simulator(
        webhook_base_url=args.webhook_url,
        account_sid=args.account_sid,
        auth_token=args.auth_token,
        clock=clock,
    )
    sim = simulator_of(app)
    page.init_app(app, sim, dict(args.phone))
    for number in args.line:
        sim.line(number)
    server = make_server(args.host, args.port, app, threaded=True)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"simulator: http://{args.host}:{server.server_port}/simulator/", flush=True)
    try:
        stopping.wait()
    finally:
        server.shutdown()
        sim.close()
        clock.stop()


if __name__ == "__main__":
    main()
