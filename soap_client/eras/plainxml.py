"""The plain-XML era: hand-built <Request> documents, answers read with lxml."""

from __future__ import annotations

import requests
from lxml import etree

from soap_client.eras import Trip

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _element(tag: str, *children: etree._Element, **attributes: str) -> etree._Element:
    element = etree.Element(tag, {k: v for k, v in attributes.items()})
    element.extend(children)
    return element


class XmlError(Exception):
    def __init__(self, error: etree._Element) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = error.get("code")


class PlainXmlEra:
    def __init__(self, url: str, agent: str, password: str, session: requests.Session) -> None:
        self._url = url
        self._agent, self._password = agent, password
        self._http = session
        self._session: str | None = None

    def _send(self, operation: etree._Element) -> etree._Element:
        context = {} if self._session is None else {"session": self._session}
        request = _element("Request", operation, **context)
        response = self._http.post(
            self._url,
            data=etree.tostring(request, xml_declaration=True, encoding="UTF-8"),
            headers={"Content-Type": "text/xml; charset=utf-8"},
            timeout=30,
        )
        answer = etree.fromstring(response.content, _PARSER)
        error = answer.find("Error")
        if error is not None:
            raise XmlError(error)
        return answer[0]

    def login(self) -> str:
        result = self._send(_element("Login", user=self._agent, password=self._password))
        self._session = result.get("session")
        return result.get("agent", "")

    def search(self, trip: Trip) -> list[str]:
        result = self._send(
            _element(
                "SearchTrain",
                source=trip.source,
                destination=trip.destination,
                date=trip.journey_date.isoformat(),
            )
        )
        return [train.get("number", "") for train in result.iter("Train")]

    def book(self, trip: Trip) -> tuple[str, list[str]]:
        result = self._send(
            _element(
                "Book",
                *[
                    _element("Passenger", name=p.name, age=str(p.age), gender=p.gender)
                    for p in trip.passengers
                ],
                train=trip.train,
                date=trip.journey_date.isoformat(),
                source=trip.source,
                destination=trip.destination,
                **{"class": trip.travel_class},
                reference=trip.reference,
            )
        )
        return result.get("pnr", ""), [p.get("currentStatus", "") for p in result.iter("Passenger")]

    def status(self, pnr: str) -> list[str]:
        result = self._send(_element("PnrStatus", pnr=pnr))
        return [p.get("currentStatus", "") for p in result.iter("Passenger")]

    def cancel(self, pnr: str, numbers: list[int]) -> str:
        result = self._send(_element("Cancel", pnr=pnr, passengers=" ".join(map(str, numbers))))
        return result.get("refund", "")

    def logout(self) -> None:
        self._send(_element("Logout"))
        self._session = None
