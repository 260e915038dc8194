"""Command line of the travel agent: ``python -m soap_client`` (or ``travel-agent``).

Global options, before or after the command: ``--url``, ``--agent``, ``--password`` (or the
IRCTC_URL, IRCTC_AGENT, IRCTC_PASSWORD environment variables), ``--ledger``, ``--timeout``,
``--trace`` (every envelope, pretty-printed, on stderr) and ``--json`` (machine-readable output
on stdout, errors as one JSON object on stderr). Errors are one line,
``error: <faultcode>: <message>``, with exit code 1 for a fault from the core, 2 for a usage
mistake (caught before anything is sent) and 3 when the core cannot be reached; a reader that
goes away (``| head``) ends the command quietly with 141, as SIGPIPE would.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn, TextIO

from soap_client import checks
from soap_client.agent import TravelAgent
from soap_client.codegen.command import add_arguments as add_codegen_arguments
from soap_client.codegen.command import run as run_codegen
from soap_client.errors import AgentError, ServiceFault, TransportError
from soap_client.irctc_client import TrainSchedule
from soap_client.journey import play_journey
from soap_client.ledger import Ledger
from soap_client.models import Booking, Cancellation, TrainOffer
from soap_client.progress import Progress
from soap_client.trace import print_exchange

DEFAULT_URL = "http://127.0.0.1:8000/soap"
CLASSES = checks.CLASSES
QUOTAS = checks.QUOTAS
EXIT_FAULT, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3
EXIT_PIPE = 128 + 13  # as if killed by SIGPIPE, like other tools whose reader went away
START_A_CORE = (
    "start one with 'python -m soap_server serve' (or ./scripts/demo),"
    " or point --url / IRCTC_URL at one"
)
#: Whether errors are written as JSON (--json anywhere on the command line); set by main.
_json_errors = False


class _Help(argparse.HelpFormatter):
    """Shows each option's default, when it has one worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or "(default" in text
            or default in (None, False, argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)  # --clas is a typo, not --class
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        fail(EXIT_USAGE, "Usage", f"{message} (see {self.prog} --help)")
        self.exit(EXIT_USAGE)


def fail(exit_code: int, code: str, message: str, **extra: Any) -> int:
    """Report an error on stderr: one line, or one JSON object with --json. Returns the code."""
    if _json_errors:
        body = {"error": {"code": code, "message": message, **extra, "exit_code": exit_code}}
        print(json.dumps(body), file=sys.stderr)
    else:
        print(f"error: {extra.get('faultcode') or code}: {message}", file=sys.stderr)
    return exit_code


def _checked(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a ``checks`` function: its message, not argparse's generic one."""

    def convert(value: str) -> Any:
        try:
            return check(value)
        except checks.LocalError as error:
            raise argparse.ArgumentTypeError(error.message) from None

    convert.__name__ = check.__name__
    return convert


_date = _checked(checks.journey_date)
_passenger = _checked(checks.passenger)
_pnr = _checked(checks.pnr)
_train = _checked(checks.train)
_station = _checked(checks.station)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{value} seconds: give more than 0 and at most 3600")
    return seconds


def _count(low: int, high: int) -> Callable[[str], int]:
    def convert(value: str) -> int:
        if not value.strip().isdigit() or not low <= int(value) <= high:
            raise argparse.ArgumentTypeError(f"{value!r}: give a whole number from {low} to {high}")
        return int(value)

    convert.__name__ = "count"
    return convert


def _global_options(shared: bool) -> _Parser:
    """The options every command takes, before or after its name.

    The main parser holds the defaults; each command's copy (``shared``) has none, so that an
    option given after the command overrides one given before it, and one not given leaves it.
    """
    options = _Parser(add_help=False)
    env = os.environ.get
    url = env("IRCTC_URL", DEFAULT_URL)

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if shared else value

    options.add_argument(
        "--url", default=default(url), help=f"the core's SOAP endpoint (default: {url}; IRCTC_URL)"
    )
    agent = env("IRCTC_AGENT", "MMT")
    options.add_argument(
        "--agent", default=default(agent), help=f"agent id (default: {agent}; IRCTC_AGENT)"
    )
    options.add_argument(
        "--password", default=default(env("IRCTC_PASSWORD")), help="agent password (IRCTC_PASSWORD)"
    )
    options.add_argument(
        "--ledger", type=Path, default=default(None), help="ledger file (var/ledger-AGENT.sqlite3)"
    )
    options.add_argument(
        "--wsse",
        choices=("text", "digest"),
        default=default(None),
        help="authenticate every call with a WS-Security UsernameToken instead of a Login"
        " session (PasswordText, or PasswordDigest with Nonce and Created)",
    )
    options.add_argument(
        "--timeout", type=_seconds, default=default(30.0), help="seconds per call (default: 30)"
    )
    options.add_argument(
        "--trace",
        action="store_true",
        default=default(False),
        help="print every envelope on stderr",
    )
    options.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="machine-readable output (errors as JSON on stderr)",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m soap_client",
        description="A travel agent's client for the IRCTC reservation core (SOAP 1.1).",
        epilog="The options above are accepted after the command too. Exit codes: 1 a fault"
        " from the core, 2 a usage mistake, 3 the core cannot be reached.",
        parents=[_global_options(shared=False)],
    )
    shared = _global_options(shared=True)
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text, parents=[shared])

    search = command("search", "trains between two stations on a date")
    search.add_argument("source", metavar="FROM", type=_station)
    search.add_argument("destination", metavar="TO", type=_station)
    search.add_argument("journey_date", metavar="DATE", type=_date)
    search.add_argument("--class", dest="travel_class", choices=CLASSES, help="only this class")
    search.add_argument("--quota", choices=QUOTAS, help="GN (default), TQ, LD or SS")

    book = command("book", "book passengers on a train")
    book.add_argument("--train", required=True, type=_train)
    book.add_argument("--date", dest="journey_date", required=True, type=_date)
    book.add_argument("--from", dest="source", required=True, type=_station)
    book.add_argument("--to", dest="destination", required=True, type=_station)
    book.add_argument("--class", dest="travel_class", required=True, choices=CLASSES)
    book.add_argument("--quota", default="GN", choices=QUOTAS)
    book.add_argument(
        "--passenger",
        dest="passengers",
        action="append",
        type=_passenger,
        required=True,
        help="NAME,AGE,GENDER[,BERTH]; repeat for each passenger (gender M F T; berth"
        f" {' '.join(checks.BERTHS)}, or {checks.NO_BERTH}: a child of 5-11 without a berth)",
    )
    book.add_argument("--only-if-confirmed", action="store_true")
    book.add_argument("--reference", help="client reference (generated if absent)")

    pnr = command("pnr", "status of a PNR")
    pnr.add_argument("pnr", type=_pnr)

    boarding = command("boarding", "board at a later stop of a booked journey (once)")
    boarding.add_argument("pnr", type=_pnr)
    boarding.add_argument("station", metavar="STATION", type=_station)

    cancel = command("cancel", "cancel passengers of a PNR (all by default)")
    cancel.add_argument("pnr", type=_pnr)
    cancel.add_argument(
        "--passenger", dest="passengers", action="append", type=_count(1, 6), metavar="N"
    )

    schedule = command("schedule", "a train's timetable: stops, times, days of run")
    schedule.add_argument("train", metavar="TRAIN", type=_train, help="train number, e.g. 12952")

    command("bookings", "the agent's ledger")
    command("sync", "reconcile pending bookings and refresh statuses")
    replay = command(
        "replay", "send sample envelopes as-is and compare the answers with the expected"
    )
    replay.add_argument("paths", nargs="*", metavar="PATH", help="sample files or folders")
    replay.add_argument(
        "--fresh",
        action="store_true",
        help="start fresh cores for the replay (on the samples' clocks) instead of --url",
    )
    replay.add_argument(
        "--lock-agents",
        action="store_true",
        help="with --url: also run the samples that lock an agent (on a core nobody shares)",
    )
    replay.add_argument("--samples", type=Path, help="the samples folder (samples/)")
    record = command("record", "regenerate the expected responses from fresh cores")
    record.add_argument("--samples", type=Path, help="the samples folder (samples/)")
    codegen = command("codegen", "a typed Python client module from a WSDL")
    add_codegen_arguments(codegen)
    wsdl_diff = command(
        "wsdl-diff", "what changed between two WSDLs, and whether it breaks clients"
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
        " codegen's clients do) or lax",
    )
    compare = command("compare", "the same journey through SOAP, REST and plain XML, measured")
    compare.add_argument("--runs", type=_count(1, 200), default=5, help="journeys per era")
    compare.add_argument("--report", type=Path, help="write report.md, report.json and charts here")
    load = command("load", "N concurrent agents playing journeys, then an audit of the core")
    load.add_argument("--agents", type=_count(1, 200), default=8, help="concurrent agents")
    load.add_argument("--duration", type=_seconds, default=30.0, help="seconds")
    load.add_argument("--seed", type=int, default=1, help="seed of the journeys")
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
        type=_count(0, 16),
        default=0,
        help="with --profile: serve through gunicorn with this many worker processes",
    )
    load.add_argument("--clock", help="with --profile: the fresh core's clock (default: real time)")
    load.add_argument(
        "--tatkal",
        action="store_true",
        help="book Tatkal on the trains leaving tomorrow (the opening rush, the agents' minutes)",
    )
    journey = command("journey", "the scripted story, narrated step by step")
    journey.add_argument(
        "--date",
        dest="journey_date",
        type=_date,
        help="journey date (default: ten days after the core's date)",
    )
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """The CLI; never a traceback for what a user can do, including closing the pipe early."""
    global _json_errors
    arguments = list(sys.argv[1:] if argv is None else argv)
    _json_errors = "--json" in arguments
    out = stdout or sys.stdout
    try:
        code = _main(arguments, out)
        out.flush()
        return code
    except BrokenPipeError:
        _stdout_gone(out)
        return EXIT_PIPE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _stdout_gone(out: TextIO) -> None:
    """The reader of our output went away (``| head``): stop writing, quietly."""
    if out is sys.stdout:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass


def _main(argv: list[str], out: TextIO) -> int:
    args = build_parser().parse_args(argv)
    args.agent = args.agent.upper()
    if args.command in ("replay", "record"):
        return _samples(args, out)
    if args.command == "codegen":
        return run_codegen(args, out)
    if args.command == "compare":
        return _compare(args, out)
    if args.command == "load":
        from time import strftime

        from soap_client.load import main_load

        folder = args.ledgers or Path("var") / f"load-{args.seed}-{strftime('%Y%m%d-%H%M%S')}"
        progress = sys.stderr if sys.stderr.isatty() and not args.json else None
        if args.profile is None:
            return main_load(
                args.url,
                args.agents,
                args.duration,
                args.seed,
                folder,
                args.json,
                out,
                progress,
                "TQ" if args.tatkal else "GN",
            )
        return _load_on_a_fresh_core(args, folder, out, progress)
    if args.command == "wsdl-diff":
        from soap_client.wsdl_diff import main_diff

        return main_diff(args.old, args.new, args.json, out, args.catalog, args.client)
    if not args.password and args.command != "bookings":
        return fail(EXIT_USAGE, "Usage", "no password: pass --password or set IRCTC_PASSWORD")
    ledger_path = args.ledger or Path("var") / f"ledger-{args.agent}.sqlite3"
    try:
        ledger = Ledger(ledger_path)
    except Exception as error:  # sqlite3.Error or OSError, reported the same way
        return fail(EXIT_USAGE, "Ledger", f"cannot open ledger {ledger_path}: {error}")
    try:
        with TravelAgent(
            args.url,
            args.agent,
            args.password or "",
            ledger=ledger,
            timeout=args.timeout,
            trace=print_exchange if args.trace else None,
            retry_refused=False,
            wsse=args.wsse,
        ) as agent:
            return _run(args, agent, ledger, out)
    except checks.LocalError as error:
        return fail(EXIT_USAGE, error.code, error.message)
    except TransportError as error:
        if error.code == "ConnectionRefused":
            return fail(
                EXIT_UNREACHABLE,
                "ConnectionRefused",
                f"no core answers at {args.url} (connection refused): {START_A_CORE}",
                retryable=True,
            )
        return fail(EXIT_UNREACHABLE, error.code, error.message, retryable=error.retryable)
    except ServiceFault as error:
        return fail(
            EXIT_FAULT,
            error.code,
            error.message,
            faultcode=error.faultcode,
            retryable=error.retryable,
        )
    except AgentError as error:
        return fail(EXIT_FAULT, error.code, error.message, retryable=error.retryable)
    finally:
        ledger.close()


def _run(args: argparse.Namespace, agent: TravelAgent, ledger: Ledger, out: TextIO) -> int:
    if args.command == "search":
        offers = agent.search(
            args.source, args.destination, args.journey_date, args.travel_class, args.quota
        )
        if not offers and not args.json:
            print(format_offers(offers), file=out)
            print(explain_no_trains(agent, args), file=out)
            return 0
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
    elif args.command == "boarding":
        booking = agent.change_boarding(args.pnr, args.station)
        _emit(out, args.json, booking, lambda: format_booking(booking))
    elif args.command == "schedule":
        timetable = agent.read(
            lambda client, header: client.get_train_schedule(
                train_number=args.train, session_header=header
            )
        )
        _emit(out, args.json, timetable, lambda: format_schedule(timetable))
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


def explain_no_trains(agent: TravelAgent, args: argparse.Namespace) -> str:
    """Why a search found nothing: the trains of the route on the next days, and their days."""
    day = args.journey_date
    seen: dict[str, TrainOffer] = {}
    for ahead in range(1, 7):
        try:
            offers = agent.search(
                args.source,
                args.destination,
                day + timedelta(days=ahead),
                args.travel_class,
                args.quota,
            )
        except ServiceFault:
            break  # past the reservation window, say
        for offer in offers:
            seen.setdefault(offer.number, offer)
    route = f"{args.source} to {args.destination}"
    only = f" with class {args.travel_class}" if args.travel_class else ""
    if not seen:
        return f"no train{only} runs from {route} in the week after {day:%a %d %b %Y}"
    lines = [f"no train{only} from {route} runs on {day:%A}s; on other days:"]
    for offer in seen.values():
        lines.append(
            f"  {offer.number} {_short(offer.name, 40)} does not run on {day:%a}s;"
            f" it runs {offer.runs_on}"
        )
    return "\n".join(lines)


def _load_on_a_fresh_core(
    args: argparse.Namespace, folder: Path, out: TextIO, progress: TextIO | None
) -> int:
    """``load --profile``: a fresh core (gunicorn with ``--workers``) for the run, then stop it."""
    from core_runner import CoreNotStarted, FreshCore
    from soap_client.load import main_load

    if not args.profile.is_file():
        return fail(EXIT_USAGE, "Usage", f"no profile file {args.profile}")
    serving = f"gunicorn, {args.workers} workers" if args.workers else "one process"
    if progress is not None or not args.json:
        print(f"load: starting a fresh core ({serving}) ...", file=sys.stderr, flush=True)
    try:
        core = FreshCore(
            folder / "core", args.clock or "real", args.profile.resolve(), args.workers
        )
    except CoreNotStarted as error:
        return fail(EXIT_UNREACHABLE, "CoreNotStarted", str(error))
    try:
        if not args.json:
            print(
                f"fresh core at {core.url} ({serving}, profile {args.profile},"
                f" clock {core.clock}, files in {folder / 'core'})",
                file=out,
            )
        return main_load(
            core.url,
            args.agents,
            args.duration,
            args.seed,
            folder,
            args.json,
            out,
            progress,
            "TQ" if args.tatkal else "GN",
        )
    finally:
        core.stop()


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    import requests

    from soap_client.compare import compare
    from soap_client.compare.report import as_json, as_text, write_report

    if not args.password:
        return fail(EXIT_USAGE, "Usage", "no password: pass --password or set IRCTC_PASSWORD")
    meter = Progress("compare", "journeys")
    meter.note(f"{args.runs} journeys per era through SOAP, REST and plain XML ...")
    try:
        result = compare(args.url, args.agent, args.password, args.runs, meter.update)
    except ValueError as error:
        return fail(EXIT_USAGE, "Usage", str(error))
    except requests.ConnectionError as error:
        reason = "connection refused" if "refused" in str(error) else type(error).__name__
        return fail(
            EXIT_UNREACHABLE,
            "ConnectionRefused" if reason == "connection refused" else "Transport",
            f"no core answers at {args.url} ({reason}): {START_A_CORE}",
        )
    except requests.RequestException as error:
        return fail(
            EXIT_UNREACHABLE, "Transport", f"cannot reach {args.url}: {type(error).__name__}"
        )
    except Exception as error:  # an era's client failed: say which, in one line
        return fail(EXIT_FAULT, "CompareFailed", f"{type(error).__name__}: {error}")
    finally:
        meter.done()
    print(as_json(result) if args.json else as_text(result), file=out)
    if args.report is not None:
        path = write_report(result, args.report, f"the core at {args.url}")
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
            meter = Progress("replay", "samples")
            if args.fresh:
                meter.note("starting a fresh core on the samples' clock ...")
                target = samples.fresh_core(Path(scratch), manifest)
            else:
                target = samples.UrlTarget(
                    args.url, manifest.clock, timeout=args.timeout, lock_agents=args.lock_agents
                )
                target.check(manifest)
            try:
                results = samples.replay(manifest, target, args.paths, meter.update)
            finally:
                meter.done()
                target.close()
    except samples.SampleError as error:
        unreachable = "cannot reach" in str(error)
        return fail(
            EXIT_UNREACHABLE if unreachable else EXIT_USAGE,
            "Unreachable" if unreachable else "Samples",
            str(error),
        )
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
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return iso_duration(value)
    raise TypeError(type(value).__name__)


def to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, indent=2)


def _emit(out: TextIO, as_json: bool, value: Any, text: Any) -> None:
    print(to_json(value) if as_json else text(), file=out)


def iso_duration(delta: timedelta) -> str:
    """ISO 8601, as the REST API writes durations: ``PT15H45M``, ``PT15H``, ``P1DT2H``."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0M"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


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
            f"{o.number:6} {_short(o.name, 30):30} {o.departs:%d %b %H:%M}"
            f"    {o.arrives:%d %b %H:%M}"
            f"    {_hhmm(o.duration):>6}  {classes}"
        )
    return "\n".join(lines)


def format_schedule(s: TrainSchedule) -> str:
    def clock(moment: time | None) -> str:
        return "-" if moment is None else f"{moment:%H:%M}"

    lines = [
        f"{s.train_number} {s.train_name} ({s.category}): {s.from_} -> {s.to},"
        f" {s.distance_km} km, {_hhmm(s.duration)}, runs {s.runs_on}",
        f"{'#':>3}  {'Station':32} {'Arrives':>7} {'Departs':>7} {'Halt':>5} {'Day':>3} {'Km':>5}",
    ]
    for stop in s.stops:
        halt = "-" if stop.halt_minutes is None else f"{stop.halt_minutes}m"
        lines.append(
            f"{stop.number:>3}  {stop.station:5} {stop.station_name[:26]:26}"
            f" {clock(stop.arrival):>7} {clock(stop.departure):>7} {halt:>5} {stop.day:>3}"
            f" {stop.distance_km:>5}"
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
    if b.boarding_point is not None:
        lines.insert(1, f"  boards at {b.boarding_point} (boarding point changed)")
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
            f" {e.destination:5} {e.travel_class:3} {', '.join(e.statuses) or e.last_error or ''}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
