"""What codegen costs on the largest corpus WSDL, and what its output costs to import.

The WSDL is the corpus' generated one (``tests/client/large_wsdl.py``: about 1 MB, 27 bindings,
324 operations). Measured side by side in one run, medians of ``--n`` runs:

* ``codegen`` in-process: zeep's parse of the WSDL, the model and the writing, ruff's
  formatting, and the whole (``generate``);
* beside it, the baseline any zeep user pays anyway: ``zeep.Client`` on the same WSDL;
* import of the generated module in a fresh interpreter (the first one compiles it, the others
  read ``__pycache__``), against ``import soap_client.runtime`` (the runtime and zeep, which
  every generated module needs) as the baseline;
* a generated client's construction (zeep loads the WSDL: the same cost as the baseline).

Usage: ``.venv/bin/python bench/bench_codegen.py [--n 5]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zeep  # noqa: E402

from soap_client.codegen import Generator, Writer, format_source  # noqa: E402
from tests.client.large_wsdl import write_large_wsdl  # noqa: E402


def timed(fn: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def fresh(code: str, n: int, cwd: Path) -> list[float]:
    """``code`` in ``n + 1`` fresh interpreters that may write bytecode caches, as a user's do:
    the first compiles (it is returned first), the rest import from ``__pycache__``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    samples = []
    for _ in range(n + 1):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=cwd, env=env)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        wsdl = write_large_wsdl(folder)
        location = str(wsdl)
        parsed: list[Generator] = []
        written: list[str] = []

        def parse() -> None:
            parsed.append(Generator(location))

        def write() -> None:
            written.append(Writer(parsed[-1], wsdl.name).text())

        rows = [
            ("zeep.Client on the WSDL (baseline)", timed(lambda: zeep.Client(location), args.n)),
            ("codegen: zeep parse + model", timed(parse, args.n)),
            ("codegen: writing", timed(write, args.n)),
            ("codegen: ruff format", timed(lambda: format_source(written[-1]), args.n)),
        ]
        source = format_source(written[-1])
        (folder / "suite.py").write_text(source)
        whole = [a + b + c for a, b, c in zip(rows[1][1], rows[2][1], rows[3][1], strict=True)]
        rows.append(("codegen, whole", whole))
        path = str(ROOT)
        prelude = f"import sys; sys.path[:0] = [{path!r}, {scratch!r}]; "
        runtime = fresh(prelude + "import soap_client.runtime", args.n, folder)
        module = fresh(prelude + "import suite", args.n, folder)
        print(f"WSDL: {wsdl.stat().st_size:,} bytes; module: {len(source.splitlines()):,} lines")
        print(f"{'measure':44} {'median ms':>10} {'min ms':>9}")
        for name, samples in rows:
            print(f"{name:44} {statistics.median(samples):10.1f} {min(samples):9.1f}")
        runtime_ms, module_ms = statistics.median(runtime[1:]), statistics.median(module[1:])
        print(f"{'import soap_client.runtime (baseline)':44} {runtime_ms:10.1f}")
        print(f"{'import the generated module, first (compiles)':44} {module[0]:10.1f}")
        print(f"{'import the generated module, cached':44} {module_ms:10.1f}")
        base = statistics.median(rows[0][1])
        print(f"codegen / zeep.Client: {statistics.median(whole) / base:.2f}x")
        print(f"the module's own import: {module_ms - runtime_ms:.1f} ms on top of the runtime")


if __name__ == "__main__":
    main()
