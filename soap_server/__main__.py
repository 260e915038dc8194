"""Command line of the reservation core: ``serve``, ``migrate``, ``export-wsdl`` and ``demo``.

Errors a user can cause (a bad flag, a busy port, an unwritable database path) end with one line
on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from soap_server.railway.clock import parse_clock
from soap_server.serving import ReadTimeouts
from soap_server.settings import DEFAULT_DB_PATH, DEFAULT_PUBLIC_URL, Settings

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_WSDL = ROOT / "wsdl" / "irctc_reservation_v1.wsdl"
COMMITTED_OPENAPI = ROOT / "openapi" / "irctc_rest_v1.json"


class UsageError(Exception):
    """A mistake in how the command was called; reported as one line, exit code 2."""


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is outside 0-65535")
    return port


#: ``--clock sample``: the clock the committed samples were recorded on (samples/manifest.toml).
SAMPLE_CLOCK = "fixed:2025-11-20T09:00:00+05:30"


def _clock(value: str) -> object:
    if value.strip().lower() == "sample":
        value = SAMPLE_CLOCK
    try:
        return parse_clock(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr, not the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m soap_server", description="The IRCTC-like reservation core (SOAP 1.1)."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="serve the SOAP endpoint over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="TCP port, 0 for any free one")
    serve.add_argument(
        "--db",
        default=str(DEFAULT_DB_PATH),
        help="a SQLite file or a postgresql:// URL (default var/irctc.sqlite3)",
    )
    serve.add_argument(
        "--clock",
        type=_clock,
        default=parse_clock("real"),
        help="real | fixed:ISO-DATETIME | offset:ISO-DATETIME (simulated IST time) | sample"
        f" (the samples' clock, {SAMPLE_CLOCK}); default real",
    )
    serve.add_argument(
        "--public-url",
        help="address published in the WSDL (default http://HOST:PORT/soap)",
    )
    serve.add_argument("--session-idle-minutes", type=int, default=15)
    serve.add_argument(
        "--no-maintenance", action="store_true", help="disable the nightly 23:45-00:20 window"
    )
    serve.add_argument(
        "--profile", type=Path, help="a simulation profile (TOML), e.g. profiles/flaky.toml"
    )
    serve.add_argument(
        "--catalog",
        type=Path,
        help="a timetable instead of the bundled trains: a TOML file shaped like"
        " soap_server/railway/data/trains.toml, or a directory of them (plus stations.csv)",
    )
    serve.add_argument("--quiet", action="store_true", help="no per-request log lines")
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=ReadTimeouts.header_timeout,
        help="seconds a client has to send its request headers (10)",
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        default=ReadTimeouts.body_timeout,
        help="seconds a client has to send its request body after the headers (30)",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="demo mode (the main job): the help page lists the demo agents' passwords",
    )

    migrate = commands.add_parser(
        "migrate", help="bring a database's schema up to this release (creating it if new)"
    )
    migrate.add_argument(
        "--db",
        default=str(DEFAULT_DB_PATH),
        help="a SQLite file or a postgresql:// URL (default var/irctc.sqlite3)",
    )

    export = commands.add_parser("export-wsdl", help="write the WSDL contract")
    export.add_argument("-o", "--output", type=Path, default=COMMITTED_WSDL)
    export.add_argument("--public-url", default=DEFAULT_PUBLIC_URL)

    openapi = commands.add_parser("export-openapi", help="write the REST OpenAPI contract")
    openapi.add_argument("-o", "--output", type=Path, default=COMMITTED_OPENAPI)
    openapi.add_argument("--public-url", default=DEFAULT_PUBLIC_URL)

    demo = commands.add_parser(
        "demo", help="start a fresh core, play the travel agent's journey against it, stop"
    )
    demo.add_argument(
        "--folder",
        type=Path,
        default=Path("var") / "demo",
        help="where the demo's database, ledger and log go (emptied first)",
    )
    demo.add_argument("--clock", help="clock spec (default offset:TODAYT09:00 IST)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "export-wsdl":
            return _export_wsdl(args.output, args.public_url)
        if args.command == "export-openapi":
            return _export_openapi(args.output, args.public_url)
        if args.command == "serve":
            return _serve(args)
        if args.command == "migrate":
            return _migrate(args.db)
        if args.command == "demo":
            return _demo(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    raise AssertionError(args.command)


def _export_wsdl(output: Path, public_url: str) -> int:
    from soap_server.soap.app import build_application, wsdl_document

    return _write(output, wsdl_document(build_application(), public_url))


def _export_openapi(output: Path, public_url: str) -> int:
    from soap_server.rest.openapi import render
    from soap_server.wsgi import public_base

    return _write(output, render(public_base(Settings(public_url=public_url))))


def _write(output: Path, document: bytes) -> int:
    if str(output) == "-":
        sys.stdout.buffer.write(document)
        return 0
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(document)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None
    print(f"wrote {output} ({len(document)} bytes)")
    return 0


def _migrate(db: str) -> int:
    from soap_server.railway.agents import seed_rows
    from soap_server.railway.passwords import Scrypt
    from soap_server.railway.secretbox import SecretBox
    from soap_server.railway.store import StoreError
    from soap_server.storage import describe, is_url, open_store

    where = Settings(db_url=db) if is_url(db) else Settings(db_path=Path(db))
    where = where.with_secrets_key_from_environment()
    store = open_store(db)
    try:
        box = SecretBox.from_key_file(where.secrets_key_path)
        before, after = store.migrate(seed_rows(Scrypt(), box))
    except (StoreError, OSError) as error:
        raise UsageError(f"cannot migrate {describe(db)}: {error}") from None
    finally:
        store.close()
    if before is None:
        print(f"{describe(db)}: created at schema version {after}")
    elif before == after:
        print(f"{describe(db)}: already at schema version {after}")
    else:
        print(f"{describe(db)}: migrated from schema version {before} to {after}")
    return 0


def _settings(args: argparse.Namespace, public_url: str) -> Settings:
    from soap_server.storage import is_url

    settings = Settings(public_url=public_url, clock=args.clock)
    settings = settings.with_secrets_key_from_environment()
    if is_url(args.db):
        settings = replace(settings, db_url=args.db)
    else:
        settings = replace(settings, db_path=Path(args.db))
    if getattr(args, "session_idle_minutes", None) is not None:
        if args.session_idle_minutes < 1:
            raise UsageError("--session-idle-minutes must be at least 1")
        settings = replace(settings, session_idle_minutes=args.session_idle_minutes)
    if getattr(args, "demo", False):
        settings = replace(settings, demo_mode=True)
    if getattr(args, "no_maintenance", False):
        settings = replace(settings, maintenance_start=None, maintenance_end=None)
    if getattr(args, "catalog", None) is not None:
        from soap_server.railway.catalog import CatalogError, load_catalog

        try:
            settings = replace(settings, catalog=load_catalog(args.catalog))
        except CatalogError as error:
            raise UsageError(f"--catalog: {error}") from None
    if getattr(args, "profile", None) is not None:
        from soap_server.simulation import ProfileError, load_profile

        try:
            settings = replace(settings, profile=load_profile(args.profile))
        except ProfileError as error:
            raise UsageError(str(error)) from None
    return settings


def _bind(host: str, port: int, app: object, timeouts: ReadTimeouts) -> object:
    """A threaded WSGI server on host:port with bounded read times (``serving.py``); a busy
    port is a one-line UsageError.

    The socket is bound here rather than by werkzeug, which would print its own paragraph and
    exit on a busy port.
    """
    import socket

    from soap_server.serving import make_server

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use: pick another with --port"
                " (0 picks a free one)"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    server = make_server(host, port, app, timeouts, fd=listener.fileno())
    listener.close()  # the server holds its own duplicate of the descriptor
    return server


def _open_app(settings: Settings) -> object:
    from soap_server.railway.store import StoreError
    from soap_server.storage import describe
    from soap_server.wsgi import create_app

    try:
        return create_app(settings)
    except (StoreError, OSError) as error:
        raise UsageError(f"cannot open database {describe(settings.database)}: {error}") from None


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if min(args.header_timeout, args.body_timeout) <= 0:
        raise UsageError("--header-timeout and --body-timeout must be positive")
    timeouts = ReadTimeouts(
        args.header_timeout, args.body_timeout, min(args.header_timeout, args.body_timeout)
    )
    server = _bind(args.host, args.port, None, timeouts)
    port = server.port  # type: ignore[attr-defined]
    public_url = args.public_url or f"http://{args.host}:{port}/soap"
    settings = _settings(args, public_url)
    app = _open_app(settings)
    server.app = app  # type: ignore[attr-defined]
    print(f"IRCTC reservation core listening on http://{args.host}:{port}/", flush=True)
    print(f"  WSDL:  {public_url}?wsdl", flush=True)
    from soap_server.storage import describe

    print(f"  DB:    {describe(settings.database)}   clock: {settings.clock!r}", flush=True)
    if settings.catalog is not None:
        trains = len(settings.catalog.trains)
        print(f"  timetable: {settings.catalog.source} ({trains} trains)", flush=True)
    if settings.profile is not None:
        import json

        summary = json.dumps(settings.profile.summary())
        print(f"  profile: {settings.profile.name} ({settings.profile.description})", flush=True)
        logging.getLogger("soap_server").warning("simulation profile active: %s", summary)
    try:
        server.serve_forever()  # type: ignore[attr-defined]
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()  # type: ignore[attr-defined]
        app.close()  # type: ignore[attr-defined]
    return 0


def _demo(args: argparse.Namespace) -> int:
    """The main job: a fresh core on a free port, the travel agent's journey against it over
    HTTP with every envelope traced, then a clean stop. The two sides meet only here, and only
    as separate processes: the agent knows nothing but the URL and its credentials."""
    import shutil
    import subprocess
    from datetime import datetime

    # The two sides meet here only as processes: the core is started through the neutral
    # core_runner, the travel agent's journey runs as ``python -m soap_client``.
    from core_runner import CoreNotStarted, FreshCore
    from soap_server.railway.agents import demo_agents
    from soap_server.railway.clock import IST

    folder: Path = args.folder
    clock = args.clock or f"offset:{datetime.now(IST):%Y-%m-%d}T09:00"
    try:
        parse_clock(clock)
    except ValueError as error:
        raise UsageError(f"--clock: {error}") from None
    shutil.rmtree(folder, ignore_errors=True)
    log_path = folder / "core.log"
    print(f"== Starting the reservation core (database {folder / 'core.sqlite3'}, clock {clock})")
    try:
        core = FreshCore(folder, clock, quiet=False, demo=True)
    except CoreNotStarted as error:
        raise UsageError(str(error)) from None
    try:
        url = core.url
        print(f"== The core answers at {url} (WSDL: {url}?wsdl); log in {log_path}", flush=True)
        agent = demo_agents()[0]
        print(
            f"== The travel agent {agent.code} ({agent.name}) plays its journey, --trace on",
            flush=True,
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "soap_client",
                "--url",
                url,
                "--agent",
                agent.code,
                "--password",
                agent.demo_password,
                "--ledger",
                str(folder / f"ledger-{agent.code}.sqlite3"),
                "--trace",
                "journey",
            ],
            check=False,
        )
    finally:
        core.stop()
    outcome = "completed" if done.returncode == 0 else f"failed (exit code {done.returncode})"
    print(
        f"\n== Journey {outcome}; the core has stopped. Its database and the agent's ledger"
        f" are in {folder}/"
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
