"""A SOAP request is parsed once: Spyne reads the envelope the hardened edge parsed and checked
(soap/endpoint.py, PARSED_ENVELOPE), except one with ``xml:id`` attributes, whose references
only Spyne's own parse resolves."""

from __future__ import annotations

from typing import Any

import pytest
from spyne.protocol.soap import soap11
from werkzeug.test import Client

from soap_server.wsgi import CoreApp
from tests.conftest import TNS, envelope, login_token


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    parses: list[int] = []
    original = soap11._parse_xml_string

    def parse(*args: Any, **kwargs: Any) -> Any:
        parses.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(soap11, "_parse_xml_string", parse)
    return parses


def test_spyne_reads_the_parsed_envelope(
    app: CoreApp, http: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = _counted(monkeypatch)
    token = login_token(app.railway)
    search = (
        "<tns:SearchTrain><tns:From>NDLS</tns:From><tns:To>MMCT</tns:To>"
        "<tns:JourneyDate>2025-11-30</tns:JourneyDate></tns:SearchTrain>"
    )
    plain = http.post("/soap", data=envelope(search, token), content_type="text/xml")
    assert plain.status_code == 200 and f"{{{TNS}}}".encode() not in plain.data
    assert b"<tns:TrainNumber>" in plain.data
    assert parses == []
    with_ids = search.replace("<tns:From>", '<tns:From xml:id="f1">')
    other = http.post("/soap", data=envelope(with_ids, token), content_type="text/xml")
    assert parses == [1]  # left to Spyne's own parse, which answers as before: the schema
    assert other.status_code == 500 and b"Client.SchemaValidation" in other.data  # has no ids
