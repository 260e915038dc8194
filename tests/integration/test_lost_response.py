"""The classic lost-response retry: the core commits a booking, the answer never arrives, the
agent resends with the same ClientReference and gets the first booking back."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from zeep import Client as ZeepClient

from soap_client import WSDL_PATH
from soap_client.transports import WsgiTransport
from soap_server.railway.system import Railway
from soap_server.wsgi import CoreApp
from tests.backends import BOTH_BACKENDS
from tests.conftest import JOURNEY, PASSWORDS, zeep_settings

pytestmark = BOTH_BACKENDS


class LosingTransport(WsgiTransport):
    """Delivers every request to the core but loses the answer to the first Book."""

    def __init__(self, app: CoreApp) -> None:
        super().__init__(app)
        self.lost = 0

    def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
        response = super().post(address, message, headers)
        if self.lost == 0 and b"Book>" in (message if isinstance(message, bytes) else b""):
            self.lost += 1
            raise requests.ConnectionError("connection reset by peer (after the core committed)")
        return response


def test_retry_with_same_reference_books_once(app: CoreApp, railway: Railway) -> None:
    transport = LosingTransport(app)
    client = ZeepClient(str(WSDL_PATH), transport=transport, settings=zeep_settings())
    token = client.service.Login(AgentId="PAYTM", Password=PASSWORDS["PAYTM"]).SessionToken
    call = {
        "TrainNumber": "12952",
        "JourneyDate": JOURNEY,
        "From": "NDLS",
        "To": "MMCT",
        "Class": "2A",
        "Passengers": {"Passenger": [{"Name": "Meera Iyer", "Age": 45, "Gender": "F"}]},
        "ClientReference": "paytm-000042",
        "_soapheaders": {"SessionHeader": {"SessionToken": token}},
    }
    with pytest.raises(requests.ConnectionError):
        client.service.Book(**call)
    assert transport.lost == 1
    with railway.store.read() as tx:
        assert tx.count("bookings") == 1  # the core did commit before the answer was lost

    first = client.service.Book(**call)
    again = client.service.Book(**call)
    assert first.Pnr == again.Pnr
    assert first.ClientReference == "paytm-000042"
    with railway.store.read() as tx:
        assert tx.count("bookings") == 1
        assert tx.count("passengers") == 1
        first_stop, last_stop = railway.catalog.trains["12952"].segment("NDLS", "MMCT")
        assert tx.count("occupancy") == last_stop - first_stop  # one berth, every leg once
