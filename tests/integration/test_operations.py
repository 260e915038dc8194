"""One table of operations, one vocabulary: every reader names the table's operations.

The table is ``railway/operations.py``. Its names are the SOAP service's and the committed
WSDL's; plain XML's elements and REST's operationIds are derived from them (the XSD and the
OpenAPI document must say the same); the simulation knows them by their keys; the client's load
generator and comparison label their measures with the contract's names.
"""

from __future__ import annotations

import html

from lxml import etree
from werkzeug.test import Client

from soap_client import WSDL_PATH
from soap_client.compare import OPERATIONS as COMPARED
from soap_client.load import OPERATIONS as LOADED
from soap_server import simulation
from soap_server.plainxml import schema
from soap_server.plainxml.endpoint import BY_ELEMENT, element_name
from soap_server.railway import errors
from soap_server.railway.operations import BY_KEY, BY_NAME, DOOR_ERRORS, OPERATIONS, SESSION_ERRORS
from soap_server.rest.openapi import OPERATION_IDS, document
from soap_server.soap.app import build_application, operation_names
from soap_server.wsgi import CoreApp

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"
NAMES = [operation.name for operation in OPERATIONS]


def test_the_soap_service_and_the_wsdl_have_the_tables_operations() -> None:
    assert operation_names(build_application()) == frozenset(NAMES)
    wsdl = etree.parse(str(WSDL_PATH))
    published = {
        str(op.get("name"))
        for op in wsdl.iterfind(f".//{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")
    }
    assert published == set(NAMES)


def test_plain_xml_elements_are_derived_from_the_table_and_match_the_xsd() -> None:
    elements = [element_name(operation) for operation in OPERATIONS]
    assert elements == [
        "Login",
        "Logout",
        "SearchTrain",
        "Book",
        "PnrStatus",
        "Cancel",
        "TrainSchedule",
        "ChangeBoardingPoint",
    ]
    assert list(BY_ELEMENT) == elements
    root = etree.fromstring(schema.contract())
    enumeration = root.find(f"{{{XS}}}simpleType[@name='OperationName']")
    assert enumeration is not None
    assert {e.get("value") for e in enumeration.iter(f"{{{XS}}}enumeration")} == set(elements)
    assert set(schema.request_types()) == set(elements) == set(schema.response_types())


def test_rest_names_every_operation_and_its_document_uses_them() -> None:
    assert set(OPERATION_IDS) == set(NAMES)
    paths = document("http://x")["paths"]
    ids = {op["operationId"] for item in paths.values() for op in item.values()}
    assert ids == set(OPERATION_IDS.values())


def test_the_simulation_names_operations_by_the_tables_keys() -> None:
    assert simulation.OPERATIONS == tuple(operation.key for operation in OPERATIONS)
    assert set(BY_KEY) == set(simulation.OPERATIONS)
    assert len(BY_NAME) == len(BY_KEY) == len(OPERATIONS)


def test_the_clients_tools_label_operations_with_the_contracts_names() -> None:
    assert set(LOADED) <= set(NAMES)
    assert set(COMPARED) <= set(NAMES)


def test_every_operation_says_what_it_can_raise() -> None:
    for operation in OPERATIONS:
        raised = set(operation.raises)
        assert set(DOOR_ERRORS) <= raised
        assert (set(SESSION_ERRORS) <= raised) == operation.session, operation.name
        assert all(issubclass(e, errors.ReservationError) for e in raised)
        assert operation.summary.strip()


def test_the_help_page_lists_every_operation(app: CoreApp) -> None:
    page = Client(app).get("/").get_data(as_text=True)
    for operation in OPERATIONS:
        assert f'href="/soap?op={operation.name}"' in page
        assert f'href="/help/rest/{OPERATION_IDS[operation.name]}"' in page
        assert f'href="/help/xml/{element_name(operation)}"' in page
        assert html.escape(operation.summary) in page
