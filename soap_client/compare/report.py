"""The comparison as a terminal table, as JSON, and as a Markdown report with SVG charts."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from soap_client.compare.measure import ERAS, OPERATIONS, Comparison
from soap_client.compare.svg import grouped_bars

METRICS = (
    ("request_bytes", "request bytes"),
    ("response_bytes", "response bytes"),
    ("wire_bytes", "bytes on the wire"),
    ("round_trips", "round trips"),
    ("client_ms", "client ms"),
    ("server_ms", "server ms"),
    ("cpu_ms", "client CPU ms"),
)


def as_dict(result: Comparison) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for era in ERAS:
        table[era] = {
            operation: {
                metric: {
                    "median": round(result.median(era, operation, metric), 3),
                    "p95": round(result.p95(era, operation, metric), 3),
                }
                for metric, _ in METRICS
            }
            for operation in OPERATIONS
        }
    return {
        "runs": result.runs,
        "per_operation": table,
        "journey_totals": {
            era: {metric: round(result.total(era, metric), 3) for metric, _ in METRICS}
            for era in ERAS
        },
        "contract_bytes": result.contract_bytes,
        "client_lines": result.client_lines,
        "generated_client_lines": result.generated_lines,
        "outcomes": result.outcomes,
        "measures": [dataclasses.asdict(m) for m in result.measures],
    }


def as_json(result: Comparison) -> str:
    return json.dumps(as_dict(result), indent=2)


def _cells(result: Comparison, era: str, operation: str) -> list[str]:
    """One operation of one era: bytes, round trips, then times with their p95."""

    def timed(metric: str) -> str:
        median, p95 = result.median(era, operation, metric), result.p95(era, operation, metric)
        return f"{median:.2f} ({p95:.2f})"

    return [
        f"{result.median(era, operation, 'request_bytes'):.0f}",
        f"{result.median(era, operation, 'response_bytes'):.0f}",
        f"{result.median(era, operation, 'wire_bytes'):.0f}",
        f"{result.median(era, operation, 'round_trips'):.0f}",
        timed("client_ms"),
        timed("server_ms"),
        f"{result.median(era, operation, 'cpu_ms'):.2f}",
    ]


def _totals(result: Comparison, era: str) -> list[str]:
    return [
        f"{result.total(era, 'wire_bytes'):.0f}",
        f"{result.total(era, 'client_ms'):.2f}",
        f"{result.total(era, 'server_ms'):.2f}",
        f"{result.total(era, 'cpu_ms'):.2f}",
    ]


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(
        cell.rjust(width) if i else cell.ljust(width)
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
    )


def as_text(result: Comparison) -> str:
    widths = [8, 5, 7, 7, 7, 4, 15, 15, 7]
    header = ["op", "era", "req B", "resp B", "wire B", "RTT", "client ms", "server ms", "CPU ms"]
    lines = [
        f"{result.runs} run(s) of the journey per era: medians (p95 in brackets)",
        _row(header, widths),
    ]
    for operation in OPERATIONS:
        for era in ERAS:
            name = operation if era == ERAS[0] else ""
            lines.append(_row([name, era, *_cells(result, era, operation)], widths))
    lines.append("")
    lines.append("journey totals (sum of medians): wire B, client ms, server ms, client CPU ms")
    for era in ERAS:
        lines.append(f"  {era:5} " + "  ".join(_totals(result, era)))
    lines.append(
        "contracts: "
        + ", ".join(f"{era} {result.contract_bytes.get(era, 0):,} B" for era in ERAS)
        + " (WSDL, OpenAPI, XSD)"
    )
    lines.append(
        "client code: "
        + ", ".join(f"{era} {result.client_lines.get(era, 0)} lines" for era in ERAS)
        + f" (+{result.generated_lines} generated lines for SOAP)"
    )
    return "\n".join(lines)


CHARTS = {
    "bytes.svg": ("Bytes on the wire per operation (median)", "bytes", "wire_bytes"),
    "client-time.svg": ("Client-side time per operation (median)", "ms", "client_ms"),
    "server-time.svg": ("Server-side time per operation (median)", "ms", "server_ms"),
    "cpu.svg": ("Client CPU per operation (median)", "ms", "cpu_ms"),
    "contracts.svg": ("Contract size and client code", "", ""),
}


def run_facts(result: Comparison, target: str = "") -> dict[str, str]:
    """Where and when the numbers were measured: machine, Python, commit, date, runs."""
    facts = {
        "machine": _machine(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "commit": _commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": f"{result.runs} journeys per era, rotating which era goes first",
    }
    if target:
        facts["core"] = target
    return facts


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = " ".join(line.partition(":")[2].split())
                break
    except OSError:
        pass
    cores = os.cpu_count() or 0
    return ", ".join(
        part for part in (f"{cores} cores", model, platform.system(), platform.machine()) if part
    )


def _commit() -> str:
    root = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{head} (with uncommitted changes)" if dirty else head


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def conclusions(result: Comparison) -> list[str]:
    """What the numbers say, in words, computed from them (so they stay true on a rerun)."""
    total = {era: {m: result.total(era, m) for m, _ in METRICS} for era in ERAS}
    soap, rest, xml = total["SOAP"], total["REST"], total["XML"]
    said = [
        f"Bytes: SOAP puts {_ratio(soap['wire_bytes'], rest['wire_bytes']):.1f}x the bytes of"
        f" REST on the wire per journey ({soap['wire_bytes']:,.0f} against"
        f" {rest['wire_bytes']:,.0f}; plain XML {xml['wire_bytes']:,.0f}). The biggest"
        f" answer is the search: {result.median('SOAP', 'search', 'response_bytes'):,.0f}"
        f" bytes in SOAP, {result.median('REST', 'search', 'response_bytes'):,.0f} in JSON,"
        f" {result.median('XML', 'search', 'response_bytes'):,.0f} in attribute-centric XML.",
    ]
    login = result.median("SOAP", "login", "server_ms")
    if soap["server_ms"]:
        said.append(
            f"Login dominates: {login:.1f} ms of the SOAP journey's {soap['server_ms']:.1f} ms"
            f" on the server ({100 * login / soap['server_ms']:.0f}%), the same in every era:"
            " deliberate password hashing, not the protocol."
        )
    rest_of = {
        era: {m: total[era][m] - result.median(era, "login", m) for m in ("client_ms", "server_ms")}
        for era in ERAS
    }
    said.append(
        "Without login, a SOAP journey costs"
        f" {_ratio(rest_of['SOAP']['server_ms'], rest_of['REST']['server_ms']):.1f}x REST's"
        " time on the server and"
        f" {_ratio(rest_of['SOAP']['client_ms'], rest_of['REST']['client_ms']):.1f}x on the"
        f" client; plain XML"
        f" {_ratio(rest_of['XML']['server_ms'], rest_of['REST']['server_ms']):.1f}x and"
        f" {_ratio(rest_of['XML']['client_ms'], rest_of['REST']['client_ms']):.1f}x."
    )
    said.append(
        f"Client CPU per journey: SOAP {soap['cpu_ms']:.1f} ms, REST {rest['cpu_ms']:.1f} ms,"
        f" plain XML {xml['cpu_ms']:.1f} ms ({_ratio(soap['cpu_ms'], rest['cpu_ms']):.1f}x"
        " for SOAP: zeep parses every answer into typed objects)."
    )
    contracts = result.contract_bytes
    said.append(
        f"Contracts: the WSDL is {contracts.get('SOAP', 0):,} bytes, the OpenAPI document"
        f" {contracts.get('REST', 0):,}, the XSD {contracts.get('XML', 0):,}. Hand-written"
        f" client code: SOAP {result.client_lines.get('SOAP', 0)} lines (plus"
        f" {result.generated_lines} generated from the WSDL and type-checked), REST"
        f" {result.client_lines.get('REST', 0)}, plain XML {result.client_lines.get('XML', 0)}."
    )
    trips = {era: result.total(era, "round_trips") for era in ERAS}
    said.append(
        "Round trips per journey: "
        + ", ".join(f"{era} {trips[era]:.0f}" for era in ERAS)
        + " (plain XML could batch the whole journey into one request; no other era can)."
    )
    said.append(
        f"These are medians of {result.runs} runs on loopback on a shared machine: read the"
        " ratios, not the milliseconds; over a 2008 WAN link the bytes would weigh more."
    )
    return said


def document(result: Comparison, facts: dict[str, str]) -> dict[str, Any]:
    """The report as data: what report.md says and what the core's help page shows."""
    per_operation = {
        "title": "Per operation: medians (p95 in brackets)",
        "columns": [
            "operation",
            "era",
            "request B",
            "response B",
            "wire B",
            "round trips",
            "client ms",
            "server ms",
            "client CPU ms",
        ],
        "numeric": [False, False, True, True, True, True, True, True, True],
        "rows": [
            [operation, era, *_cells(result, era, operation)]
            for operation in OPERATIONS
            for era in ERAS
        ],
    }
    journeys = {
        "title": "Per journey (sum of the medians)",
        "columns": [
            "era",
            "wire bytes",
            "client ms",
            "server ms",
            "client CPU ms",
            "contract bytes",
            "client code lines",
        ],
        "numeric": [False, True, True, True, True, True, True],
        "rows": [
            [
                era,
                *_totals(result, era),
                str(result.contract_bytes.get(era, 0)),
                f"{result.client_lines.get(era, 0)}"
                + (f" (+{result.generated_lines} generated)" if era == "SOAP" else ""),
            ]
            for era in ERAS
        ],
    }
    return {
        "title": "SOAP, REST and plain XML, side by side",
        "summary": (
            "The same journey (log in, search, book two passengers, check the PNR, cancel one,"
            f" log out) through the three eras of the same core, {result.runs} run(s) each,"
            " one server, fresh equivalent state for every journey."
        ),
        "meta": facts,
        "conclusions": conclusions(result),
        "charts": [{"file": name, "title": title} for name, (title, _, _) in CHARTS.items()],
        "tables": [per_operation, journeys],
        "raw": as_dict(result),
    }


def write_report(result: Comparison, folder: Path, target: str = "") -> Path:
    """report.md, report.json and the SVG charts in ``folder``; returns report.md's path."""
    facts = run_facts(result, target)  # before writing: the commit is the code that measured
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, unit, metric) in CHARTS.items():
        if not metric:
            continue
        series = {era: [result.median(era, op, metric) for op in OPERATIONS] for era in ERAS}
        (folder / name).write_text(grouped_bars(title, unit, list(OPERATIONS), series))
    (folder / "contracts.svg").write_text(
        grouped_bars(
            CHARTS["contracts.svg"][0],
            "KB / 100 lines",
            ["wire KB per journey", "contract KB", "client lines / 100"],
            {
                era: [
                    result.total(era, "wire_bytes") / 1000,
                    result.contract_bytes.get(era, 0) / 1000,
                    result.client_lines.get(era, 0) / 100,
                ]
                for era in ERAS
            },
        )
    )
    report = document(result, facts)
    (folder / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"# {report['title']}", "", report["summary"], ""]
    lines += [f"* **{key}**: {value}" for key, value in report["meta"].items()]
    lines += ["", "## What it says", ""]
    lines += [f"* {sentence}" for sentence in report["conclusions"]]
    lines += ["", "## Charts", ""]
    lines += [f"![{c['title']}]({c['file']})\n" for c in report["charts"]]
    for part in report["tables"]:
        lines += ["", f"## {part['title']}", ""]
        lines.append("| " + " | ".join(part["columns"]) + " |")
        lines.append("|" + "|".join("---:" if n else "---" for n in part["numeric"]) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in part["rows"]]
    lines += ["", "Every measurement of the run is in [report.json](report.json)."]
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
