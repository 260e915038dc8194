"""The help page at ``/``: the three eras' endpoints and contracts, the clock, the operations,
and the demo agents' passwords only in demo mode."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace

from werkzeug.test import Client

from soap_server.settings import Settings
from soap_server.simulation import Profile
from soap_server.wsgi import create_app
from tests.conftest import PASSWORDS


def test_index_names_the_three_contracts_and_every_operation(settings: Settings) -> None:
    public = replace(settings, public_url="https://partners.example.test/irctc/soap")
    with closing(create_app(public)) as app:
        page = Client(app).get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for link in (
        'href="https://partners.example.test/irctc/soap?wsdl"',
        'href="https://partners.example.test/irctc/rest/v1/openapi.json"',
        'href="https://partners.example.test/irctc/xml"',
    ):
        assert link in text
    for operation in ("Login", "SearchTrain", "Book", "GetPnrStatus", "CancelBooking", "Logout"):
        assert f'href="/soap?op={operation}"' in text
    assert "fixed:2025-11-20T09:00:00+05:30" in text
    assert "Simulation profile</b> none" in text


def test_demo_passwords_only_in_demo_mode(settings: Settings) -> None:
    plain = Client(create_app(settings)).get("/").get_data(as_text=True)
    for password in PASSWORDS.values():
        assert password not in plain
    assert "serve --demo" in plain
    demo = Client(create_app(replace(settings, demo_mode=True))).get("/").get_data(as_text=True)
    for agent, password in PASSWORDS.items():
        assert f"<code>{agent}</code>" in demo and f"<code>{password}</code>" in demo


def test_index_shows_the_active_profile_escaped(settings: Settings) -> None:
    profiled = replace(settings, profile=Profile(name="flaky", description="bad <day>"))
    with closing(create_app(profiled)) as app:
        text = Client(app).get("/").get_data(as_text=True)
    assert "flaky (bad &lt;day&gt;)" in text and "<day>" not in text
