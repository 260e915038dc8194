"""The SOAP era: the client generated from the WSDL does the XML; this is all the code left."""

from __future__ import annotations

from typing import cast

import requests
from zeep.transports import Transport

from soap_client import WSDL_PATH
from soap_client import irctc_client as wire
from soap_client.eras import Trip


class SoapEra:
    def __init__(self, url: str, agent: str, password: str, session: requests.Session) -> None:
        self._client = wire.IrctcReservationClient(
            str(WSDL_PATH), url, transport=Transport(session=session)
        )
        self._agent, self._password = agent, password
        self._header: wire.SessionHeader | None = None

    def login(self) -> str:
        session = self._client.login(agent_id=self._agent, password=self._password)
        self._header = wire.SessionHeader(session_token=session.session_token)
        return session.agent_id

    def search(self, trip: Trip) -> list[str]:
        trains = self._client.search_train(
            from_=trip.source,
            to=trip.destination,
            journey_date=trip.journey_date,
            session_header=self._header,
        )
        return [t.train_number for t in trains]

    def book(self, trip: Trip) -> tuple[str, list[str]]:
        booking = self._client.book(
            train_number=trip.train,
            journey_date=trip.journey_date,
            from_=trip.source,
            to=trip.destination,
            class_=cast(wire.ClassType, trip.travel_class),
            passengers=[
                wire.Passenger(name=p.name, age=p.age, gender=cast(wire.GenderType, p.gender))
                for p in trip.passengers
            ],
            client_reference=trip.reference,
            session_header=self._header,
        )
        return booking.pnr, [p.current_status for p in booking.passengers]

    def status(self, pnr: str) -> list[str]:
        booking = self._client.get_pnr_status(pnr=pnr, session_header=self._header)
        return [p.current_status for p in booking.passengers]

    def cancel(self, pnr: str, numbers: list[int]) -> str:
        result = self._client.cancel_booking(
            pnr=pnr, passengers=numbers, session_header=self._header
        )
        return str(result.refund)

    def logout(self) -> None:
        self._client.logout(session_header=self._header)
