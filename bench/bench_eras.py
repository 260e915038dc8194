"""SOAP vs REST vs plain XML, side by side in one run, over real HTTP on 127.0.0.1.

Starts a fresh core (its own process, a fresh database, simulated clock), plays the same journey
through the three eras ``--runs`` times with ``python -m soap_client compare``'s machinery,
prints the comparison table and the ratios of the journey totals to REST's, and writes the
Markdown report with its charts when ``--report DIR`` is given.

    .venv/bin/python bench/bench_eras.py [--runs 20] [--report docs/compare]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from soap_client.compare import ERAS, compare
from soap_client.compare.report import as_text, write_markdown

PASSWORD = "mmt-secret-2008"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        core = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "soap_server",
                "serve",
                "--port",
                "0",
                "--quiet",
                "--db",
                f"{folder}/core.sqlite3",
                "--clock",
                "offset:2025-11-20T09:00",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert core.stdout is not None
            port = re.search(r":(\d+)/", core.stdout.readline())
            assert port, "the core did not start"
            result = compare(f"http://127.0.0.1:{port.group(1)}/soap", "MMT", PASSWORD, args.runs)
        finally:
            core.terminate()
            core.wait(10)
    print(as_text(result))
    print()
    print("journey totals relative to REST (1.00 = REST):")
    for metric in ("wire_bytes", "client_ms", "server_ms", "cpu_ms"):
        rest = result.total("REST", metric) or 1.0
        ratios = ", ".join(f"{era} {result.total(era, metric) / rest:.2f}" for era in ERAS)
        print(f"  {metric:10} {ratios}")
    if args.report is not None:
        print(f"report: {write_markdown(result, args.report)}")


if __name__ == "__main__":
    main()
