"""The run as a text or JSON report, and ``main_load``: snapshot, load, audit, report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from soap_client.errors import AgentError, TransportError
from soap_client.irctc_client import QuotaType
from soap_client.load.audit import AuditResult, ledger_files, run_audit
from soap_client.load.corridors import CORRIDORS
from soap_client.load.journeys import LoadResult, run_load
from soap_client.load.measure import OUTCOMES, percentile
from soap_client.load.snapshot import take_snapshot

EXIT_CLEAN, EXIT_PROBLEM, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
#: What a simulation profile, the nightly window or the load itself makes fail: lost answers
#: (a dropped connection, a timeout, a proxy's error page), overload, rate limits,
#: maintenance, a busy database. A journey that gives up on anything
#: else (a locked agent, a bad session, an internal error) is a real problem and fails the run.
SIMULATED = frozenset(
    {
        "Transport",
        "Timeout",
        "HttpError",
        "ConnectionRefused",
        "Unavailable",
        "RateLimited",
        "Maintenance",
        "Busy",
    }
)


# -- the report ------------------------------------------------------------------------------------


def report(result: LoadResult, checked: AuditResult, url: str) -> dict[str, Any]:
    """The whole run as one JSON-ready object (the text report is drawn from it)."""
    meter = result.meter
    calls = sum(len(v) for v in meter.latencies.values())
    operations: dict[str, dict[str, float | int]] = {}
    for op, values in meter.latencies.items():
        stats: dict[str, float | int] = {"count": len(values)}
        for name, share in (("p50_ms", 50.0), ("p95_ms", 95.0), ("p99_ms", 99.0)):
            stats[name] = round(percentile(values, share), 2) if values else 0.0
        stats["max_ms"] = round(max(values), 2) if values else 0.0
        operations[op] = stats
    elapsed = max(result.elapsed, 1e-9)
    return {
        "url": url,
        "agents": result.agents,
        "duration_s": result.duration,
        "seed": result.seed,
        "elapsed_s": round(result.elapsed, 3),
        "journeys": meter.journeys,
        "journeys_failed": meter.journeys_failed,
        "calls": calls,
        "throughput": {
            "journeys_per_s": round(meter.journeys / elapsed, 2),
            "calls_per_s": round(calls / elapsed, 2),
        },
        "operations": operations,
        "faults": {
            "gave_up": dict(sorted(meter.gave_up.items())),
            "absorbed": dict(sorted(meter.absorbed.items())),
            "outcomes": dict(sorted(meter.outcome_faults.items())),
        },
        "unexpected_failures": {
            code: n for code, n in sorted(meter.gave_up.items()) if code not in SIMULATED
        },
        "retries": meter.retries,
        "relogins": meter.relogins,
        "quota": result.quota,
        "opening": {
            "last_agent_barred_s": _seconds(meter.last_barred),
            "first_booking_s": _seconds(meter.first_booked),
        },
        "outcomes": {o: meter.outcomes[o] for o in OUTCOMES},
        "audit": {
            "clean": checked.clean,
            "bookings": checked.bookings,
            "passengers": checked.passengers,
            "seat_counts": checked.seat_counts,
            "problems": checked.problems,
        },
    }


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def format_report(data: dict[str, Any]) -> str:
    lines = [
        f"load: {data['agents']} agents for {data['duration_s']:g} s (seed {data['seed']})"
        + (" booking Tatkal" if data["quota"] == "TQ" else "")
        + f" against {data['url']}",
        f"  {data['journeys']} journeys ({data['journeys_failed']} failed), {data['calls']} calls"
        f" in {data['elapsed_s']:.1f} s: {data['throughput']['journeys_per_s']:.1f} journeys/s,"
        f" {data['throughput']['calls_per_s']:.1f} calls/s",
        "",
        f"{'operation':13} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for op, s in data["operations"].items():
        lines.append(
            f"{op:13} {s['count']:6} {s['p50_ms']:8.1f} {s['p95_ms']:8.1f} {s['p99_ms']:8.1f}"
            f" {s['max_ms']:8.1f}"
        )
    faults = data["faults"]
    codes = sorted(set(faults["gave_up"]) | set(faults["absorbed"]))
    lines.append("")
    if codes:
        lines.append(f"{'fault':24} {'gave up':>8} {'absorbed':>9}")
        for code in codes:
            lines.append(
                f"{code:24} {faults['gave_up'].get(code, 0):8} {faults['absorbed'].get(code, 0):9}"
            )
    else:
        lines.append("faults: none")
    lines.append(f"retries: {data['retries']}  re-logins: {data['relogins']}")
    outcomes = data["outcomes"]
    lines.append(
        f"passengers: CNF {outcomes['CNF']}  RAC {outcomes['RAC']}  WL {outcomes['WL']};"
        f" bookings refused: REGRET {outcomes['REGRET']}"
        f"  NoConfirmedSeats {outcomes['NoConfirmedSeats']}"
        f"  AgentBarred {outcomes['AgentBarred']}  TatkalNotOpen {outcomes['TatkalNotOpen']}"
    )
    unexpected = data["unexpected_failures"]
    if unexpected:
        lines.append(
            "journeys failed for reasons no simulation causes: "
            + ", ".join(f"{code} {n}" for code, n in unexpected.items())
            + (
                " (logins from here are throttled after failed passwords: was a replay run"
                " against this core?)"
                if "LoginThrottled" in unexpected
                else ""
            )
        )
    opening = data["opening"]
    if opening["last_agent_barred_s"] is not None:
        first = opening["first_booking_s"]
        lines.append(
            f"opening: agents barred until {opening['last_agent_barred_s']:.1f} s into the run;"
            + (f" first booking at {first:.1f} s" if first is not None else " no booking made")
        )
    checked = data["audit"]
    if checked["clean"]:
        lines.append(
            f"audit: clean ({checked['bookings']} bookings, {checked['passengers']} passengers"
            f" checked, seat counts of {checked['seat_counts']} classes)"
        )
    else:
        lines.append(f"audit: {len(checked['problems'])} problem(s)")
        lines.extend(f"  {problem}" for problem in checked["problems"])
    return "\n".join(lines)


def main_load(
    url: str,
    agents: int,
    duration: float,
    seed: int,
    ledger_dir: Path,
    as_json: bool,
    out: TextIO,
    progress: TextIO | None,
    quota: QuotaType = "GN",
) -> int:
    """The ``load`` command: snapshot, load, audit, report. Exit 0 when the audit is clean and
    a journey completed, 1 when it is not, 2 for unusable arguments, 3 when the core can't be
    reached at all. Needs a fresh core (see the module doc) and a ledger directory of its own."""
    if agents < 1 or duration <= 0:
        print("error: load needs at least one agent and a positive duration", file=sys.stderr)
        return EXIT_USAGE
    if ledger_dir.exists() and ledger_files(ledger_dir):
        print(
            f"error: {ledger_dir} already holds worker ledgers of another run: use an empty"
            " directory",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        ledger_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: cannot create {ledger_dir}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    notes = sys.stderr if progress is not None or not as_json else None
    try:
        health = core_health(url)
    except TransportError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    details = health.get("demo")
    if notes is not None and isinstance(details, dict):  # a core in demo mode says more
        fresh = (
            ""
            if not details.get("bookings")
            else (
                f"; it already holds {details['bookings']} booking(s), so the seat counts are not"
                " checked against a fresh core"
            )
        )
        print(f"load: the core at {url} runs on clock {details.get('clock')}{fresh}", file=notes)
    try:
        before = take_snapshot(url, quota)
    except TransportError as error:
        print(f"error: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except AgentError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    missing = [c.train for c in CORRIDORS if not before.journey_dates(c.train)]
    if quota == "TQ" and len(missing) < len(CORRIDORS):
        missing = []  # a Tatkal load books the corridors whose train leaves tomorrow
    if missing:
        print(f"error: the core does not offer train(s) {', '.join(missing)}", file=sys.stderr)
        return EXIT_PROBLEM
    result = run_load(url, agents, duration, seed, ledger_dir, before, progress)
    if notes is not None:
        print(
            f"load: auditing {result.meter.journeys + result.meter.journeys_failed} journeys"
            " through the API ...",
            file=notes,
            flush=True,
        )
    checked = run_audit(url, ledger_dir, before)
    checked = AuditResult(
        result.meter.problems + checked.problems,
        checked.bookings,
        checked.passengers,
        checked.seat_counts,
    )
    data = report(result, checked, url)
    print(json.dumps(data, indent=2) if as_json else format_report(data), file=out)
    ok = checked.clean and result.meter.journeys > 0 and not data["unexpected_failures"]
    return EXIT_CLEAN if ok else EXIT_PROBLEM


def core_health(url: str) -> dict[str, Any]:
    """The core's /healthz (in demo mode also its clock, bookings and profile), or a
    TransportError saying how to start one."""
    import requests

    base = url.rstrip("/").removesuffix("/soap")
    try:
        answer = requests.get(f"{base}/healthz", timeout=10)
        body: dict[str, Any] = answer.json()
        return body
    except requests.ConnectionError:
        raise TransportError(
            f"no core answers at {url} (connection refused): start one with 'python -m"
            " soap_server serve', or give load --profile to start a fresh one",
            code="ConnectionRefused",
        ) from None
    except (requests.RequestException, ValueError) as error:
        raise TransportError(f"{base}/healthz: {type(error).__name__}") from None
