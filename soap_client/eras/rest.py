"""The REST era: JSON resources with requests, errors as application/problem+json."""

from __future__ import annotations

from typing import Any

import requests

from soap_client.eras import Trip


class RestError(Exception):
    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(f"{problem.get('code')}: {problem.get('detail')}")
        self.code = problem.get("code")


class RestEra:
    def __init__(self, base: str, agent: str, password: str, session: requests.Session) -> None:
        self._base = base.rstrip("/")
        self._agent, self._password = agent, password
        self._http = session

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self._base}{path}", timeout=30, **kwargs)
        if response.status_code >= 400:
            raise RestError(response.json())
        return response.json() if response.content else None

    def login(self) -> str:
        session = self._call(
            "POST", "/sessions", json={"agent": self._agent, "password": self._password}
        )
        self._http.headers["Authorization"] = f"Bearer {session['token']}"
        return str(session["agent"])

    def search(self, trip: Trip) -> list[str]:
        query = {"from": trip.source, "to": trip.destination, "date": trip.journey_date.isoformat()}
        return [t["number"] for t in self._call("GET", "/trains", params=query)["trains"]]

    def book(self, trip: Trip) -> tuple[str, list[str]]:
        body = {
            "train": trip.train,
            "date": trip.journey_date.isoformat(),
            "from": trip.source,
            "to": trip.destination,
            "class": trip.travel_class,
            "passengers": [
                {"name": p.name, "age": p.age, "gender": p.gender} for p in trip.passengers
            ],
        }
        booking = self._call(
            "POST", "/bookings", json=body, headers={"Idempotency-Key": trip.reference}
        )
        return booking["pnr"], [p["currentStatus"] for p in booking["passengers"]]

    def status(self, pnr: str) -> list[str]:
        return [p["currentStatus"] for p in self._call("GET", f"/bookings/{pnr}")["passengers"]]

    def cancel(self, pnr: str, numbers: list[int]) -> str:
        result = self._call("POST", f"/bookings/{pnr}/cancellations", json={"passengers": numbers})
        return str(result["refund"])

    def logout(self) -> None:
        self._call("DELETE", "/sessions/current")
        del self._http.headers["Authorization"]
