"""SOAP vs REST vs plain XML, side by side in one run, over real HTTP on 127.0.0.1.

Starts a fresh core (its own process, a fresh database, simulated clock), plays the same journey
through the three eras ``--runs`` times with ``python -m soap_client compare``'s machinery,
prints the comparison table and the ratios of the journey totals to REST's, and writes the
Markdown report with its charts when ``--report DIR`` is given.

    .venv/bin/python bench/bench_eras.py [--runs 20] [--report docs/compare]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from core_runner import FreshCore
from soap_client.compare import ERAS, compare
from soap_client.compare.report import as_text, write_report

PASSWORD = "mmt-secret-2008"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        core = FreshCore(Path(folder), "offset:2025-11-20T09:00")
        try:
            result = compare(core.url, "MMT", PASSWORD, args.runs)
        finally:
            core.stop()
    print(as_text(result))
    print()
    print("journey totals relative to REST (1.00 = REST):")
    for metric in ("wire_bytes", "client_ms", "server_ms", "cpu_ms"):
        rest = result.total("REST", metric) or 1.0
        ratios = ", ".join(f"{era} {result.total(era, metric) / rest:.2f}" for era in ERAS)
        print(f"  {metric:10} {ratios}")
    if args.report is not None:
        where = "a fresh core started by bench_eras.py"
        print(f"report: {write_report(result, args.report, where)}")


if __name__ == "__main__":
    main()
