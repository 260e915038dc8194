"""What it costs the travel agent to start: importing zeep, and loading the WSDL.

Measured side by side in one run:

* import time, each in a fresh interpreter: ``python -c pass`` (baseline), ``import zeep``,
  ``import soap_client.agent`` (zeep + requests + lxml + the agent);
* WSDL load from the committed file (what ``TravelAgent`` does), in a warm process;
* WSDL load over HTTP from a live core (``GET /soap?wsdl``), with no cache, with zeep's
  ``InMemoryCache`` and with its ``SqliteCache``, both warmed first;
* a whole ``TravelAgent`` construction (file WSDL + binding the endpoint).

Medians and p95 in milliseconds. Usage: ``.venv/bin/python bench/bench_zeep.py [--n 15]``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from werkzeug.serving import make_server
from zeep import Client
from zeep.cache import InMemoryCache, SqliteCache
from zeep.transports import Transport

from soap_client import WSDL_PATH
from soap_client.agent import TravelAgent
from soap_client.settings import safe_settings
from soap_server.settings import Settings
from soap_server.wsgi import create_app


def fresh_interpreter(code: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def repeated(fn: Callable[[], object], n: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float], baseline: float | None = None) -> str:
    median = statistics.median(samples)
    p95 = sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
    extra = f"  (+{median - baseline:.1f} over baseline)" if baseline is not None else ""
    return f"{name:52} {median:9.1f} {p95:9.1f}{extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=15)
    n = parser.parse_args().n
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the numbers

    print(f"{'measure (n=' + str(n) + ')':52} {'median ms':>9} {'p95 ms':>9}")
    base = fresh_interpreter("pass", n)
    baseline = statistics.median(base)
    print(row("fresh interpreter: python -c pass", base))
    print(row("fresh interpreter: import zeep", fresh_interpreter("import zeep", n), baseline))
    print(
        row(
            "fresh interpreter: import soap_client.agent",
            fresh_interpreter("import soap_client.agent", n),
            baseline,
        )
    )
    print(
        row(
            "fresh interpreter: import + load the WSDL file",
            fresh_interpreter(
                "from soap_client.settings import safe_settings; from soap_client import WSDL_PATH;"
                "import zeep; zeep.Client(str(WSDL_PATH), settings=safe_settings())",
                n,
            ),
            baseline,
        )
    )

    print(
        row(
            "warm process: WSDL from the committed file",
            repeated(lambda: Client(str(WSDL_PATH), settings=safe_settings()), n),
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(db_path=Path(tmp) / "core.sqlite3"))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/soap"
        try:
            print(
                row(
                    "warm process: WSDL over HTTP, no cache",
                    repeated(
                        lambda: Client(
                            f"{url}?wsdl", transport=Transport(), settings=safe_settings()
                        ),
                        n,
                    ),
                )
            )
            memory = InMemoryCache()
            print(
                row(
                    "warm process: WSDL over HTTP, InMemoryCache",
                    repeated(
                        lambda: Client(
                            f"{url}?wsdl",
                            transport=Transport(cache=memory),
                            settings=safe_settings(),
                        ),
                        n,
                    ),
                )
            )
            sqlite = SqliteCache(path=str(Path(tmp) / "zeep-cache.sqlite3"), timeout=3600)
            print(
                row(
                    "warm process: WSDL over HTTP, SqliteCache",
                    repeated(
                        lambda: Client(
                            f"{url}?wsdl",
                            transport=Transport(cache=sqlite),
                            settings=safe_settings(),
                        ),
                        n,
                    ),
                )
            )
            print(
                row(
                    "warm process: TravelAgent(...) construction",
                    repeated(lambda: TravelAgent(url, "MMT", "x"), n),
                )
            )
        finally:
            server.shutdown()
            server.server_close()
            app.close()


if __name__ == "__main__":
    main()
