"""The comparison as a terminal table, as JSON, and as a Markdown report with SVG charts."""

from __future__ import annotations

import dataclasses
import json
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


def write_markdown(result: Comparison, folder: Path) -> Path:
    """report.md and its charts in ``folder``; returns the report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = {
        "bytes.svg": ("Bytes on the wire per operation (median)", "bytes", "wire_bytes"),
        "client-time.svg": ("Client-side time per operation (median)", "ms", "client_ms"),
        "server-time.svg": ("Server-side time per operation (median)", "ms", "server_ms"),
        "cpu.svg": ("Client CPU per operation (median)", "ms", "cpu_ms"),
    }
    for name, (title, unit, metric) in charts.items():
        series = {era: [result.median(era, op, metric) for op in OPERATIONS] for era in ERAS}
        (folder / name).write_text(grouped_bars(title, unit, list(OPERATIONS), series))
    totals = {era: [result.total(era, "wire_bytes") / 1000] for era in ERAS}
    (folder / "contracts.svg").write_text(
        grouped_bars(
            "Contract size and client code",
            "KB / 100 lines",
            ["wire KB per journey", "contract KB", "client lines / 100"],
            {
                era: [
                    totals[era][0],
                    result.contract_bytes.get(era, 0) / 1000,
                    result.client_lines.get(era, 0) / 100,
                ]
                for era in ERAS
            },
        )
    )
    lines = [
        "# SOAP, REST and plain XML, side by side",
        "",
        f"The same journey (log in, search, book two passengers, check the PNR, cancel one,"
        f" log out) through the three eras of the same core, {result.runs} run(s) each,"
        " one server, fresh equivalent state for every journey. Medians; p95 in brackets.",
        "",
        "![bytes](bytes.svg)",
        "",
        "![client time](client-time.svg)",
        "",
        "![server time](server-time.svg)",
        "",
        "![client CPU](cpu.svg)",
        "",
        "![contracts](contracts.svg)",
        "",
        "| operation | era | request B | response B | wire B | round trips | client ms |"
        " server ms | client CPU ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for operation in OPERATIONS:
        for era in ERAS:
            lines.append(
                "| " + " | ".join([operation, era, *_cells(result, era, operation)]) + " |"
            )
    lines += [
        "",
        "| era | wire bytes per journey | client ms | server ms | client CPU ms | contract"
        " bytes | client code lines |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for era in ERAS:
        code = f"{result.client_lines.get(era, 0)}"
        if era == "SOAP":
            code += f" (+{result.generated_lines} generated)"
        contract = str(result.contract_bytes.get(era, 0))
        lines.append("| " + " | ".join([era, *_totals(result, era), contract, code]) + " |")
    lines.append("")
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
