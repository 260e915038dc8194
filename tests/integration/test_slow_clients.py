"""Slow and broken clients against the real servers the project starts (issue 11, defects 4-6).

Connections that send half a request must not keep legitimate partners out, and must be closed
when their deadline passes; a Content-Length larger than the body is answered 408; broken
chunked framing is a 400 in the facade's shape; a huge chunked upload is not read. Each server
runs as its own process on 127.0.0.1 with short deadlines so the test stays quick: ``serve``
(werkzeug, what the main job and the tools start) and gunicorn with the project's worker.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests
from lxml import etree

from tests.conftest import PASSWORDS, TNS, envelope
from tests.support import READER, core_process

ROOT = Path(__file__).resolve().parents[2]
HEADER_TIMEOUT = 2.0
BODY_TIMEOUT = 3.0
#: A clock outside the nightly maintenance window (on the real clock the logins here would be
#: refused from 23:45 to 00:20 IST).
CLOCK = "fixed:2025-11-20T09:00:00+05:30"
LOGIN = envelope(
    f"<tns:Login><tns:AgentId>MMT</tns:AgentId><tns:Password>{PASSWORDS['MMT']}</tns:Password>"
    "</tns:Login>"
)


@contextmanager
def gunicorn_core(tmp_path: Path, threads: int = 4) -> Iterator[str]:
    """One gunicorn worker with ``threads`` threads and the project's bounded worker class."""
    environment = {
        **os.environ,
        "IRCTC_DB": str(tmp_path / "core.sqlite3"),
        "IRCTC_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "IRCTC_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "IRCTC_IDLE_TIMEOUT": str(HEADER_TIMEOUT),
        "IRCTC_CLOCK": CLOCK,
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-w",
            "1",
            "-k",
            "soap_server.serving.BoundedThreadWorker",
            "--threads",
            str(threads),
            "-b",
            "127.0.0.1:0",
            "--chdir",
            str(ROOT),
            "soap_server.wsgi:from_environment()",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    try:
        assert process.stdout is not None
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", process.stdout.readline())
            url = found.group(1) if found else None
        assert url, "gunicorn did not start"
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(params=["serve", "gunicorn"])
def core(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "serve":
        with core_process(
            "--db",
            str(tmp_path / "core.sqlite3"),
            "--quiet",
            "--clock",
            CLOCK,
            "--header-timeout",
            str(HEADER_TIMEOUT),
            "--body-timeout",
            str(BODY_TIMEOUT),
        ) as (base, _):
            yield base
    else:
        with gunicorn_core(tmp_path) as base:
            yield base


def connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def login_works(base: str) -> bool:
    answer = requests.post(
        f"{base}/soap", data=LOGIN, headers={"Content-Type": "text/xml"}, timeout=8
    )
    return bool(etree.fromstring(answer.content, READER).findtext(f".//{{{TNS}}}SessionToken"))


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection (EOF or reset) within ``within`` seconds;
    whatever it sends first (an answer) is read and skipped."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_half_sent_requests_neither_block_logins_nor_live_forever(core: str) -> None:
    with ExitStack() as stack:
        stalled = []
        for n in range(12):  # more than the worker's threads
            sock = stack.enter_context(connect(core))
            if n % 2:  # headers, then part of the body
                sock.sendall(
                    b"POST /soap HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
                    b"Content-Length: 500\r\n\r\n<soapenv:Envelope"
                )
            else:  # part of the headers
                sock.sendall(b"POST /soap HTTP/1.1\r\nHost: x\r\nContent-Ty")
            stalled.append(sock)
        time.sleep(0.5)
        assert login_works(core)
        started = time.monotonic()
        closed = [closed_by_server(sock, HEADER_TIMEOUT + BODY_TIMEOUT + 5) for sock in stalled]
        assert all(closed), closed
        assert time.monotonic() - started < HEADER_TIMEOUT + BODY_TIMEOUT + 5
    assert login_works(core)


def test_a_trickle_of_header_bytes_does_not_stretch_the_deadline(core: str) -> None:
    with connect(core) as sock:
        started = time.monotonic()
        sock.sendall(b"POST /soap HTTP/1.1\r\n")
        closed = False
        for _ in range(int(4 * HEADER_TIMEOUT / 0.25)):
            try:
                sock.sendall(b"X")  # one byte a quarter second: never idle
            except OSError:
                closed = True
                break
            time.sleep(0.25)
        closed = closed or closed_by_server(sock, HEADER_TIMEOUT)
        assert closed
        assert time.monotonic() - started < 4 * HEADER_TIMEOUT


def test_a_body_shorter_than_its_length_is_answered_408(core: str) -> None:
    with connect(core) as sock:
        sock.sendall(
            b"POST /rest/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 400\r\n\r\n{"agent": "MMT"'
        )
        sock.settimeout(BODY_TIMEOUT + 10)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = answer.split(b"\r\n", 1)[0]
    assert b" 408 " in status, answer[:300]
    assert b"RequestTimeout" in answer


@pytest.mark.parametrize(
    ("path", "content_type", "shape"),
    [
        ("/soap", "text/xml", b"<tns:Code>MalformedRequest</tns:Code>"),
        ("/rest/v1/sessions", "application/json", b'"code": "MalformedRequest"'),
        ("/xml", "text/xml", b'code="MalformedRequest"'),
    ],
)
def test_broken_chunk_framing_is_a_400_on_a_real_server(
    core: str, path: str, content_type: str, shape: bytes
) -> None:
    with connect(core) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".encode()
        )
        sock.settimeout(20)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == b"400", answer[:400]
    assert shape in answer, answer[:600]


def test_a_huge_chunked_upload_is_refused_after_the_limit(core: str) -> None:
    """20 MB offered without a length: the server answers 413 after reading its 64 KiB and
    closes; the client is stopped long before it has sent it all."""
    chunk = b"x" * 65536
    sent = 0
    with connect(core) as sock:
        sock.sendall(
            b"POST /rest/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        try:
            while sent < 20 * 1024 * 1024:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:
            pass
        sock.settimeout(20)
        answer = b""
        try:
            while part := sock.recv(65536):
                answer += part
        except OSError:
            pass
    assert b" 413 " in answer.split(b"\r\n", 1)[0] or sent < 20 * 1024 * 1024, answer[:300]
    if answer:
        assert b"RequestTooLarge" in answer
