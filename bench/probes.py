"""Work the harness does inside the product, in a process of its own with the product's
environment: which routes exist, API tokens, the timed SLA sweep, request profiles, the
data's open incidents (bench/incidents.py).

`python -m bench.probes COMMAND [JSON]` prints one JSON document (a profile: text).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

# The job the cron runs each minute for the SLA.
SWEEPS = (("helpdesk.sla.jobs", "sweep_deadlines"),)
# The commands of bench/incidents.py, and their functions.
INCIDENT_COMMANDS = {"incidents": "declare_open_incidents"}


_APPS: list = []


def product_app():
    """The product's app, made once per probe process."""
    if not _APPS:
        from helpdesk import create_app

        _APPS.append(create_app())
    return _APPS[0]


@contextmanager
def counting(engine):
    """Count the SQL statements sent through the engine inside the block."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def routes(requests: list[list[str]]) -> list[bool]:
    """Whether each [method, path] matches a route of the product (a 404 page is no route)."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    app = product_app()
    adapter = app.url_map.bind("127.0.0.1")
    found = []
    for method, path in requests:
        try:
            adapter.match(path.split("?", 1)[0], method=method)
        except (NotFound, MethodNotAllowed):
            found.append(False)
        else:
            found.append(True)
    return found


def tokens(usernames: list[str]) -> list[str]:
    """One new API token for each account (as `flask token create` makes them)."""
    from helpdesk.auth import services

    app = product_app()
    made = []
    with app.app_context():
        for username in usernames:
            user = services.find_user(username)
            if user is not None:
                made.append(services.create_token(user, name="bench"))
    return made


def setup(options: dict) -> dict:
    """Routes and tokens at once: one process start instead of two."""
    return {"routes": routes(options["routes"]), "tokens": tokens(options["tokens"])}


def find_sweep():
    for module_name, name in SWEEPS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if callable(getattr(module, name, None)):
            return f"{module_name}.{name}", getattr(module, name)
    return None, None


def sla(options: dict) -> dict:
    """Run the minutely SLA sweep until no timer is due; time it and count its statements.
    With {"profile": true}, one sweep under pyinstrument instead: {"profile": its text}."""
    from sqlalchemy import text

    from helpdesk.extensions import db

    app = product_app()
    name, sweep = find_sweep()
    if sweep is None:
        return {"missing": "no SLA sweep function (" + ", ".join(m for m, _ in SWEEPS) + ")"}
    if options.get("profile"):
        from pyinstrument import Profiler

        with app.app_context():
            db.session.execute(text("SELECT 1"))  # the connection is open, as for the timing
            db.session.rollback()
            profiler = Profiler(interval=0.0005)
            profiler.start()
            sweep()
            profiler.stop()
        output = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True)
        return {"profile": output}
    due_sql = text("SELECT count(*) FROM sla_timers WHERE fire_at <= now()")
    with app.app_context():
        due_before = db.session.scalar(due_sql)
        db.session.rollback()
        calls, recorded, seconds, statements = 0, 0, 0.0, 0
        while calls < 20:
            with counting(db.engine) as seen:
                started = time.perf_counter()
                result = sweep()
                seconds += time.perf_counter() - started
            calls += 1
            statements += len(seen)
            recorded += result if isinstance(result, int) else 0
            left = db.session.scalar(due_sql)
            db.session.rollback()
            if not left or not result:
                break
        announced = announce()
    return {
        "function": name,
        "due": due_before,
        "left": left,
        "calls": calls,
        "recorded": recorded,
        "seconds": seconds,
        "statements": statements,
        **announced,
    }


def announce() -> dict:
    """Where the sweep leaves the claims, events and mail of what is due to a job of their own,
    run that job in-process too, timed apart (it is not the minutely sweep's own time)."""
    from helpdesk.extensions import db

    try:
        from helpdesk.sla.jobs import announce_deadlines
    except ImportError:
        return {}
    with counting(db.engine) as seen:
        started = time.perf_counter()
        announced = announce_deadlines()
        seconds = time.perf_counter() - started
    return {
        "announce_function": "helpdesk.sla.jobs.announce_deadlines",
        "announced": announced,
        "announce_seconds": seconds,
        "announce_statements": len(seen),
    }


def profile(options: dict) -> str:
    """Profile one request of a scenario, repeated, in-process (pyinstrument, else cProfile)."""
    app = product_app()
    client = app.test_client()
    # As wrk asks: for the host of the base URL (another Host gets 400 from the product).
    base_url = app.config["HELPDESK_BASE_URL"]
    headers = {name: value for name, value in options.get("headers", {}).items()}
    # Werkzeug's test client sends only the cookies of its own jar: put the session there.
    for pair in headers.pop("Cookie", "").split(";"):
        name, _sep, value = pair.strip().partition("=")
        if name:
            client.set_cookie(name, value, domain=urlsplit(base_url).hostname)
    body = options.get("body")
    method, path = options["method"], options["path"]
    repeat = 1

    def run() -> None:
        for k in range(repeat):
            data = body.replace("BENCHKEY", f"profile{time.time_ns()}{k:06d}") if body else None
            client.open(path, base_url=base_url, method=method, headers=headers, data=data)

    run()  # warm: templates compiled, pools open
    started = time.perf_counter()
    run()
    # about five seconds of requests, 1 to 20 of them
    repeat = max(1, min(20, int(5 / max(time.perf_counter() - started, 0.001))))
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(run)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        return out.getvalue()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    run()
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True)


def main(argv: list[str]) -> int:
    command, argument = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    if command == "routes":
        print(json.dumps(routes(argument)))
    elif command == "tokens":
        print(json.dumps(tokens(argument)))
    elif command == "setup":
        print(json.dumps(setup(argument)))
    elif command == "sla":
        print(json.dumps(sla(argument)))
    elif command == "profile":
        print(profile(argument))
    elif command in INCIDENT_COMMANDS:
        from bench import incidents

        print(json.dumps(getattr(incidents, INCIDENT_COMMANDS[command])(argument)))
    else:
        print(f"unknown probe {command}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
