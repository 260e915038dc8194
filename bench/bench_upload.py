"""What a big chunked upload costs the core: resident memory of ``serve`` before and after.

::

    .venv/bin/python bench/bench_upload.py [--mb 200] [--path /rest/v1/sessions]

Starts ``python -m soap_server serve`` on a free port of 127.0.0.1 with a fresh database,
sends ``--mb`` megabytes to ``--path`` with ``Transfer-Encoding: chunked`` and no length, and
prints the server's resident set (VmRSS) before, its peak (VmHWM) after, the growth, the HTTP
status it answered and how much it let the client send. Linux only (reads /proc). Run it with
``PYTHONPATH`` pointing at an older checkout to measure that code the same way.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def memory(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(value) for key, value in re.findall(r"(VmRSS|VmHWM):\s+(\d+) kB", status)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--path", default="/rest/v1/sessions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "soap_server",
                "serve",
                "--port",
                "0",
                "--quiet",
                "--db",
                str(Path(folder) / "core.sqlite3"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            port = int(re.search(r":(\d+)/", process.stdout.readline()).group(1))  # type: ignore[union-attr]
            time.sleep(1.0)
            before = memory(process.pid)
            chunk = b"x" * (1024 * 1024)
            sent = 0
            answer = b""
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                sock.sendall(
                    f"POST {args.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n".encode()
                )
                try:
                    for _ in range(args.mb):
                        sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        sent += len(chunk)
                    sock.sendall(b"0\r\n\r\n")
                except OSError:
                    pass
                try:
                    while part := sock.recv(65536):
                        answer += part
                except OSError:
                    pass
            time.sleep(0.5)
            after = memory(process.pid)
        finally:
            process.terminate()
            process.wait(10)
    status = answer.split(b"\r\n", 1)[0].decode("latin-1") or "(no answer: connection cut)"
    print(f"offered {args.mb} MB chunked to {args.path}; the client got {sent / 2**20:.1f} MB out")
    print(f"answer: {status}")
    print(
        f"serve VmRSS before {before['VmRSS'] / 1024:.0f} MB, peak after"
        f" {after['VmHWM'] / 1024:.0f} MB: +{(after['VmHWM'] - before['VmRSS']) / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
