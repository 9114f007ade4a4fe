"""`python -m bench --tickets N [--scenario NAME ...] [--duration S] [--out bench/RESULTS.md]
[--keep]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.day import Day
from bench.run import SCENARIOS, Options, run


def parse(argv: list[str]) -> Options:
    defaults = Options(tickets=0)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to generate (N)")
    parser.add_argument(
        "--duration",
        type=float,
        default=defaults.duration,
        help="seconds of load per scenario and app",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=defaults.warmup,
        help="seconds of unmeasured load before each measurement",
    )
    parser.add_argument("--out", type=Path, default=defaults.out, help="the RESULTS.md to write")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the bench folder (cluster stopped) for a later --data-dir",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="bench folder to use and keep; a database loaded there with the "
        "same N is reused (for working on the harness)",
    )
    parser.add_argument(
        "--workers", type=int, default=defaults.workers, help="gunicorn workers of each app"
    )
    parser.add_argument("--threads", type=int, default=defaults.threads, help="wrk threads")
    parser.add_argument(
        "--connections", type=int, default=defaults.connections, help="wrk connections"
    )
    parser.add_argument("--mail", type=int, default=defaults.mail, help="messages to send")
    parser.add_argument(
        "--sla-due", type=int, default=defaults.sla_due, help="tickets made due for the SLA sweep"
    )
    parser.add_argument(
        "--incident-tickets",
        type=int,
        default=defaults.incident_tickets,
        help="tickets attached to the incident whose one update is measured",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIOS,
        default=[],
        help="run only this scenario (repeatable); the sections of the others are carried "
        "from the last run at the same N in the RESULTS.md",
    )
    day = Day()
    parser.add_argument(
        "--day-users", type=int, default=day.users, help="people of the national day"
    )
    parser.add_argument(
        "--day-seconds", type=float, default=day.seconds, help="length of the national day's load"
    )
    parser.add_argument(
        "--day-smtp-down",
        type=float,
        default=day.smtp_down,
        help="seconds the SMTP sink is down during the national day",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip profiles of misses")
    args = parser.parse_args(argv)
    if args.tickets < 1:
        parser.error("--tickets must be at least 1")
    return Options(
        tickets=args.tickets,
        duration=args.duration,
        warmup=args.warmup,
        out=args.out,
        keep=args.keep,
        data_dir=args.data_dir,
        workers=args.workers,
        threads=args.threads,
        connections=args.connections,
        mail=args.mail,
        sla_due=args.sla_due,
        incident_tickets=args.incident_tickets,
        profile=not args.no_profile,
        scenarios=tuple(dict.fromkeys(args.scenario)),
        day=Day(users=args.day_users, seconds=args.day_seconds, smtp_down=args.day_smtp_down),
    )


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    try:
        run(options)
    except KeyboardInterrupt:
        print("bench interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
