"""``create_app(settings)``: the WSGI application of the reservation core.

One process, one ``Railway``, three eras: ``/soap`` (SOAP 1.1, ``?wsdl`` for the contract),
``/rest/v1`` (REST/JSON, ``/rest/v1/openapi.json``) and ``/xml`` (plain XML, the XSD on GET),
plus ``/healthz`` and a help page at ``/``. Every answer carries ``Server-Timing: app;dur=MS``,
the time spent inside the application. Configuration enters here and only here:
``build_railway(settings)`` builds the core's parts (catalog, store, clock, policy, the
simulation hook) from ``Settings``.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path
from typing import Any

from spyne.server.wsgi import WsgiApplication
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from soap_server import __version__
from soap_server.delivery import ENVIRON_KEY, Delivery
from soap_server.help import CoreFacts, HelpSite
from soap_server.help.samples import load_samples
from soap_server.plainxml import PlainXmlEndpoint
from soap_server.plainxml.endpoint import contract as plain_xml_contract
from soap_server.railway.agents import demo_agents, seed_rows
from soap_server.railway.catalog import load_catalog
from soap_server.railway.policy import Policy
from soap_server.railway.rulebook import RuleSet
from soap_server.railway.secretbox import SecretBox
from soap_server.railway.store import StoreError
from soap_server.railway.system import Hook, Railway
from soap_server.rest.api import RestApi
from soap_server.settings import Settings
from soap_server.simulation import Profile, Simulation
from soap_server.soap.app import build_facade, operation_names, wsdl_document
from soap_server.soap.endpoint import SoapEndpoint, StartResponse
from soap_server.storage import describe, is_url, open_store
from soap_server.xmlguard import Limits


class CoreApp:
    """The whole HTTP surface of the core, over one ``Railway``."""

    def __init__(self, settings: Settings, railway: Railway | None = None) -> None:
        self.settings = settings
        self.railway = railway or build_railway(settings)
        facade = build_facade(self.railway)
        application = facade.application
        self.soap_application = application
        self.soap_server = WsgiApplication(application)
        limits = Limits(
            max_body_bytes=settings.max_body_bytes,
            max_depth=settings.max_xml_depth,
            max_attributes=settings.max_xml_attributes,
            max_elements=settings.max_xml_elements,
        )
        self._wsdl = wsdl_document(application, settings.public_url, self.railway.rules_in_force())
        self.soap = SoapEndpoint(
            self.soap_server,
            self._wsdl,
            operation_names(application),
            limits,
            facade.reader,
        )
        self.rest = RestApi(self.railway, public_base(settings), settings.max_body_bytes)
        self.plain_xml = PlainXmlEndpoint(self.railway, limits)
        self._help: HelpSite | None = None
        self._help_lock = threading.Lock()
        self._urls = Map(
            [Rule(path, endpoint=name) for path, name in _ENDPOINTS.items()],
            strict_slashes=False,
        )
        self._entry: Callable[[dict[str, Any], StartResponse], Iterable[bytes]] = self._dispatch
        if settings.proxy_hops > 0:
            # The client address (registered networks, login throttling) is the last hop the
            # trusted proxies saw; without them X-Forwarded-For is the client's own claim.
            self._entry = ProxyFix(self._dispatch, x_for=settings.proxy_hops)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()

        def timed(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            elapsed = (time.perf_counter() - started) * 1000
            headers = [*headers, ("Server-Timing", f"app;dur={elapsed:.3f}")]
            return start_response(status, headers, exc_info)

        if not self.railway.hooks:  # nothing can lose an answer: stream it
            return self._entry(environ, timed)
        delivery = environ[ENVIRON_KEY] = Delivery()
        answer = b"".join(self._entry(environ, timed))
        if delivery.lost:
            cut_connection(environ)
        return [answer]

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        # The endpoints' own paths, exactly as sent, are what the map would match them to;
        # anything else (a trailing slash, a 404) goes through the map.
        endpoint = _ENDPOINTS.get(path)
        if endpoint is None:
            if path == "/rest/v1" or path.startswith("/rest/v1/"):
                return self.rest(environ, start_response)
            if HelpSite.handles(path):
                return self.help(Request(environ))(environ, start_response)
            adapter = self._urls.bind_to_environ(environ)
            try:
                endpoint, _ = adapter.match()
            except HTTPException as error:
                return error(environ, start_response)
        if endpoint == "soap":
            if environ.get("REQUEST_METHOD") == "GET" and not _asks_for_wsdl(environ):
                return self.help.soap(Request(environ))(environ, start_response)
            return self.soap(environ, start_response)
        if endpoint == "xml":
            return self.plain_xml(environ, start_response)
        return self._health(environ)(environ, start_response)

    @property
    def help(self) -> HelpSite:
        """The help site, built on its first page (it reads the contracts and the samples,
        which a worker that never serves a page need not pay for)."""
        with self._help_lock:
            if self._help is None:
                self._help = HelpSite(
                    self._wsdl,
                    self.rest.openapi,
                    plain_xml_contract(),
                    self._facts,
                    load_samples(),
                )
            return self._help

    def close(self) -> None:
        self.railway.close()

    def _health(self, environ: dict[str, Any]) -> Response:
        """What a load balancer needs: is this worker serving (its database answers), and is
        the core in a maintenance window. Nothing about the machine, the data or the clock; a
        core in demo mode adds the simulator's details for learners and the replay tool."""
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            response = Response(
                json.dumps({"status": "method not allowed"}) + "\n",
                status=405,
                mimetype="application/json",
            )
            response.headers["Allow"] = "GET, HEAD"
            return response
        serving = self.railway.store.healthy()
        profile = self.settings.profile
        body: dict[str, Any] = {
            "status": "ok" if serving else "unavailable",
            "maintenance": self.railway.maintenance_ends() is not None,
        }
        if self.settings.demo_mode and serving:
            with self.railway.store.read() as tx:
                bookings = tx.count("bookings")
            body["demo"] = {
                "version": __version__,
                "pid": os.getpid(),
                "clock": repr(self.railway.clock),
                "now": self.railway.clock.now().isoformat(),
                "database": describe(self.settings.database),
                "timetable": {
                    "source": self.railway.catalog.source,
                    "trains": len(self.railway.catalog.trains),
                },
                "bookings": bookings,
                "wsdl": f"{self.settings.public_url}?wsdl",
                "maintenance": [f"{a:%H:%M}-{b:%H:%M}" for a, b in self.railway.policy.maintenance],
                "profile": None if profile is None else profile.summary(),
                "rules": rules_summary(self.railway.rules_in_force()),
            }
        response = Response(
            json.dumps(body, indent=2) + "\n",
            status=200 if serving else 503,
            mimetype="application/json",
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def _facts(self) -> CoreFacts:
        profile = self.settings.profile
        rules = self.railway.rules_in_force()
        return CoreFacts(
            public_url=self.settings.public_url,
            base=public_base(self.settings),
            clock=repr(self.railway.clock),
            now=self.railway.clock.now(),
            maintenance=[f"{a:%H:%M}-{b:%H:%M}" for a, b in self.railway.policy.maintenance],
            profile=None if profile is None else f"{profile.name} ({profile.description})",
            demo=self.settings.demo_mode,
            agents=[(a.code, a.name, a.demo_password) for a in demo_agents()],
            rules=rules.name,
            rule_lines=[
                (line.topic.replace("_", " "), line.since.isoformat(), line.summary, line.source)
                for line in rules.describe()
            ],
        )


#: The routing map's rules by their exact paths (``CoreApp._dispatch``'s shortcut).
_ENDPOINTS = {"/soap": "soap", "/xml": "xml", "/healthz": "health"}


def _asks_for_wsdl(environ: dict[str, Any]) -> bool:
    query = environ.get("QUERY_STRING", "").lower()
    return query.split("&")[0].split("=")[0] in ("wsdl", "singlewsdl")


def rules_summary(rules: RuleSet) -> dict[str, Any]:
    """The rule set of the simulated day, as /healthz shows it."""
    return {
        "name": rules.name,
        "since": rules.since.isoformat(),
        "rules": {
            line.topic: {"since": line.since.isoformat(), "summary": line.summary}
            for line in rules.describe()
        },
    }


def cut_connection(environ: dict[str, Any]) -> None:
    """Lose the answer: the work is committed, the client sees the connection drop.

    Under werkzeug's server and gunicorn the socket is closed and a broken pipe raised, which
    both treat as a client that went away; in-process, the caller gets the exception.
    """
    connection = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    if connection is not None:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        connection.close()
    raise BrokenPipeError(errno.EPIPE, "the answer was lost (simulation profile)")


def public_base(settings: Settings) -> str:
    """The public root of the service: the SOAP public URL without its ``/soap``."""
    url = settings.public_url.rstrip("/")
    return url[: -len("/soap")] if url.endswith("/soap") else url


def from_environment() -> CoreApp:
    """The app configured from the environment, for a production WSGI server::

        IRCTC_DB=var/irctc.sqlite3 IRCTC_PROFILE=profiles/rush.toml \\
            gunicorn -w 2 -k gthread --threads 8 -b 127.0.0.1:8000 \\
            'soap_server.wsgi:from_environment()'

    ``IRCTC_DB`` is a SQLite file or a ``postgresql://`` URL. Also read: ``IRCTC_CLOCK``
    (``real`` by default), ``IRCTC_PUBLIC_URL``, ``IRCTC_DB_POOL`` (PostgreSQL connections
    per process, 10), ``IRCTC_DEMO`` (``1``: demo mode, the help pages show the demo passwords),
    ``IRCTC_PROXY_HOPS`` (trusted reverse proxies in front, e.g. 1 behind nginx),
    ``IRCTC_SECRETS_KEY`` (the key file sealing agents' passwords; every host of one database
    needs the same), ``IRCTC_CATALOG`` (a timetable file or directory instead of the bundled
    trains, as ``serve --catalog``). The active profile is logged.
    """

    from soap_server.railway.clock import parse_clock
    from soap_server.settings import DEFAULT_DB_PATH, DEFAULT_PUBLIC_URL
    from soap_server.simulation import load_profile

    profile = os.environ.get("IRCTC_PROFILE")
    timetable = os.environ.get("IRCTC_CATALOG")
    database = os.environ.get("IRCTC_DB", str(DEFAULT_DB_PATH))
    settings = Settings(
        db_path=DEFAULT_DB_PATH if is_url(database) else Path(database),
        db_url=database if is_url(database) else None,
        db_pool_size=int(os.environ.get("IRCTC_DB_POOL", "10")),
        public_url=os.environ.get("IRCTC_PUBLIC_URL", DEFAULT_PUBLIC_URL),
        clock=parse_clock(os.environ.get("IRCTC_CLOCK", "real")),
        profile=load_profile(Path(profile)) if profile else None,
        demo_mode=os.environ.get("IRCTC_DEMO", "") not in ("", "0"),
        proxy_hops=int(os.environ.get("IRCTC_PROXY_HOPS", "0")),
        catalog=load_catalog(Path(timetable)) if timetable else None,
    )
    settings = settings.with_secrets_key_from_environment()
    if settings.profile is not None:
        logging.getLogger("soap_server").warning(
            "simulation profile active: %s", json.dumps(settings.profile.summary())
        )
    try:
        return create_app(settings)
    except StoreError as error:
        # One line, then gunicorn's own "Worker failed to boot" (exit code 3 halts it).
        print(f"error: cannot open database {describe(database)}: {error}", file=sys.stderr)
        raise SystemExit(3) from None


def policy_of(settings: Settings) -> Policy:
    """The access rules of ``settings``, with a simulation profile's overrides applied: its
    idle minutes, its extra maintenance windows, and whether the nightly window stays."""
    profile = settings.profile
    idle = settings.session_idle_minutes
    if profile is not None and profile.session_idle_minutes is not None:
        idle = profile.session_idle_minutes
    start, end = settings.maintenance_start, settings.maintenance_end
    windows: tuple[tuple[dtime, dtime], ...] = ()
    if start is not None and end is not None and (profile is None or profile.nightly_maintenance):
        windows = ((start, end),)
    if profile is not None:
        windows += profile.extra_maintenance
    return Policy(
        session_idle=timedelta(minutes=idle),
        login_failures_allowed=settings.login_failures_allowed,
        login_throttle=timedelta(minutes=settings.login_throttle_minutes),
        wsse_max_age=timedelta(seconds=settings.wsse_max_age_seconds),
        wsse_future_skew=timedelta(seconds=settings.wsse_future_skew_seconds),
        maintenance=windows,
    )


def simulation_of(profile: Profile, store: object) -> Simulation:
    """The profile's simulation on real time: its counts in this process, or in the store
    when the store is shared by several app hosts (PostgreSQL), with wall-clock seconds for
    the rate limiter since monotonic clocks of two hosts can't be compared."""
    tally = getattr(store, "tally", None)
    if tally is None:
        return Simulation(profile, sleep=time.sleep, monotonic=time.monotonic)
    return Simulation(profile, sleep=time.sleep, monotonic=time.time, tally=tally())


def build_railway(settings: Settings, hooks: Sequence[Hook] | None = None) -> Railway:
    """The core's parts from ``settings``: the store (created and seeded if new), the catalog,
    the clock, the policy, and the simulation hook when a profile is set (``hooks``, if
    given, instead: a simulation on a test's own clocks, say)."""
    store = open_store(settings.database, settings.db_busy_timeout_ms, settings.db_pool_size)
    box = SecretBox.from_key_file(settings.secrets_key_path)
    try:
        store.initialise(seed_rows(settings.password_hashing, box))
    except BaseException:
        store.close()
        raise
    if hooks is None:
        hooks = ()
        if settings.profile is not None:  # real time for the simulation's latency and limiter
            hooks = (simulation_of(settings.profile, store),)
    return Railway(
        settings.catalog or load_catalog(),
        store,
        settings.clock,
        policy_of(settings),
        hooks,
        hashing=settings.password_hashing,
        box=box,
    )


def create_app(settings: Settings, railway: Railway | None = None) -> CoreApp:
    """The WSGI application over ``railway``, or over a core built from ``settings``."""
    return CoreApp(settings, railway)
