"""REST's JSON answers are written without building a werkzeug Response: the bytes on the wire
must be those a Response would have sent (status line, headers, body; no body to a HEAD), and
the bookings route taken without the URL map must answer as the map's routes do."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Response

from soap_server.rest.api import JsonAnswer
from tests.conftest import PASSWORDS


def sent(app: Any, method: str) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = EnvironBuilder(method=method, path="/rest/v1/bookings").get_environ()
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        started.extend([status, headers])

    body = b"".join(app(environ, start_response))
    return started[0], list(started[1]), body


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
@pytest.mark.parametrize(
    ("status", "location"), [(200, None), (201, "/rest/v1/bookings/2609535460"), (201, None)]
)
def test_a_json_answer_is_what_werkzeug_would_send(
    method: str, status: int, location: str | None
) -> None:
    body = {"pnr": "2609535460", "name": "Asha Kumar", "fare": "1234.50", "ok": True}
    werkzeug = Response(json.dumps(body), status=status, mimetype="application/json")
    if location is not None:
        werkzeug.headers["Location"] = location
    ours = JsonAnswer(json.dumps(body).encode(), status, location)
    assert sent(ours, method) == sent(werkzeug, method)


def test_the_bookings_route_answers_as_the_map_does(http: Client) -> None:
    session = http.post("/rest/v1/sessions", json={"agent": "MMT", "password": PASSWORDS["MMT"]})
    token = session.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "route-1"}
    asked = {
        "train": "12952",
        "date": "2025-11-30",
        "from": "NDLS",
        "to": "MMCT",
        "class": "2A",
        "passengers": [{"name": "Asha Kumar", "age": 40, "gender": "F"}],
    }
    booked = http.post("/rest/v1/bookings", json=asked, headers=headers)
    assert booked.status == "201 CREATED"
    assert booked.headers["Location"] == f"/rest/v1/bookings/{booked.get_json()['pnr']}"
    assert booked.headers["Content-Type"] == "application/json"
    again = http.post("/rest/v1/bookings/", json=asked, headers=headers)  # through the map
    assert again.status_code == 201 and again.get_json() == booked.get_json()
    wrong = http.get("/rest/v1/bookings", headers=headers)
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "POST"
    assert http.post("/rest/v1/bookings", json=asked).status_code == 401
