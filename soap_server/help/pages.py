"""The help site's HTML: small functions that return escaped markup, one page each.

Every value that comes from a contract, a sample, the settings or the request goes through
``esc`` (``html.escape``); the only markup that is not escaped is written in this module.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from soap_server.help.contracts import Node

esc = html.escape
NAV = (
    ("/", "Overview"),
    ("/soap", "SOAP 1.1"),
    ("/help/rest", "REST/JSON"),
    ("/help/xml", "plain XML"),
    ("/help/wsdl", "WSDL"),
    ("/help/report", "Comparison"),
    ("/help/samples", "Samples"),
)


@dataclass(frozen=True)
class Tab:
    """Where a page sits in the navigation, and its title."""

    path: str
    title: str


def layout(tab: Tab, body: str, status: str = "") -> str:
    links = "".join(
        f'<a href="{href}"{" aria-current=page" if href == tab.path else ""}>{esc(label)}</a>'
        for href, label in NAV
    )
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{esc(tab.title)} · IRCTC reservation core</title>"
        '<link rel=stylesheet href="/help/static/site.css"></head><body>'
        '<header class=site><div class=bar><a class=brand href="/">IRCTC reservation core'
        f" <small>(simulator)</small></a><nav>{links}</nav></div></header>"
        f"<main>{status}{body}</main>"
        "<footer>Served by the core itself: plain HTML and CSS, nothing from elsewhere. "
        'Contracts: <a href="/soap?wsdl">WSDL</a> · '
        '<a href="/rest/v1/openapi.json">OpenAPI</a> · <a href="/xml">XSD</a> · '
        '<a href="/healthz">/healthz</a></footer>'
        '<script src="/help/static/site.js" defer></script></body></html>\n'
    )


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool] = ()
) -> str:
    """A table whose cells are already markup (escape values before passing them)."""

    def cell(tag: str, i: int, value: str) -> str:
        right = " class=num" if i < len(numeric) and numeric[i] else ""
        return f"<{tag}{right}>{value}</{tag}>"

    head = "".join(cell("th", i, esc(h)) for i, h in enumerate(headers))
    thead = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def pre(text: str) -> str:
    return f"<pre><code>{esc(text)}</code></pre>"


def link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def tree(node: Node, top: bool = True) -> str:
    """A message shape as nested lists: name, type, optional/repeated, facets, documentation."""
    badges = []
    if node.attribute:
        badges.append('<span class="badge">attribute</span>')
    if not node.required:
        badges.append('<span class="badge opt">optional</span>')
    if node.repeated:
        badges.append(f'<span class="badge rep">{esc(node.repeated)}</span>')
    facets = "".join(f'<span class="facet">{esc(f)}</span>' for f in node.facets)
    doc = f'<span class="doc">{esc(node.doc)}</span>' if node.doc else ""
    kind = f'<span class="type">{esc(node.type)}</span>' if node.type else ""
    prefix = "@" if node.attribute else ""
    item = (
        f'<span class="name">{esc(prefix + node.name)}</span>{kind}{"".join(badges)}{facets}{doc}'
    )
    if node.children:
        item += "<ul>" + "".join(tree(c, False) for c in node.children) + "</ul>"
    return f'<ul class="tree"><li>{item}</li></ul>' if top else f"<li>{item}</li>"


def details(summary: str, inner: str, open_: bool = False) -> str:
    return f"<details{' open' if open_ else ''}><summary>{summary}</summary>{inner}</details>"


@dataclass(frozen=True)
class Form:
    """A request the page can send from the browser; placeholders are filled at send time."""

    method: str
    url: str
    headers: Sequence[tuple[str, str]]
    body: str
    kind: str  # "xml" or "json"


def try_it(form: Form, title: str = "Try it") -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in form.headers)
    methods = "".join(
        f"<option{' selected' if m == form.method else ''}>{m}</option>"
        for m in ("GET", "POST", "DELETE")
    )
    return (
        f'<section class="tryit-box"><h2>{esc(title)}</h2>'
        f'<form class="tryit" data-kind="{esc(form.kind)}">'
        '<p class="muted">Sent by your browser to this core. <code>{{TOKEN}}</code>, '
        "<code>{{PNR}}</code> and <code>{{PASSWORD}}</code> are filled in from the session box "
        "above (a Login or a Book fills them); <code>{{REFERENCE}}</code> is a new client "
        "reference per send.</p>"
        '<div class="row"><div class="narrow"><label for="method">Method</label>'
        f'<select id="method" name="method">{methods}</select></div>'
        '<div><label for="url">URL</label>'
        f'<input type="text" id="url" name="url" value="{esc(form.url)}"></div></div>'
        '<label for="headers">Headers</label>'
        f'<textarea class="headers" id="headers" name="headers">{esc(headers)}</textarea>'
        '<label for="body">Body</label>'
        f'<textarea id="body" name="body" spellcheck="false">{esc(form.body)}</textarea>'
        '<p><button type="submit">Send</button></p></form>' + _result() + "</section>"
    )


def _result() -> str:
    return (
        '<div class="result" hidden><div class="outcome" role="status"></div>'
        '<div class="exchange"><div><h4>Request sent</h4><pre class="sent"></pre></div>'
        '<div><h4>Response received</h4><pre class="received"></pre></div></div></div>'
    )


def session_box(login: Form, agents: Sequence[tuple[str, str | None]], demo: bool) -> str:
    """Log in from the page; the token and the last PNR are kept for the other forms.

    ``agents`` are (code, demo password); the passwords are given only in demo mode."""
    headers = "\n".join(f"{name}: {value}" for name, value in login.headers)
    options = "".join(
        f'<option data-password="{esc(secret)}">{esc(code)}</option>'
        if secret is not None
        else f"<option>{esc(code)}</option>"
        for code, secret in agents
    )
    password = next((secret for _, secret in agents if secret is not None), "")
    hint = (
        "Demo mode: the demo password of the agent is filled in."
        if demo
        else "Use the password your agent account was given."
    )
    return (
        f'<section class="session tryit" data-method="{esc(login.method)}"'
        f' data-url="{esc(login.url)}" data-headers="{esc(headers)}"'
        f' data-body="{esc(login.body)}" data-kind="{esc(login.kind)}">'
        "<h2>Session</h2>"
        f'<form class="login"><p class="muted">{esc(hint)} The token is kept in this tab only.</p>'
        '<div class="row"><div class="narrow"><label for="agent">Agent</label>'
        f'<select id="agent" name="agent">{options}</select></div>'
        '<div><label for="password">Password</label>'
        f'<input type="password" id="password" name="password" value="{esc(password)}"'
        ' autocomplete="off"></div>'
        '<div class="narrow"><button type="submit" class="secondary">Log in</button></div></div>'
        '<div class="row"><div><label for="token">Session token</label>'
        '<input type="text" id="token" name="token" autocomplete="off"></div>'
        '<div><label for="pnr">PNR</label><input type="text" id="pnr" name="pnr"'
        ' autocomplete="off"></div></div></form>' + _result() + "</section>"
    )
