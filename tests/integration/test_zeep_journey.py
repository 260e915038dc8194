"""The whole journey through zeep, built from the committed WSDL file, in-process and over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest
from zeep import Client as ZeepClient
from zeep.exceptions import Fault
from zeep.transports import Transport

from soap_client import WSDL_PATH
from tests.conftest import JOURNEY, PASSWORDS, zeep_settings


def _journey(client: ZeepClient) -> None:
    session = client.service.Login(AgentId="MMT", Password=PASSWORDS["MMT"])
    assert session.AgentId == "MMT" and session.IdleTimeoutMinutes == 15
    header = {"SessionHeader": {"SessionToken": session.SessionToken}}

    trains = client.service.SearchTrain(
        From="NDLS", To="BCT", JourneyDate=JOURNEY, _soapheaders=header
    )
    rajdhani = next(t for t in trains if t.TrainNumber == "12952")
    assert rajdhani.From == "NDLS" and rajdhani.To == "MMCT"  # BCT answered as MMCT
    third_ac = next(c for c in rajdhani.Classes.ClassAvailability if c.Class == "3A")
    assert third_ac.Status.startswith("AVAILABLE ")
    fare = third_ac.Fare
    assert fare.Total == fare.BaseFare + fare.ReservationCharge + fare.SuperfastCharge + fare.Gst

    booking = client.service.Book(
        TrainNumber="12952",
        JourneyDate=JOURNEY,
        From="NDLS",
        To="MMCT",
        Class="3A",
        Quota="GN",
        Passengers={
            "Passenger": [
                {"Name": "Ravi Kumar", "Age": 34, "Gender": "M"},
                {"Name": "Anita Kumar", "Age": 31, "Gender": "F", "BerthPreference": "UB"},
            ]
        },
        ClientReference="journey-1",
        _soapheaders=header,
    )
    assert len(booking.Pnr) == 10 and booking.Pnr.isdigit()
    passengers = booking.Passengers.PassengerStatus
    assert [p.CurrentStatus.split("/")[0] for p in passengers] == ["CNF", "CNF"]
    assert passengers[1].BerthType == "UB"
    assert booking.TotalFare == 2 * fare.Total

    status = client.service.GetPnrStatus(Pnr=booking.Pnr, _soapheaders=header)
    assert [p.CurrentStatus for p in status.Passengers.PassengerStatus] == [
        p.CurrentStatus for p in passengers
    ]

    cancelled = client.service.CancelBooking(
        Pnr=booking.Pnr, Passengers={"PassengerNumber": [1]}, _soapheaders=header
    )
    assert cancelled.CancelledPassengers.PassengerNumber == [1]
    # Ten days ahead: the flat 3A charge of Rs 180 and its 5% GST are kept, the rest refunded.
    assert cancelled.CancellationCharges == Decimal("189.00")
    assert cancelled.Refund == fare.Total - Decimal(189)
    after = cancelled.Booking.Passengers.PassengerStatus
    assert after[0].CurrentStatus == "CAN" and after[1].CurrentStatus.startswith("CNF/")

    assert client.service.Logout(_soapheaders=header) is True
    with pytest.raises(Fault) as raised:
        client.service.GetPnrStatus(Pnr=booking.Pnr, _soapheaders=header)
    assert raised.value.code.endswith("Client.SessionExpired")


def test_journey_in_process(zeep_client: ZeepClient) -> None:
    _journey(zeep_client)


def test_journey_over_http(live_server: str) -> None:
    client = ZeepClient(
        str(WSDL_PATH),
        transport=Transport(timeout=10, operation_timeout=10),
        settings=zeep_settings(),
    )
    service = client.create_service("{urn:irctc:reservation:v1}IrctcReservation", live_server)
    original = client.service
    try:
        client._default_service = service  # noqa: SLF001 - bind the endpoint to the live server
        _journey(client)
    finally:
        client._default_service = original


def test_fault_detail_is_typed(zeep_client: ZeepClient) -> None:
    with pytest.raises(Fault) as raised:
        zeep_client.service.Login(AgentId="MMT", Password="wrong")
    fault = raised.value
    assert fault.code.endswith(":Client.AuthenticationFailed")
    detail = {child.tag.split("}")[1]: child.text for child in fault.detail[0]}
    assert detail["Code"] == "AuthenticationFailed"
    assert detail["Retryable"] == "false"
    assert "attempts left" not in detail["Message"]  # nothing that tells agents apart
