"""Command line of the travel agent: ``python -m soap_client`` (or ``travel-agent``).

Global options come before the command: ``--url``, ``--agent``, ``--password`` (or the
IRCTC_URL, IRCTC_AGENT, IRCTC_PASSWORD environment variables), ``--ledger``, ``--trace`` (every
envelope, pretty-printed, on stderr) and ``--json`` (machine-readable output on stdout). Errors
are one line, ``error: <faultcode>: <message>``, with exit code 1 for a fault from the core,
2 for a usage mistake and 3 when the core cannot be reached.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn, TextIO, get_args

from soap_client.agent import TravelAgent
from soap_client.codegen.command import add_arguments as add_codegen_arguments
from soap_client.codegen.command import run as run_codegen
from soap_client.errors import AgentError, ServiceFault, TransportError
from soap_client.irctc_client import ClassType, QuotaType
from soap_client.journey import play_journey
from soap_client.ledger import Ledger
from soap_client.models import Booking, Cancellation, Passenger, TrainOffer
from soap_client.trace import print_exchange

DEFAULT_URL = "http://127.0.0.1:8000/soap"
CLASSES = get_args(ClassType)
QUOTAS = get_args(QuotaType)
EXIT_FAULT, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _passenger(value: str) -> Passenger:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) not in (3, 4) or not parts[1].isdigit():
        raise argparse.ArgumentTypeError(
            f"passenger {value!r} is not NAME,AGE,GENDER[,BERTH] (e.g. 'Ravi Kumar,34,M,LB')"
        )
    berth = parts[3].upper() if len(parts) == 4 and parts[3] else None
    return Passenger(parts[0], int(parts[1]), parts[2].upper(), berth)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m soap_client",
        description="A travel agent's client for the IRCTC reservation core (SOAP 1.1).",
    )
    env = os.environ.get
    parser.add_argument("--url", default=env("IRCTC_URL", DEFAULT_URL), help="SOAP endpoint")
    parser.add_argument("--agent", default=env("IRCTC_AGENT", "MMT"), help="agent id (MMT)")
    parser.add_argument("--password", default=env("IRCTC_PASSWORD"), help="agent password")
    parser.add_argument("--ledger", type=Path, help="ledger file (var/ledger-AGENT.sqlite3)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call (30)")
    parser.add_argument("--trace", action="store_true", help="print every envelope on stderr")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    search = commands.add_parser("search", help="trains between two stations on a date")
    search.add_argument("source", metavar="FROM")
    search.add_argument("destination", metavar="TO")
    search.add_argument("journey_date", metavar="DATE", type=_date)
    search.add_argument("--class", dest="travel_class", choices=CLASSES, help="only this class")
    search.add_argument("--quota", choices=QUOTAS, help="GN (default), TQ, LD or SS")

    book = commands.add_parser("book", help="book passengers on a train")
    book.add_argument("--train", required=True)
    book.add_argument("--date", dest="journey_date", required=True, type=_date)
    book.add_argument("--from", dest="source", required=True)
    book.add_argument("--to", dest="destination", required=True)
    book.add_argument("--class", dest="travel_class", required=True, choices=CLASSES)
    book.add_argument("--quota", default="GN", choices=QUOTAS)
    book.add_argument(
        "--passenger",
        dest="passengers",
        action="append",
        type=_passenger,
        required=True,
        help="NAME,AGE,GENDER[,BERTH]; repeat for each passenger",
    )
    book.add_argument("--only-if-confirmed", action="store_true")
    book.add_argument("--reference", help="client reference (generated if absent)")

    pnr = commands.add_parser("pnr", help="status of a PNR")
    pnr.add_argument("pnr")

    cancel = commands.add_parser("cancel", help="cancel passengers of a PNR (all by default)")
    cancel.add_argument("pnr")
    cancel.add_argument("--passenger", dest="passengers", action="append", type=int)

    commands.add_parser("bookings", help="the agent's ledger")
    commands.add_parser("sync", help="reconcile pending bookings and refresh statuses")
    replay = commands.add_parser(
        "replay", help="send sample envelopes as-is and compare the answers with the expected"
    )
    replay.add_argument("paths", nargs="*", metavar="PATH", help="sample files or folders")
    replay.add_argument("--url", dest="replay_url", help="the core to replay against")
    replay.add_argument(
        "--fresh",
        action="store_true",
        help="start fresh cores for the replay (on the samples' clocks) instead of --url",
    )
    replay.add_argument("--samples", type=Path, help="the samples folder (samples/)")
    record = commands.add_parser(
        "record", help="regenerate the expected responses from fresh cores"
    )
    record.add_argument("--samples", type=Path, help="the samples folder (samples/)")
    codegen = commands.add_parser("codegen", help="a typed Python client module from a WSDL")
    add_codegen_arguments(codegen)
    wsdl_diff = commands.add_parser(
        "wsdl-diff", help="what changed between two WSDLs, and whether it breaks clients"
    )
    wsdl_diff.add_argument("old", metavar="OLD", help="a WSDL file or an http(s) URL")
    wsdl_diff.add_argument("new", metavar="NEW", help="a WSDL file or an http(s) URL")
    wsdl_diff.add_argument(
        "--catalog",
        type=Path,
        metavar="FILE",
        help="an XML catalog mapping imported URLs or namespaces to local files",
    )
    wsdl_diff.add_argument(
        "--client",
        choices=("strict", "lax"),
        default="strict",
        help="how the old client reads answers: strict (rejects unknown elements, as"
        " codegen's clients do; the default) or lax",
    )
    compare = commands.add_parser(
        "compare", help="the same journey through SOAP, REST and plain XML, measured"
    )
    compare.add_argument("--runs", type=int, default=5, help="journeys per era (5)")
    compare.add_argument("--report", type=Path, help="write report.md and SVG charts here")
    load = commands.add_parser(
        "load", help="N concurrent agents playing journeys, then an audit of the core"
    )
    load.add_argument("--agents", type=int, default=8, help="concurrent agents (8)")
    load.add_argument("--duration", type=float, default=30.0, help="seconds (30)")
    load.add_argument("--seed", type=int, default=1, help="seed of the journeys (1)")
    load.add_argument(
        "--ledgers", type=Path, help="folder for the agents' ledgers (var/load-SEED-TIME)"
    )
    load.add_argument(
        "--profile",
        type=Path,
        help="start a fresh core with this simulation profile instead of using --url",
    )
    load.add_argument(
        "--workers",
        type=int,
        default=0,
        help="with --profile: serve through gunicorn with this many worker processes",
    )
    load.add_argument("--clock", help="with --profile: the fresh core's clock (default: real time)")
    journey = commands.add_parser("journey", help="the scripted story, narrated step by step")
    journey.add_argument(
        "--date",
        dest="journey_date",
        type=_date,
        help="journey date (default: ten days after the core's date)",
    )
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    args = build_parser().parse_args(argv)
    if args.command in ("replay", "record"):
        return _samples(args, out)
    if args.command == "codegen":
        return run_codegen(args, out)
    if args.command == "compare":
        return _compare(args, out)
    if args.command == "load":
        import time

        from soap_client.load import main_load

        folder = args.ledgers or Path("var") / f"load-{args.seed}-{time.strftime('%Y%m%d-%H%M%S')}"
        progress = sys.stderr if sys.stderr.isatty() and not args.json else None
        if args.profile is None:
            return main_load(
                args.url, args.agents, args.duration, args.seed, folder, args.json, out, progress
            )
        return _load_on_a_fresh_core(args, folder, out, progress)
    if args.command == "wsdl-diff":
        from soap_client.wsdl_diff import main_diff

        return main_diff(args.old, args.new, args.json, out, args.catalog, args.client)
    if not args.password:
        print("error: no password: pass --password or set IRCTC_PASSWORD", file=sys.stderr)
        return EXIT_USAGE
    ledger_path = args.ledger or Path("var") / f"ledger-{args.agent.upper()}.sqlite3"
    try:
        ledger = Ledger(ledger_path)
    except Exception as error:  # sqlite3.Error or OSError, reported the same way
        print(f"error: cannot open ledger {ledger_path}: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with TravelAgent(
            args.url,
            args.agent,
            args.password,
            ledger=ledger,
            timeout=args.timeout,
            trace=print_exchange if args.trace else None,
        ) as agent:
            return _run(args, agent, ledger, out)
    except TransportError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except ServiceFault as error:
        print(f"error: {error.faultcode}: {error.message}", file=sys.stderr)
        return EXIT_FAULT
    except AgentError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_FAULT
    finally:
        ledger.close()


def _run(args: argparse.Namespace, agent: TravelAgent, ledger: Ledger, out: TextIO) -> int:
    if args.command == "search":
        offers = agent.search(
            args.source, args.destination, args.journey_date, args.travel_class, args.quota
        )
        _emit(out, args.json, offers, lambda: format_offers(offers))
    elif args.command == "book":
        booking = agent.book(
            args.train,
            args.journey_date,
            args.source,
            args.destination,
            args.travel_class,
            args.passengers,
            quota=args.quota,
            only_if_confirmed=args.only_if_confirmed,
            reference=args.reference,
        )
        _emit(out, args.json, booking, lambda: format_booking(booking))
    elif args.command == "pnr":
        booking = agent.pnr_status(args.pnr)
        _emit(out, args.json, booking, lambda: format_booking(booking))
    elif args.command == "cancel":
        result = agent.cancel(args.pnr, args.passengers)
        _emit(out, args.json, result, lambda: format_cancellation(result))
    elif args.command == "bookings":
        entries = ledger.entries()
        _emit(out, args.json, entries, lambda: format_ledger(entries))
    elif args.command == "sync":
        bookings = agent.sync()
        _emit(
            out,
            args.json,
            bookings,
            lambda: "\n\n".join(format_booking(b) for b in bookings) or "nothing to sync",
        )
    elif args.command == "journey":
        steps = play_journey(agent, args.journey_date, out if not args.json else None)
        if args.json:
            print(json.dumps(steps, default=_json_default, indent=2), file=out)
    return 0


def _load_on_a_fresh_core(
    args: argparse.Namespace, folder: Path, out: TextIO, progress: TextIO | None
) -> int:
    """``load --profile``: a fresh core (gunicorn with ``--workers``) for the run, then stop it."""
    from core_runner import CoreNotStarted, FreshCore
    from soap_client.load import main_load

    if not args.profile.is_file():
        print(f"error: no profile file {args.profile}", file=sys.stderr)
        return EXIT_USAGE
    try:
        core = FreshCore(
            folder / "core", args.clock or "real", args.profile.resolve(), args.workers
        )
    except CoreNotStarted as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    try:
        if not args.json:
            serving = f"gunicorn, {args.workers} workers" if args.workers else "one process"
            print(
                f"fresh core at {core.url} ({serving}, profile {args.profile},"
                f" clock {core.clock}, files in {folder / 'core'})",
                file=out,
            )
        return main_load(
            core.url, args.agents, args.duration, args.seed, folder, args.json, out, progress
        )
    finally:
        core.stop()


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    import requests

    from soap_client.compare import compare
    from soap_client.compare.report import as_json, as_text, write_report

    if not args.password:
        print("error: no password: pass --password or set IRCTC_PASSWORD", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = compare(args.url, args.agent.upper(), args.password, args.runs)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except requests.RequestException as error:
        print(f"error: Transport: cannot reach {args.url}: {type(error).__name__}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except Exception as error:  # an era's client failed: say which, in one line
        print(f"error: the comparison failed: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAULT
    print(as_json(result) if args.json else as_text(result), file=out)
    if args.report is not None:
        path = write_report(result, args.report, args.url)
        if not args.json:
            print(f"report: {path}", file=out)
    return 0


def _samples(args: argparse.Namespace, out: TextIO) -> int:
    """``replay`` and ``record``: raw envelopes, no agent library, no credentials needed."""
    import tempfile

    from soap_client import replay as samples

    try:
        manifest = samples.load_manifest(args.samples or samples.SAMPLES_DIR)
        with tempfile.TemporaryDirectory(prefix="irctc-samples-") as scratch:
            if args.command == "record":
                core = samples.fresh_core(Path(scratch), manifest)
                try:
                    for sample, status in samples.record(manifest, core):
                        print(f"recorded {sample.id:36} HTTP {status}", file=out)
                finally:
                    core.close()
                return 0
            target: samples.Target
            if args.fresh:
                target = samples.fresh_core(Path(scratch), manifest)
            else:
                target = samples.UrlTarget(
                    args.replay_url or args.url, manifest.clock, timeout=args.timeout
                )
            try:
                results = samples.replay(manifest, target, args.paths)
            finally:
                target.close()
    except samples.SampleError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREACHABLE if "cannot reach" in str(error) else EXIT_USAGE
    if args.json:
        print(json.dumps([r.report() for r in results], indent=2), file=out)
    else:
        print(format_replay(results), file=out)
    return EXIT_FAULT if any(r.outcome == "fail" for r in results) else 0


def format_replay(results: list[Any]) -> str:
    lines = [f"{'sample':36} {'operation':14} {'HTTP':>4} {'ms':>7}  result"]
    for r in results:
        note = f"  ({r.reason})" if r.reason else ""
        setup = " (setup)" if r.setup else ""
        status = r.status if r.status is not None else "-"
        lines.append(
            f"{r.sample.id:36} {r.sample.operation:14} {status:>4} {r.elapsed_ms:7.1f}"
            f"  {r.outcome.upper()}{setup}{note}"
        )
    for r in results:
        if r.outcome == "fail":
            lines.append(f"\n--- {r.sample.id} ({r.sample.response}):")
            lines.extend(f"    {problem}" for problem in r.problems)
            if r.diff:
                lines.append(r.diff.rstrip())
    counts = {o: sum(r.outcome == o for r in results) for o in ("pass", "fail", "skip")}
    lines.append(
        f"\nreplay: {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped"
    )
    return "\n".join(lines)


# -- output ------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    raise TypeError(type(value).__name__)


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, indent=2)


def _emit(out: TextIO, as_json: bool, value: Any, text: Any) -> None:
    print(to_json(value) if as_json else text(), file=out)


def _hhmm(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def format_offers(offers: list[TrainOffer]) -> str:
    if not offers:
        return "no trains"
    lines = [f"{'Train':6} {'Name':30} {'Departs':16} {'Arrives':16} {'Time':>6}  Classes"]
    for o in offers:
        classes = "  ".join(
            f"{c.travel_class} {c.status} Rs {c.fare.total:,.0f}" for c in o.classes
        )
        lines.append(
            f"{o.number:6} {o.name[:30]:30} {o.departs:%d %b %H:%M}    {o.arrives:%d %b %H:%M}"
            f"    {_hhmm(o.duration):>6}  {classes}"
        )
    return "\n".join(lines)


def format_booking(b: Booking) -> str:
    lines = [
        f"PNR {b.pnr}  {b.train} {b.train_name}  {b.source} -> {b.destination}",
        f"  {b.journey_date:%a %d %b %Y}  departs {b.departs:%H:%M},"
        f" arrives {b.arrives:%d %b %H:%M}"
        f"  class {b.travel_class} quota {b.quota}  {b.chart_status}",
        f"  fare per passenger Rs {b.fare_per_passenger.total} (base {b.fare_per_passenger.base},"
        f" reservation {b.fare_per_passenger.reservation}, superfast"
        f" {b.fare_per_passenger.superfast}, tatkal {b.fare_per_passenger.tatkal},"
        f" GST {b.fare_per_passenger.gst}); total Rs {b.total_fare}",
    ]
    for p in b.passengers:
        refund = f"  refund Rs {p.refund}" if p.refund is not None else ""
        lines.append(
            f"  {p.number}. {p.name:16} {p.age:3} {p.gender}  booked {p.booking_status:12}"
            f" now {p.current_status}{refund}"
        )
    if b.total_refund:
        lines.append(f"  refunded so far: Rs {b.total_refund}")
    return "\n".join(lines)


def format_cancellation(c: Cancellation) -> str:
    lines = [
        f"Cancelled passenger(s) {', '.join(map(str, c.cancelled))} of PNR {c.pnr}:"
        f" refund Rs {c.refund}, charges Rs {c.charges}"
    ]
    for p in c.promotions:
        lines.append(f"  moved up: {p.was} -> {p.now}")
    lines.append(format_booking(c.booking))
    return "\n".join(lines)


def format_ledger(entries: list[Any]) -> str:
    if not entries:
        return "the ledger is empty"
    lines = [f"{'State':8} {'PNR':10} {'Train':6} {'Date':10} {'From':5} {'To':5} {'Cls':3} Status"]
    for e in entries:
        lines.append(
            f"{e.state:8} {e.pnr or '-':10} {e.train:6} {e.journey_date:10} {e.source:5}"
            f" {e.destination:5} {e.class_code:3} {', '.join(e.statuses) or e.last_error or ''}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
