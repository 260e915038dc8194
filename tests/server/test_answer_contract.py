"""The suite's answer check (tests/answers.py) and Spyne's forced collections switched off."""

from __future__ import annotations

import gc
import math
from typing import Any

import pytest
import spyne.const
import spyne.context
from werkzeug.test import Client

from soap_server.ns import SOAP_ENV, TNS
from soap_server.wsgi import CoreApp
from tests.answers import AnswerBreaksContract, check_answer
from tests.conftest import envelope, login_token


def _answer(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="{SOAP_ENV}"'
        f' xmlns:tns="{TNS}"><e:Body>{body}</e:Body></e:Envelope>'
    ).encode()


def test_the_check_refuses_what_the_schema_refuses() -> None:
    good = (
        "<tns:LogoutResponse><tns:Result><tns:LoggedOut>true</tns:LoggedOut></tns:Result>"
        "</tns:LogoutResponse>"
    )
    assert check_answer(_answer(good)) == "LogoutResponse"
    for bad, says in [
        (good.replace("true", "maybe"), "LoggedOut"),  # not a boolean
        (good.replace("<tns:LoggedOut>true</tns:LoggedOut>", ""), "LoggedOut"),  # required
        ("<tns:Nonsense/>", "Nonsense"),  # no such element
        (
            "<e:Fault><faultcode>e:Client.X</faultcode><faultstring>x</faultstring><detail>"
            "<tns:ReservationFault><tns:Message>m</tns:Message><tns:Code>X</tns:Code>"
            "<tns:Retryable>false</tns:Retryable></tns:ReservationFault></detail></e:Fault>",
            "ReservationFault",  # out of the declared order
        ),
    ]:
        with pytest.raises(AnswerBreaksContract, match=says):
            check_answer(_answer(bad))
    with pytest.raises(AnswerBreaksContract, match="no faultstring"):
        check_answer(_answer("<e:Fault><faultcode>e:Server</faultcode></e:Fault>"))


@pytest.mark.parametrize("path", ["reader", "spyne"])
def test_answers_of_the_app_are_checked(app: CoreApp, http: Client, path: str) -> None:
    """The check sees what the endpoint sends, whichever path answered (the compiled reader
    or Spyne's): an answer that breaks the schema fails the call."""
    token = login_token(app.railway)
    request = envelope("<tns:Logout/>", token)
    spyne, reader = app.soap._spyne, app.soap.reader
    assert reader is not None
    read_and_answer = reader.answer

    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer = b"".join(spyne(environ, start_response))
        return [answer.replace(b">true</tns:LoggedOut>", b">yes</tns:LoggedOut>")]

    def broken_reader(*args: Any) -> tuple[str, bytes] | None:
        read = read_and_answer(*args)
        assert read is not None
        return read[0], read[1].replace(b">true</tns:LoggedOut>", b">yes</tns:LoggedOut>")

    with pytest.MonkeyPatch.context() as patch:
        if path == "spyne":
            patch.setattr(app.soap, "reader", None)
            patch.setattr(app.soap, "_spyne", broken)
        else:
            patch.setattr(reader, "answer", broken_reader)
        with pytest.raises(AnswerBreaksContract, match="LoggedOut"):
            http.post("/soap", data=request, content_type="text/xml; charset=utf-8")
    answer = http.post("/soap", data=request, content_type="text/xml; charset=utf-8")
    assert answer.status_code == 500  # logged out above: the session is gone, a valid fault


def test_spyne_no_longer_collects_garbage_when_a_call_closes(
    app: CoreApp, http: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spyne's MethodContext.close runs gc.collect() once a second by default; the app turns
    that off when it builds its Spyne application (soap/app.py, no_forced_collections). The
    calls go through Spyne here (the compiled reader makes no Spyne context at all)."""
    assert spyne.const.MIN_GC_INTERVAL == math.inf
    monkeypatch.setattr(app.soap, "reader", None)
    collections: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(1) or 0)
    monkeypatch.setattr(spyne.context, "_LAST_GC_RUN", 0.0)  # "over a second ago"
    request = envelope(
        "<tns:GetPnrStatus><tns:Pnr>1234567890</tns:Pnr></tns:GetPnrStatus>",
        login_token(app.railway),
    )

    def calls(n: int) -> None:
        for _ in range(n):
            answer = http.post("/soap", data=request, content_type="text/xml; charset=utf-8")
            assert b"PnrNotFound" in answer.data

    calls(3)
    assert collections == []
    monkeypatch.setattr(spyne.const, "MIN_GC_INTERVAL", 1.0)  # Spyne's default
    calls(3)
    assert collections == [1]
