"""The help page at ``/``: the three eras' endpoints and contracts, the clock, the agents."""

from __future__ import annotations

from dataclasses import replace

from werkzeug.test import Client

from soap_server.settings import Settings
from soap_server.simulation import Profile
from soap_server.wsgi import create_app
from tests.conftest import PASSWORDS


def test_index_names_the_three_contracts_and_the_demo_agents(settings: Settings) -> None:
    public = replace(settings, public_url="https://partners.example.test/irctc/soap")
    page = Client(create_app(public)).get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for link in (
        'href="https://partners.example.test/irctc/soap?wsdl"',
        'href="https://partners.example.test/irctc/rest/v1/openapi.json"',
        'href="https://partners.example.test/irctc/xml"',
    ):
        assert link in text
    for agent, password in PASSWORDS.items():
        assert f"<td>{agent}</td>" in text and f"<code>{password}</code>" in text
    assert "No simulation profile." in text and "fixed:2025-11-20T09:00:00+05:30" in text


def test_index_shows_the_active_profile(settings: Settings) -> None:
    profiled = replace(settings, profile=Profile(name="flaky", description="bad <day>"))
    text = Client(create_app(profiled)).get("/").get_data(as_text=True)
    assert "<code>flaky</code> (bad &lt;day&gt;)" in text
