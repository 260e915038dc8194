"""``HelpSite``: the pages a person opens in a browser, the .asmx test page of the SOAP era.

``GET /`` (the service at a glance), ``GET /soap`` and ``GET /soap?op=Book`` (a page per SOAP
operation, the ASMX convention), ``/help/rest/...`` and ``/help/xml/...`` (the same for the
other two eras), ``/help/wsdl`` (the WSDL for people; ``/soap?wsdl`` stays the raw document),
``/help/samples``, ``/help/report`` (the SOAP/REST/XML comparison) and ``/help/static/...``.
Pages are built from the contracts the core serves and from ``samples/``; nothing is fetched
from anywhere else, and every page forbids scripts and styles from other origins.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from soap_server.help import examples
from soap_server.help.contracts import OpenApi, PlainXml, Wsdl, read_wsdl, read_xsd
from soap_server.help.pages import (
    Form,
    Tab,
    code,
    details,
    esc,
    layout,
    link,
    pre,
    session_box,
    table,
    tree,
    try_it,
)
from soap_server.help.samples import Sample, Samples, form_body, mask_password, shift_dates
from soap_server.railway.operations import OPERATIONS

REPORT_DIR = Path(__file__).resolve().parents[2] / "docs" / "compare"
SECURITY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
    " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_STATIC = {"site.css": "text/css", "site.js": "text/javascript"}
_CHART = re.compile(r"^[a-z0-9-]+\.svg$")


@dataclass(frozen=True)
class CoreFacts:
    """What the pages say about the running core; read fresh for every page."""

    public_url: str  # the SOAP endpoint as published
    base: str  # the public root
    clock: str
    now: datetime
    maintenance: Sequence[str]
    profile: str | None
    demo: bool
    agents: Sequence[tuple[str, str, str]]  # code, name, demo password
    rules: str = ""  # the name of the rule set of the simulated day
    rule_lines: Sequence[tuple[str, str, str, str]] = ()  # topic, since, summary, source


class HelpSite:
    def __init__(
        self,
        wsdl: bytes,
        openapi: bytes,
        xsd: bytes,
        facts: Callable[[], CoreFacts],
        samples: Samples | None,
        report_dir: Path = REPORT_DIR,
    ) -> None:
        self.wsdl_document = wsdl
        self.wsdl: Wsdl = read_wsdl(wsdl)
        self.openapi = OpenApi(json.loads(openapi))
        self.xsd: PlainXml = read_xsd(xsd)
        self.facts = facts
        self.samples = samples
        self.report_dir = report_dir

    # -- routing ---------------------------------------------------------------------------------
    @staticmethod
    def handles(path: str) -> bool:
        return path in ("/", "") or path == "/help" or path.startswith("/help/")

    def __call__(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        if request.method not in ("GET", "HEAD"):
            return self._text("405 the help pages are read with GET", 405, {"Allow": "GET, HEAD"})
        if path.startswith("/help/static/"):
            return self._static(path.rpartition("/")[2])
        facts = self.facts()
        routes: dict[str, Callable[[], tuple[Tab, str] | None]] = {
            "/": lambda: self._index(facts),
            "/help": lambda: self._index(facts),
            "/help/rest": lambda: self._rest_index(facts),
            "/help/xml": lambda: self._xml_index(facts),
            "/help/wsdl": lambda: self._wsdl_page(facts),
            "/help/samples": lambda: self._samples_page(),
            "/help/report": lambda: self._report(),
        }
        if path == "/help/report.json":
            return self._report_file("report.json", "application/json")
        if path.startswith("/help/report/"):
            name = path.rpartition("/")[2]
            if _CHART.match(name):
                return self._report_file(name, "image/svg+xml")
        page: tuple[Tab, str] | None = None
        if path in routes:
            page = routes[path]()
        elif path.startswith("/help/rest/"):
            page = self._rest_page(facts, path.rpartition("/")[2])
        elif path.startswith("/help/xml/"):
            page = self._xml_page(facts, path.rpartition("/")[2])
        if page is None:
            return self._not_found(facts, path)
        return self._html(*page, facts)

    def soap(self, request: Request) -> Response:
        """``GET /soap`` (the operations) and ``GET /soap?op=NAME`` (one operation)."""
        facts = self.facts()
        name = request.args.get("op")
        if name is None:
            return self._html(*self._soap_index(facts), facts)
        page = self._soap_page(facts, name)
        if page is None:
            return self._not_found(facts, f"/soap?op={name}")
        return self._html(*page, facts)

    # -- responses -------------------------------------------------------------------------------
    def _html(self, tab: Tab, body: str, facts: CoreFacts, status: int = 200) -> Response:
        response = Response(layout(tab, body, self._status(facts)), status, mimetype="text/html")
        response.headers["Content-Security-Policy"] = SECURITY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        return response

    @staticmethod
    def _text(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
        response = Response(text + "\n", status, mimetype="text/plain")
        response.headers.update(headers or {})
        return response

    def _not_found(self, facts: CoreFacts, path: str) -> Response:
        body = (
            f"<h1>Not found</h1><p>There is no help page at {code(path)}.</p>"
            f"<p>Start from the {link('/', 'overview')}.</p>"
        )
        return self._html(Tab("", "Not found"), body, facts, 404)

    def _static(self, name: str) -> Response:
        if name not in _STATIC:
            return self._text("no such file", 404)
        data = (resources.files("soap_server.help") / "static" / name).read_bytes()
        response = Response(data, mimetype=_STATIC[name])
        response.headers["Cache-Control"] = "max-age=300"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def _report_file(self, name: str, mimetype: str) -> Response:
        try:
            data = (self.report_dir / name).read_bytes()
        except OSError:
            return self._text(f"no {name} in {self.report_dir}", 404)
        response = Response(data, mimetype=mimetype or mimetypes.guess_type(name)[0])
        response.headers["X-Content-Type-Options"] = "nosniff"
        if mimetype == "image/svg+xml":
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; style-src 'unsafe-inline'"
            )
        return response

    # -- shared pieces ---------------------------------------------------------------------------
    def _status(self, facts: CoreFacts) -> str:
        profile = facts.profile or "none"
        windows = ", ".join(facts.maintenance) or "none"
        return (
            '<div class="status">'
            f"<span><b>Clock</b> {code(facts.clock)}</span>"
            f"<span><b>Now</b> {esc(facts.now.strftime('%a %d %b %Y %H:%M IST'))}</span>"
            f"<span><b>Maintenance</b> {esc(windows)}</span>"
            f"<span><b>Simulation profile</b> {esc(profile)}</span>"
            + (f"<span><b>Rules</b> {esc(facts.rules)}</span>" if facts.rules else "")
            + "</div>"
        )

    def _today_shift(self, text: str, facts: CoreFacts) -> str:
        if self.samples is None:
            return text
        return shift_dates(text, self.samples.today, facts.now.date())

    def _session(self, facts: CoreFacts, era: str) -> str:
        agents = [(a, pw if facts.demo else None) for a, _, pw in facts.agents]
        login = self._login_form(facts, era)
        return session_box(login, agents, facts.demo)

    def _login_form(self, facts: CoreFacts, era: str) -> Form:
        if era == "rest":
            example = examples.REST["login"]
            return Form(example.method, example.path, example.headers, example.body, "json")
        if era == "xml":
            example = examples.PLAIN_XML["Login"]
            return Form(example.method, example.path, example.headers, example.body, "xml")
        body = (
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
            f' xmlns:tns="{self.wsdl.namespace}">\n  <soapenv:Body>\n    <tns:Login>\n'
            "      <tns:AgentId>{{AGENT}}</tns:AgentId>\n"
            "      <tns:Password>{{PASSWORD}}</tns:Password>\n"
            "    </tns:Login>\n  </soapenv:Body>\n</soapenv:Envelope>"
        )
        return Form(
            "POST",
            "/soap",
            (("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", '"Login"')),
            body,
            "xml",
        )

    def _example_form(self, example: examples.Example | None, facts: CoreFacts, name: str) -> str:
        if example is None:
            return ""
        return try_it(
            Form(
                example.method,
                self._today_shift(example.path, facts),
                example.headers,
                self._today_shift(example.body, facts),
                example.kind,
            ),
            f"Try {name}",
        )

    def _shown(self, text: str, facts: CoreFacts) -> str:
        return text if facts.demo else mask_password(text)

    # -- the overview ----------------------------------------------------------------------------
    def _index(self, facts: CoreFacts) -> tuple[Tab, str]:
        base, url = facts.base, facts.public_url
        rows = []
        for operation in OPERATIONS:
            soap_name = operation.name
            rest_id, xml_name = examples.era_names(operation)
            rest_op = self.openapi.operation(rest_id)
            rows.append(
                [
                    link(f"/soap?op={soap_name}", soap_name),
                    link(f"/help/rest/{rest_id}", f"{rest_op.method} {rest_op.path}")
                    if rest_op
                    else "",
                    link(f"/help/xml/{xml_name}", f"<{xml_name}>"),
                    esc(operation.summary)
                    + ("" if operation.session else " <span class=badge>no session</span>"),
                ]
            )
        eras = table(
            ["era", "endpoint", "contract", "client in soap_client/eras/"],
            [
                [
                    "early 2000s: plain XML over HTTP",
                    code(f"POST {base}/xml"),
                    link(f"{base}/xml", "XSD") + " · " + link("/help/xml", "pages"),
                    code("plainxml.py") + " (lxml by hand)",
                ],
                [
                    "mid 2000s-2015: SOAP 1.1, document/literal",
                    code(f"POST {url}"),
                    link(f"{url}?wsdl", "WSDL") + " · " + link("/help/wsdl", "readable"),
                    code("soap.py") + " (the generated client on zeep)",
                ],
                [
                    "after 2015: REST/JSON",
                    code(f"{base}/rest/v1/..."),
                    link(f"{base}/rest/v1/openapi.json", "OpenAPI 3.1")
                    + " · "
                    + link("/help/rest", "pages"),
                    code("rest.py") + " (requests)",
                ],
            ],
        )
        operations = table(["SOAP operation", "REST", "plain XML", "what it does"], rows)
        password = "PASSWORD"
        agents_part = ""
        if facts.demo:
            password = facts.agents[0][2] if facts.agents else password
            agents_part = (
                "<h2>Demo agents</h2>"
                + table(
                    ["agent", "name", "demo password"],
                    [[code(a), esc(n), code(pw)] for a, n, pw in facts.agents],
                )
                + (
                    '<p class="muted">Demo mode: these are the seeded demo accounts. The database '
                    "holds only their scrypt hashes; five wrong passwords lock an agent for a"
                    " while.</p>"
                )
            )
        else:
            agents_part = (
                "<h2>Agents</h2><p>Partners log in with the agent id and password of their "
                "contract. The demo accounts' passwords are shown here only when the core runs "
                f"in demo mode ({code('python -m soap_server demo')} or "
                f"{code('serve --demo')}).</p>"
            )
        first = facts.agents[0][0] if facts.agents else "MMT"
        curl = (
            f"curl -s {url} -H 'Content-Type: text/xml; charset=utf-8'"
            " -H 'SOAPAction: \"Login\"' -d '\n"
            '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"\n'
            f'                  xmlns:tns="{self.wsdl.namespace}">\n'
            f"  <soapenv:Body><tns:Login><tns:AgentId>{first}</tns:AgentId>\n"
            f"    <tns:Password>{password}</tns:Password></tns:Login></soapenv:Body>\n"
            "</soapenv:Envelope>'"
        )
        rest_curl = (
            f"TOKEN=$(curl -s {base}/rest/v1/sessions -H 'Content-Type: application/json' \\\n"
            f'     -d \'{{"agent": "{first}", "password": "{password}"}}\' '
            "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')\n"
            f'curl -s "{base}/rest/v1/trains?from=NDLS&to=BCT&date=YYYY-MM-DD" '
            '-H "Authorization: Bearer $TOKEN"'
        )
        zeep = (
            "from zeep import Client\n\n"
            f'client = Client("{url}?wsdl")\n'
            f'session = client.service.Login(AgentId="{first}", Password="{password}")\n'
            'header = {"SessionHeader": {"SessionToken": session.SessionToken}}\n'
            'trains = client.service.SearchTrain(From="NDLS", To="BCT", JourneyDate="YYYY-MM-DD",\n'
            "                                    _soapheaders=header)"
        )
        agent_cli = (
            f"python -m soap_client --url {url} --agent {first} --password {password} \\\n"
            "    search NDLS BCT YYYY-MM-DD\n"
            f"python -m soap_client --url {url} --password {password} journey   # the whole story"
        )
        body = (
            "<h1>IRCTC reservation core</h1>"
            '<p class="lead">One railway reservation core (trains, seats, fares, PNRs, RAC and '
            "waitlists) for authorised travel agents, served the way partners integrated over "
            "three eras. Every page here is built from the contracts the core serves and from "
            "the replayed samples, and every operation page can send a real request from "
            "your browser.</p>"
            f"<h2>Three eras, one core</h2>{eras}"
            f"<h2>Operations</h2>{operations}"
            "<p>Every call but Login needs the session token: in the SOAP "
            f"{code('SessionHeader')}, as {code('Authorization: Bearer TOKEN')} in REST, as "
            f"{code('<Request session=...>')} in plain XML.</p>"
            '<h2>Getting started</h2><div class="cards">'
            f'<div class="card"><h3>curl, SOAP</h3>{pre(curl)}</div>'
            f'<div class="card"><h3>curl, REST</h3>{pre(rest_curl)}</div>'
            f'<div class="card"><h3>zeep</h3>{pre(zeep)}</div>'
            f'<div class="card"><h3>The travel agent CLI</h3>{pre(agent_cli)}'
            f"<p>{link('/help/samples', 'The samples')} assume the clock "
            f"{code('fixed:2025-11-20T09:00')}: serve with {code('--clock sample')} to send "
            "them as they are.</p></div></div>"
            f"{agents_part}"
            f"{self._rules_part(facts)}"
            "<h2>More</h2><ul>"
            f"<li>{link('/help/wsdl', 'The WSDL, readable')}"
            f" (tools read {link(url + '?wsdl', '?wsdl')})</li>"
            f"<li>{link('/help/report', 'SOAP, REST and plain XML compared')}:"
            " bytes, time, CPU</li>"
            f"<li>{link('/help/samples', 'Every sample envelope')},"
            " one per operation and fault</li>"
            f"<li>{link('/healthz', 'Health')}: the clock, maintenance windows, profile, the rules"
            " in force</li></ul>"
        )
        return Tab("/", "Overview"), body

    def _rules_part(self, facts: CoreFacts) -> str:
        if not facts.rules:
            return ""
        return (
            f"<h2>Rules in force: {esc(facts.rules)}</h2>"
            "<p>The rules follow the simulated clock: a core on an older clock opens bookings, "
            "charts and refunds as the railway did then.</p>"
            + table(
                ["rule", "since", "what it says", "source"],
                [
                    [esc(t), esc(since), esc(text), esc(src)]
                    for t, since, text, src in facts.rule_lines
                ],
            )
        )

    # -- SOAP ------------------------------------------------------------------------------------
    def _soap_index(self, facts: CoreFacts) -> tuple[Tab, str]:
        rows = [[link(f"/soap?op={op.name}", op.name), esc(op.doc)] for op in self.wsdl.operations]
        body = (
            f"<h1>{esc(self.wsdl.name)}: SOAP 1.1</h1>"
            f'<p class="lead">{code("POST " + facts.public_url)}, document/literal wrapped, '
            f"namespace {code(self.wsdl.namespace)}. The contract: "
            f"{link(facts.public_url + '?wsdl', 'the WSDL')}"
            f" ({link('/help/wsdl', 'readable')}).</p>"
            f"<h2>Operations</h2>{table(['operation', 'what it does'], rows)}"
            "<h2>Faults</h2><p>HTTP 500 with "
            f"{code('faultcode')} {code('soap:Client.Reason')} (resending fails again) or "
            f"{code('soap:Server.Reason')} (a retry may succeed), a one-line "
            f"{code('faultstring')} and a typed {code('detail/tns:ReservationFault')} "
            f"({code('Code')}, {code('Message')}, {code('Retryable')}).</p>"
        )
        return Tab("/soap", "SOAP 1.1"), body

    def _soap_page(self, facts: CoreFacts, name: str) -> tuple[Tab, str] | None:
        op = self.wsdl.operation(name)
        if op is None:
            return None
        samples = self.samples.of(name) if self.samples else []
        example = self.samples.example(name) if self.samples else None
        headers = "".join(tree(h) for h in op.headers) or "<p>None: Login opens a session.</p>"
        form = ""
        if example is not None and self.samples is not None:
            body = form_body(example, self.samples.today, facts.now.date())
            form = try_it(
                Form(
                    "POST",
                    "/soap",
                    (
                        ("Content-Type", "text/xml; charset=utf-8"),
                        ("SOAPAction", example.soap_action or f'"{name}"'),
                    ),
                    body,
                    "xml",
                ),
                f"Try {name}",
            )
        body = (
            f"<h1>{esc(name)}</h1><p class=lead>{esc(op.doc)}</p>"
            f"<p>{code('POST ' + facts.public_url)} with {code('SOAPAction: ' + op.soap_action)}"
            f" · {link('/soap', 'all operations')} · "
            f"{link('/help/wsdl#op-' + name, 'in the WSDL')}</p>"
            + self._session(facts, "soap")
            + form
            + f"<h2>Request</h2><h3>SOAP header</h3>{headers}<h3>Body</h3>{tree(op.request)}"
            + f"<h2>Response</h2>{tree(op.response)}"
            + f"<h2>Faults</h2>{''.join(tree(f) for f in op.faults)}"
            + self._domain_errors(name)
            + self._fault_table(samples)
            + self._sample_list(samples, facts)
        )
        return Tab("/soap", f"{name} (SOAP)"), body

    @staticmethod
    def _domain_errors(name: str) -> str:
        """The codes the core's operations table says this operation can answer."""
        operation = next((o for o in OPERATIONS if o.name == name), None)
        if operation is None:
            return ""
        codes = ", ".join(code(error.code) for error in operation.raises)
        return f"<p>The codes it can answer in {code('detail/ReservationFault/Code')}: {codes}.</p>"

    def _fault_table(self, samples: list[Sample]) -> str:
        faults = [s for s in samples if s.fault]
        if not faults:
            return ""
        rows = []
        for s in faults:
            condition = []
            if s.clock:
                condition.append(f"clock {s.clock}")
            if s.profile:
                condition.append(f"profile {s.profile}")
            rows.append(
                [
                    code(s.fault or ""),
                    esc(s.shows),
                    esc(", ".join(condition) or "the samples' clock"),
                    link(f"#sample-{s.id}", s.id),
                ]
            )
        return "<h3>Every fault it can return, from the samples</h3>" + table(
            ["faultcode", "when", "core", "sample"], rows
        )

    def _sample_list(self, samples: Sequence[Sample], facts: CoreFacts) -> str:
        if not samples:
            return ""
        items = []
        for s in samples:
            verdict = (
                f'<span class="badge bad">{esc(s.fault)}</span>'
                if s.fault
                else f'<span class="badge ok">HTTP {s.status}</span>'
            )
            sent = [f"Content-Type: {s.content_type}"]
            if s.soap_action is not None:
                sent.append(f"SOAPAction: {s.soap_action}")
            inner = (
                f"<div><p>{esc(s.shows)}. Sent with {code('; '.join(sent))}"
                f"{' on clock ' + code(s.clock) if s.clock else ''}"
                f"{' with profile ' + code(s.profile) if s.profile else ''}; "
                f"file {code('samples/' + s.request_file)}.</p></div>"
                f"<pre><code>{esc(self._shown(s.request, facts))}</code></pre>"
                f"<div><b>HTTP {s.status}</b></div><pre><code>{esc(s.response)}</code></pre>"
            )
            items.append(
                f'<div id="sample-{esc(s.id)}">'
                + details(f"{code(s.id)} {verdict} {esc(s.shows)}", inner)
                + "</div>"
            )
        note = ""
        if self.samples is not None:
            note = (
                f'<p class="muted">Recorded on a fresh core on {code(self.samples.clock)} and '
                "replayed by the tests (placeholders such as "
                f"{code('{{MMT_TOKEN}}')} stand for values bound by an earlier sample).</p>"
            )
        return "<h2>Samples</h2>" + note + "".join(items)

    # -- REST ------------------------------------------------------------------------------------
    def _rest_index(self, facts: CoreFacts) -> tuple[Tab, str]:
        rows = [
            [
                link(f"/help/rest/{op.operation_id}", op.operation_id),
                code(f"{op.method} {op.path}"),
                esc(op.summary),
            ]
            for op in self.openapi.operations
        ]
        body = (
            f"<h1>{esc(self.openapi.title)}</h1>"
            f"<p class=lead>{esc(self.openapi.description)}</p>"
            f"<p>Contract: {link(facts.base + '/rest/v1/openapi.json', 'openapi.json')} "
            "(OpenAPI 3.1). Errors are "
            f"{code('application/problem+json')} with the SOAP fault codes.</p>"
            f"{table(['operation', 'request', 'summary'], rows)}"
        )
        return Tab("/help/rest", "REST/JSON"), body

    def _rest_page(self, facts: CoreFacts, operation_id: str) -> tuple[Tab, str] | None:
        op = self.openapi.operation(operation_id)
        if op is None:
            return None
        form = self._example_form(examples.REST.get(operation_id), facts, operation_id)
        parameters = "".join(tree(p) for p in op.parameters) or "<p>None.</p>"
        request = tree(op.body) if op.body else "<p>No body.</p>"
        responses = "".join(
            details(
                f"<b>{esc(status)}</b> {esc(text)}",
                tree(shape) if shape is not None else "<div>No body.</div>",
                status.startswith("2"),
            )
            for status, text, shape in op.responses
        )
        auth = (
            f"Needs {code('Authorization: Bearer TOKEN')}"
            f" (the token of {link('/help/rest/login', 'login')})."
            if op.secured
            else "No session needed."
        )
        body = (
            f"<h1>{esc(op.operation_id)}</h1><p class=lead>{esc(op.summary)}</p>"
            f"<p>{code(op.method + ' ' + facts.base + op.path)} · {auth} · "
            f"{link('/help/rest', 'all operations')}</p>"
            + (f"<p>{esc(op.description)}</p>" if op.description else "")
            + self._session(facts, "rest")
            + form
            + f"<h2>Parameters</h2>{parameters}<h2>Request body</h2>{request}"
            + f"<h2>Responses</h2>{responses}"
        )
        return Tab("/help/rest", f"{operation_id} (REST)"), body

    # -- plain XML -------------------------------------------------------------------------------
    def _xml_index(self, facts: CoreFacts) -> tuple[Tab, str]:
        rows = [
            [link(f"/help/xml/{op.name}", f"<{op.name}>"), esc(op.doc)]
            for op in self.xsd.operations
        ]
        batch = ""
        if self.samples is not None:
            batch = (
                "<h2>The seed's own request</h2><p>The pre-SOAP document this project started "
                f"from ({code('samples/pre-soap/login-and-search.request.xml')}; its password "
                "is not a real one, so it answers AuthenticationFailed):</p>"
            )
            try:
                seed = self.samples.root / "pre-soap" / "login-and-search.request.xml"
                batch += pre(seed.read_text("utf-8"))
            except OSError:
                batch = ""
        body = (
            "<h1>Plain XML over HTTP</h1>"
            f"<p class=lead>{code('POST ' + facts.base + '/xml')}: one {code('<Request>')} "
            "document with up to 16 operations run in order, answered by one "
            f"{code('<Response>')}. The schema: {link(facts.base + '/xml', 'the XSD')}.</p>"
            f"<pre>{esc(self.xsd.doc)}</pre>"
            f"<h2>Operations</h2>{table(['element', 'what it does'], rows)}"
            f"<h2>The request document</h2>{tree(self.xsd.request)}"
            f"{batch}"
        )
        return Tab("/help/xml", "plain XML"), body

    def _xml_page(self, facts: CoreFacts, name: str) -> tuple[Tab, str] | None:
        op = self.xsd.operation(name)
        if op is None:
            return None
        form = self._example_form(examples.PLAIN_XML.get(name), facts, name)
        result = self.xsd.results.get(name)
        error = self.xsd.results.get("Error")
        body = (
            f"<h1>&lt;{esc(name)}&gt;</h1><p class=lead>{esc(op.doc)}</p>"
            f"<p>{code('POST ' + facts.base + '/xml')} inside a {code('<Request>')} · "
            f"{link('/help/xml', 'all operations')}</p>"
            + self._session(facts, "xml")
            + form
            + f"<h2>Call</h2>{tree(op)}"
            + (f"<h2>Result</h2>{tree(result)}" if result else "")
            + (f"<h2>Error</h2>{tree(error)}" if error else "")
        )
        return Tab("/help/xml", f"{name} (plain XML)"), body

    # -- the WSDL for people --------------------------------------------------------------------
    def _wsdl_page(self, facts: CoreFacts) -> tuple[Tab, str]:
        sections = []
        for op in self.wsdl.operations:
            headers = "".join(tree(h) for h in op.headers)
            sections.append(
                f'<section id="op-{esc(op.name)}"><h3>{link("/soap?op=" + op.name, op.name)}'
                f"</h3><p>{esc(op.doc)}</p>"
                f"<p>SOAPAction {code(op.soap_action)}; input {code(op.request.name)}"
                f"{', header ' + ', '.join(code(h.name) for h in op.headers) if op.headers else ''}"
                f"; output {code(op.response.name)}; fault "
                f"{', '.join(code(f.name) for f in op.faults)}.</p>"
                + details("Shapes", headers + tree(op.request) + tree(op.response))
                + "</section>"
            )
        types = sorted(self.wsdl.schema.complex)
        type_list = "".join(
            details(code(name), tree(self.wsdl.schema.element(name)))
            for name in types
            if name in self.wsdl.schema.elements
        )
        body = (
            f"<h1>The WSDL, readable</h1><p class=lead>{esc(self.wsdl.name)}, target namespace "
            f"{code(self.wsdl.namespace)}, SOAP 1.1 document/literal, served at "
            f"{code(self.wsdl.address)}. Tools read the raw document at "
            f"{link(facts.public_url + '?wsdl', '?wsdl')} "
            f"({len(self.wsdl_document):,} bytes).</p>"
            f"<h2>Operations</h2>{''.join(sections)}"
            f"<h2>Types</h2>{type_list}"
            f"<h2>The raw document</h2>"
            + details("Show the WSDL", pre(self.wsdl_document.decode("utf-8")))
        )
        return Tab("/help/wsdl", "WSDL"), body

    # -- samples ---------------------------------------------------------------------------------
    def _samples_page(self) -> tuple[Tab, str]:
        if self.samples is None:
            return Tab("/help/samples", "Samples"), "<h1>Samples</h1><p>No samples/ here.</p>"
        facts = self.facts()
        groups: dict[str, list[Sample]] = {}
        for s in self.samples.items:
            groups.setdefault(s.operation if s.operation != "-" else "the wire", []).append(s)
        parts = [
            "<h1>Samples</h1>"
            f"<p class=lead>{len(self.samples.items)} raw requests and the answers the core "
            f"gives, replayed by the tests on a fresh core ({esc(self.samples.state)}) on "
            f"{code(self.samples.clock)}. Replay them yourself with "
            f"{code('python -m soap_client replay --fresh')}.</p>"
        ]
        for group, items in groups.items():
            title = link(f"/soap?op={group}", group) if group != "the wire" else esc(group)
            parts.append(
                f"<h2>{title}</h2>" + self._sample_list(items, facts).partition("</h2>")[2]
            )
        return Tab("/help/samples", "Samples"), "".join(parts)

    # -- the comparison report ------------------------------------------------------------------
    def _report(self) -> tuple[Tab, str]:
        tab = Tab("/help/report", "SOAP, REST and plain XML compared")
        try:
            report: dict[str, Any] = json.loads((self.report_dir / "report.json").read_text())
        except (OSError, ValueError):
            return tab, (
                "<h1>SOAP, REST and plain XML compared</h1><p>No report yet: run "
                f"{code('python bench/bench_eras.py --runs 20 --report docs/compare')}.</p>"
            )
        meta = report.get("meta", {})
        facts_rows = [[esc(str(k)), esc(str(v))] for k, v in meta.items()]
        conclusions = "".join(f"<li>{esc(str(c))}</li>" for c in report.get("conclusions", []))
        charts = "".join(
            f'<figure><img src="/help/report/{esc(str(c.get("file", "")))}"'
            f' alt="{esc(str(c.get("title", "")))}"><figcaption>{esc(str(c.get("title", "")))}'
            "</figcaption></figure>"
            for c in report.get("charts", [])
            if _CHART.match(str(c.get("file", "")))
        )
        tables = "".join(
            f"<h3>{esc(str(t.get('title', '')))}</h3>"
            + table(
                [str(h) for h in t.get("columns", [])],
                [[esc(str(v)) for v in row] for row in t.get("rows", [])],
                [bool(n) for n in t.get("numeric", [])],
            )
            for t in report.get("tables", [])
        )
        body = (
            f"<h1>{esc(str(report.get('title', tab.title)))}</h1>"
            f"<p class=lead>{esc(str(report.get('summary', '')))}</p>"
            f"{table(['', ''], facts_rows)}"
            f"<h2>What it says</h2><ul>{conclusions}</ul>"
            f'<h2>Charts</h2><div class="cards">{charts}</div>'
            f"<h2>The numbers</h2>{tables}"
            f"<p>Every measurement of the run: {link('/help/report.json', 'report.json')}.</p>"
        )
        return tab, body
