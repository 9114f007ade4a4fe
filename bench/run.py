"""One bench run: its own PostgreSQL, Redis and SMTP sink; the data; the product and the
baseline under gunicorn, side by side; wrk against both, scenario by scenario; the
in-process scenarios (SLA sweep, mail); RESULTS.md. Everything started is stopped at the end,
on failure and on Ctrl-C too.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from bench import articles, browser, exports, generate, incidents, people, report
from bench.day import Day, Services
from bench.day import scenario as day_scenario
from bench.generate import Loaded
from bench.scenarios import (
    BASELINE_ROLE,
    BIN,
    DATABASE,
    FILING,
    PRODUCT_ROLE,
    ROOT,
    Measure,
    Scenario,
    build_scenarios,
    flask,
    log,
    mail_scenario,
    probe,
    run_web,
    sla_scenario,
)
from bench.services import (
    PostgresCluster,
    RedisServer,
    SmtpSink,
    children,
    free_port,
    memory_of,
    stop_process,
)
from bench.services import wait_for_port as wait_port

# Variables of the product's environment that the bench sets itself (never inherited: the
# machine's shared PostgreSQL and Redis stay untouched).
OWN_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "TEST_DATABASE_URL",
    "TEST_REDIS_URL",
    "UPLOAD_FOLDER",
    "RATELIMIT_STORAGE_URI",
)


# What `--scenario` picks from: the web scenarios, then those run inside the product.
SCENARIOS = (
    *(s.name for s in build_scenarios(Loaded(tickets=0))),
    "export",
    "sla",
    "mail",
    "incident",
    "day",
)


@dataclass
class Options:
    tickets: int
    duration: float = 10.0
    warmup: float = 2.0
    out: Path = ROOT / "bench" / "RESULTS.md"
    keep: bool = False
    data_dir: Path | None = None
    workers: int = 2 * (os.cpu_count() or 1)
    threads: int = 2
    connections: int = 8
    mail: int = 1000
    sla_due: int = 1000
    incident_tickets: int = incidents.INCIDENT_TICKETS
    api_tokens: int = 32
    profile: bool = True
    scenarios: tuple[str, ...] = ()  # empty: all of SCENARIOS
    day: Day = field(default_factory=Day)


def product_env(
    folder: Path, cluster: PostgresCluster, redis: RedisServer, smtp: SmtpSink, port: int
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in OWN_VARIABLES and not k.startswith(("MAIL_", "HELPDESK_"))
    }
    env.update(
        DATABASE_URL=cluster.url(PRODUCT_ROLE, DATABASE),
        REDIS_URL=redis.url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        SECRET_KEY="bench-" + secrets.token_hex(16),
        HELPDESK_INSTANCE_PATH=str(folder / "instance"),
        HELPDESK_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_database(cluster: PostgresCluster, env: dict, options: Options) -> generate.Loaded:
    """Roles, database, extensions, the product's migrations and seed, then the generator."""
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {PRODUCT_ROLE} LOGIN")
        conn.execute(f"CREATE ROLE {BASELINE_ROLE} LOGIN")
        conn.execute(f"CREATE DATABASE {DATABASE} OWNER {PRODUCT_ROLE}")
    with psycopg.connect(cluster.url(database=DATABASE), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # the search migration wants it
    started = time.monotonic()
    flask(env, "db", "upgrade")
    flask(env, "seed")
    migrate_seconds = time.monotonic() - started
    log(f"migrated and seeded in {migrate_seconds:.1f} s; generating {options.tickets:,} tickets")
    loaded = generate.generate(cluster.url(database=DATABASE), options.tickets, log=log)
    loaded.timings = {"migrations and seed": migrate_seconds, **loaded.timings}
    declare_incidents(env, loaded)
    with psycopg.connect(cluster.url(database=DATABASE), autocommit=True) as conn:
        conn.execute(
            f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {BASELINE_ROLE}"
        )
        conn.execute(
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {BASELINE_ROLE}"
        )
    return loaded


def declare_incidents(env: dict, loaded: generate.Loaded) -> None:
    """The data's open incidents (bench/incidents.py), through the product's service; a
    database that holds incidents already is left as it is."""
    declared = probe(env, "incidents")
    if not declared.get("reused"):
        log(f"declared {declared['incidents']} open incidents, {declared['attached']} tickets")
        loaded.counts["open incidents"] = declared["incidents"]
        loaded.counts["tickets attached to them"] = declared["attached"]
        total = loaded.timings.pop("total", None)
        loaded.timings["open incidents declared"] = declared["seconds"]
        if total is not None:
            loaded.timings["total"] = total + declared["seconds"]


def gunicorn(app: str, port: int, env: dict, options: Options, log_file: Path) -> subprocess.Popen:
    """Start one app under gunicorn (its own session); its log and the app's stderr to a file."""
    with log_file.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.workers),
                "--worker-class",
                "sync",
                "--backlog",
                "2048",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                app,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=log,
            stderr=log,
        )


def worker_memory(master: subprocess.Popen) -> list[dict]:
    """Peak (VmHWM) and current (VmRSS) memory of each gunicorn worker, in MB."""
    return [found for pid in children(master.pid) if (found := memory_of(pid))["peak_mb"]]


def load(
    options: Options, stack: ExitStack, folder: Path, cluster: PostgresCluster, env: dict
) -> generate.Loaded:
    """The loaded database: reused from --data-dir when it holds the same N, else made."""
    marker = folder / "loaded.json"
    if cluster.exists and marker.exists():
        loaded = generate.Loaded(**json.loads(marker.read_text()))
        if loaded.tickets == options.tickets:
            cluster.start()
            stack.callback(cluster.stop)
            log(f"reusing the database of {folder} ({loaded.tickets:,} tickets); migrating")
            flask(env, "db", "upgrade")  # the code may have moved on since the load
            articles.load(cluster.url(database=DATABASE))  # a load older than the articles
            declare_incidents(env, loaded)  # or than the incidents
            with psycopg.connect(cluster.url(database=DATABASE), autocommit=True) as conn:
                conn.execute("VACUUM (ANALYZE)")  # as after a load: earlier runs wrote rows
            loaded.counts["reused"] = 1
            return loaded
        raise SystemExit(f"{folder} holds {loaded.tickets} tickets, not {options.tickets}")
    cluster.init()
    cluster.start()
    stack.callback(cluster.stop)
    loaded = prepare_database(cluster, env, options)
    marker.write_text(json.dumps(asdict(loaded)))
    return loaded


def run(options: Options) -> Path:
    """The whole run; returns the path of the RESULTS.md it wrote."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    own_folder = options.data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-bench-")) if own_folder else options.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    with ExitStack() as stack:
        if own_folder and not options.keep:
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        stack.callback(signal.signal, signal.SIGTERM, previous)
        cluster = PostgresCluster(folder)
        redis = RedisServer(folder / "redis")
        smtp = SmtpSink()
        product_port, baseline_port = free_port(), free_port()
        env = product_env(folder, cluster, redis, smtp, product_port)
        log(f"bench folder {folder}; PostgreSQL on port {cluster.port}")
        loaded = load(options, stack, folder, cluster, env)
        redis.start()
        stack.callback(redis.stop)
        smtp.start()
        stack.callback(smtp.stop)
        admin_url = cluster.url(database=DATABASE)
        baseline_env = {**env, "BASELINE_DATABASE_URL": cluster.url(BASELINE_ROLE, DATABASE)}
        log("starting the product and the baseline under gunicorn")
        product = gunicorn("wsgi:app", product_port, env, options, folder / "product.log")
        stack.callback(stop_process, product)
        baseline = gunicorn(
            "bench.baseline:create_app()",
            baseline_port,
            baseline_env,
            options,
            folder / "baseline.log",
        )
        stack.callback(stop_process, baseline)
        selected = set(options.scenarios or SCENARIOS)
        scenarios = [s for s in build_scenarios(loaded) if s.name in selected]
        routes = [[s.product.method, s.product.path] for s in scenarios]
        ports = {"product": (product_port, product), "baseline": (baseline_port, baseline)}
        ctx = session_context(options, env, admin_url, loaded, folder, ports, routes)
        exists = ctx["routes"]
        measure = Measure(cluster.url(database=DATABASE))
        stack.callback(measure.close)
        bases = {
            "product": f"http://127.0.0.1:{product_port}",
            "baseline": f"http://127.0.0.1:{baseline_port}",
        }
        for scenario, present in zip(scenarios, exists, strict=True):
            for app in ("baseline", "product"):
                request = scenario.product if app == "product" else scenario.baseline
                if request is None:
                    continue
                if app == "product" and not present:
                    scenario.results[app] = {
                        "missing": f"no route for {request.method} {request.path} in the product"
                    }
                    continue
                log(f"{scenario.name}: {app} {request.method} {request.path}")
                try:
                    scenario.results[app] = run_web(
                        scenario,
                        app,
                        bases[app],
                        request,
                        ctx=ctx,
                        options=options,
                        measure=measure,
                    )
                except (RuntimeError, subprocess.SubprocessError) as error:
                    scenario.results[app] = {"error": str(error)[:500]}
        memory = {"product": worker_memory(product), "baseline": worker_memory(baseline)}
        extra: dict[str, dict] = {}
        if "export" in selected:
            log("issue list: the full XLSX export, the web worker's memory while it streams")
            extra["export"] = guarded(
                lambda: exports.scenario(
                    bases["product"],
                    ctx["headers"]["observer"].get("Cookie", ""),
                    product.pid,
                    folder,
                )
            )
        if "sla" in selected:
            log(f"SLA sweep with {options.sla_due} tickets due")
            extra["sla"] = guarded(lambda: sla_scenario(admin_url, env, options.sla_due))
        if "mail" in selected:
            log(f"mail: {options.mail} messages through one worker")
            extra["mail"] = guarded(
                lambda: mail_scenario(
                    admin_url, env, redis, smtp, options.mail, ctx["run_tag"], loaded.showcase
                )
            )
        if "incident" in selected:
            log(f"incident update: {options.incident_tickets} tickets, one update, one worker")
            extra["incident"] = guarded(
                lambda: incidents.scenario(
                    admin_url,
                    env,
                    (redis, smtp),
                    options.incident_tickets,
                    folder,
                    bases["product"],
                    loaded.accounts["admin"],
                )
            )
        if "day" in selected:
            log("the national day")
            extra["day"] = guarded(
                lambda: day_scenario(
                    options.day,
                    Services(admin_url, env, redis, smtp, bases["product"], product, folder),
                )
            )
        results = {
            "tickets": options.tickets,
            "options": {k: str(v) for k, v in asdict(options).items()},
            "loaded": asdict(loaded),
            "scenarios": [
                {"name": s.name, "title": s.title, "single": s.single, **s.results}
                for s in scenarios
            ],
            **extra,
            "memory": memory,
            "selected": list(options.scenarios),
            "environment": report.environment(cluster, redis),
            "run_seconds": time.monotonic() - started,
        }
        if options.profile:
            results["profiles"] = profiles(results, scenarios, ctx, env)
            if "sla" in selected and report.missed(results, "sla"):
                log("profiling the SLA sweep")
                again = guarded(lambda: sla_scenario(admin_url, env, options.sla_due, profile=True))
                results["profiles"]["sla"] = (
                    f"{again.get('chosen')} tickets made due again, then one sweep\n"
                    + again["profile"]
                    if "profile" in again
                    else f"(profile failed: {again})"
                )
        path = report.write(options.out, results)
        log(f"wrote {path}")
        if options.keep:
            log(f"kept {folder} (reuse it with --data-dir {folder})")
    return path


def interrupted(signum, frame) -> None:  # noqa: ARG001
    """SIGTERM stops the run like Ctrl-C: the ExitStack stops what was started."""
    raise KeyboardInterrupt


def guarded(work) -> dict:
    try:
        return work()
    except (RuntimeError, subprocess.SubprocessError, psycopg.Error) as error:
        return {"error": str(error)[:1000]}


def session_context(
    options: Options,
    env: dict,
    admin_url: str,
    loaded: generate.Loaded,
    folder: Path,
    ports: dict[str, tuple[int, subprocess.Popen]],
    routes: list[list[str]],
) -> dict:
    """Which of the scenarios' routes the product has; API tokens for several requesters (one
    by `flask token create`); then, once both apps answer, logins as the generated agent,
    requester and observer through the real login page, and the filing form's CSRF token.

    The product's commands start while gunicorn boots: they are independent processes.
    """
    headers: dict[str, dict[str, str]] = {"none": {}, "api": {}}
    ctx: dict = {
        "folder": folder,
        "run_tag": "b" + secrets.token_hex(4),
        "csrf": "",
        "headers": headers,
        "queue_id": loaded.agent_queue_id,
    }
    with psycopg.connect(admin_url) as conn:
        ctx["requester_id"] = conn.execute(
            "SELECT id FROM users WHERE cccd = %s", (loaded.accounts["requester"].split("@")[0],)
        ).fetchone()[0]
        others = [
            f"{cccd}@{people.DOMAIN}"
            for (cccd,) in conn.execute(
                "SELECT cccd FROM users WHERE role = 'requester' AND id <> %s ORDER BY id LIMIT %s",
                (ctx["requester_id"], max(0, options.api_tokens - 1)),
            )
        ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        setup = pool.submit(probe, env, "setup", {"routes": routes, "tokens": others})
        token = pool.submit(flask, env, "token", "create", loaded.accounts["requester"])
        for port, process in ports.values():
            wait_port(port, timeout=120, process=process)
        ctx["routes"] = setup.result()["routes"]
        ctx["tokens"] = setup.result()["tokens"]
        try:
            ctx["tokens"].insert(0, token.result().strip().splitlines()[-1])
        except RuntimeError as error:
            log(f"no API token from `flask token create`: {error}")
    for role in ("agent", "requester", "observer", "admin"):
        session = browser.Browser(f"http://127.0.0.1:{ports['product'][0]}")
        session.login(loaded.accounts[role], people.PASSWORD)
        if role == "requester":
            try:
                ctx["csrf"] = session.csrf_token("/tickets/new")
            except RuntimeError as error:
                log(f"no filing form: {error}")
        headers[role] = {"Cookie": session.cookie}
    return ctx


def profiles(results: dict, scenarios: list[Scenario], ctx: dict, env: dict) -> dict[str, str]:
    """A pyinstrument profile of each web scenario whose target is missed."""
    out = {}
    for scenario in scenarios:
        if not report.missed(results, scenario.name):
            continue
        request = scenario.product
        headers = dict(ctx["headers"].get(request.who, {}))
        body = None
        if request.body == "form":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode({**FILING, "csrf_token": ctx["csrf"]}) + "&submission_key=BENCHKEY"
        elif request.body == "json":
            headers["Content-Type"] = "application/json"
            body = json.dumps({**FILING, "priority": 3, "submission_key": "BENCHKEY"})
            if ctx["tokens"]:
                headers["Authorization"] = f"Bearer {ctx['tokens'][-1]}"
        log(f"profiling {scenario.name}")
        try:
            out[scenario.name] = probe(
                env,
                "profile",
                {"method": request.method, "path": request.path, "headers": headers, "body": body},
            )
        except (RuntimeError, subprocess.SubprocessError) as error:
            out[scenario.name] = f"(profile failed: {error})"
    return out
