"""A large WSDL, written at test time: an enterprise suite's many services in one contract.

27 bindings (one port type each, SOAP 1.1 and 1.2 alternating), 12 operations each, every
operation with its own request and response types over a shared core of common types and
enumerations, and the same local names in different services' namespaces: about 1 MB, the
size of the suites that made ``wsimport`` slow. Deterministic: the same arguments give the
same bytes.
"""

from __future__ import annotations

from pathlib import Path

XS = "http://www.w3.org/2001/XMLSchema"
COMMON = "http://suite.example.com/ws/common/2015/1"
SERVICES = (
    "Accounts Billing Catalog Claims Contracts Customers Documents Dispatch Fleet Inventory"
    " Invoices Ledger Loyalty Maintenance Orders Payments Payroll Pricing Procurement Quotes"
    " Returns Routing Scheduling Shipping Subscriptions Tickets Warehouse"
).split()
VERBS = "Create Get Update Delete List Search Approve Reject Archive Restore Export Import".split()


def _common() -> str:
    states = "".join(f'<xs:enumeration value="{s}"/>' for s in ("DRAFT", "ACTIVE", "CLOSED"))
    return (
        f'<xs:schema targetNamespace="{COMMON}" elementFormDefault="qualified">'
        f'<xs:simpleType name="State"><xs:restriction base="xs:string">{states}'
        "</xs:restriction></xs:simpleType>"
        '<xs:complexType name="Money"><xs:sequence><xs:element name="Amount" type="xs:decimal"/>'
        '<xs:element name="Currency" type="xs:string"/></xs:sequence></xs:complexType>'
        '<xs:complexType name="Audit"><xs:sequence><xs:element name="CreatedBy" type="xs:string"/>'
        '<xs:element name="CreatedAt" type="xs:dateTime"/>'
        '<xs:element name="ChangedAt" type="xs:dateTime" minOccurs="0"/></xs:sequence>'
        "</xs:complexType>"
        '<xs:complexType name="Paging"><xs:sequence><xs:element name="Offset" type="xs:int"/>'
        '<xs:element name="Limit" type="xs:int"/></xs:sequence></xs:complexType>'
        '<xs:element name="RequestContext"><xs:complexType><xs:sequence>'
        '<xs:element name="TenantId" type="xs:string"/>'
        '<xs:element name="CorrelationId" type="xs:string" minOccurs="0"/>'
        "</xs:sequence></xs:complexType></xs:element>"
        '<xs:element name="SuiteFault"><xs:complexType><xs:sequence>'
        '<xs:element name="Code" type="xs:string"/><xs:element name="Text" type="xs:string"/>'
        "</xs:sequence></xs:complexType></xs:element></xs:schema>"
    )


def _service_schema(service: str, ns: str) -> str:
    parts = [f'<xs:schema targetNamespace="{ns}" elementFormDefault="qualified">']
    parts.append(f'<xs:import namespace="{COMMON}"/>')
    # the same local names in every service namespace: codegen must tell them apart
    parts.append(
        '<xs:complexType name="Record"><xs:sequence>'
        '<xs:element name="Id" type="xs:string"/><xs:element name="Name" type="xs:string"/>'
        '<xs:element name="State" type="c:State"/><xs:element name="Total" type="c:Money"/>'
        '<xs:element name="Audit" type="c:Audit"/>'
        '<xs:element name="Tags" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>'
        '<xs:element name="Notes" type="xs:string" minOccurs="0" nillable="true"/>'
        '</xs:sequence><xs:attribute name="version" type="xs:int"/></xs:complexType>'
    )
    for verb in VERBS:
        op = f"{verb}{service}"
        fields = "".join(
            f'<xs:element name="Field{i}" type="xs:string" minOccurs="0"><xs:annotation>'
            f"<xs:documentation>Selects {service.lower()} records by their field {i}."
            "</xs:documentation></xs:annotation></xs:element>"
            for i in range(1, 11)
        )
        parts.append(
            f'<xs:complexType name="{op}Criteria"><xs:sequence>{fields}'
            '<xs:element name="Since" type="xs:date" minOccurs="0"/>'
            '<xs:element name="Paging" type="c:Paging" minOccurs="0"/></xs:sequence>'
            "</xs:complexType>"
            f'<xs:element name="{op}Request"><xs:complexType><xs:sequence>'
            f'<xs:element name="Criteria" type="s:{op}Criteria"/>'
            '<xs:element name="Record" type="s:Record" minOccurs="0"/>'
            "</xs:sequence></xs:complexType></xs:element>"
            f'<xs:element name="{op}Response"><xs:complexType><xs:sequence>'
            '<xs:element name="Record" type="s:Record" minOccurs="0" maxOccurs="unbounded"/>'
            '<xs:element name="Count" type="xs:int"/>'
            "</xs:sequence></xs:complexType></xs:element>"
        )
    parts.append("</xs:schema>")
    return "".join(parts)


def large_wsdl(services: int = len(SERVICES)) -> str:
    """The WSDL's text: ``services`` bindings of ``len(VERBS)`` operations each."""
    names = SERVICES[:services]
    spaces = {name: f"http://suite.example.com/ws/{name.lower()}/2015/1" for name in names}
    declarations = "".join(f' xmlns:{n.lower()}="{spaces[n]}"' for n in names)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
        ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
        ' xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"'
        f' xmlns:xs="{XS}" xmlns:c="{COMMON}" xmlns:tns="http://suite.example.com/ws/2015/1"'
        f'{declarations} targetNamespace="http://suite.example.com/ws/2015/1" name="Suite">',
        "<wsdl:documentation>The enterprise suite, every service in one contract."
        "</wsdl:documentation>",
        "<wsdl:types>",
        _common(),
    ]
    for name in names:
        schema = _service_schema(name, spaces[name])
        out.append(schema.replace("<xs:schema ", f'<xs:schema xmlns:s="{spaces[name]}" ', 1))
    out.append("</wsdl:types>")
    for message, part, element in (
        ("RequestContext", "context", "c:RequestContext"),
        ("SuiteFault", "fault", "c:SuiteFault"),
    ):
        out.append(
            f'<wsdl:message name="{message}"><wsdl:part name="{part}" element="{element}"/>'
            "</wsdl:message>"
        )
    for name in names:
        prefix = name.lower()
        for verb in VERBS:
            op = f"{verb}{name}"
            out.append(
                f'<wsdl:message name="{op}Request"><wsdl:part name="parameters"'
                f' element="{prefix}:{op}Request"/></wsdl:message>'
                f'<wsdl:message name="{op}Response"><wsdl:part name="parameters"'
                f' element="{prefix}:{op}Response"/></wsdl:message>'
            )
    for name in names:
        out.append(f'<wsdl:portType name="{name}Port">')
        for verb in VERBS:
            op = f"{verb}{name}"
            out.append(
                f'<wsdl:operation name="{op}"><wsdl:documentation>{verb} {name.lower()} records'
                " the criteria select.</wsdl:documentation>"
                f'<wsdl:input message="tns:{op}Request"/><wsdl:output message="tns:{op}Response"/>'
                '<wsdl:fault name="SuiteFault" message="tns:SuiteFault"/></wsdl:operation>'
            )
        out.append("</wsdl:portType>")
    for index, name in enumerate(names):
        soap = "soap" if index % 2 == 0 else "soap12"
        out.append(f'<wsdl:binding name="{name}Binding" type="tns:{name}Port">')
        out.append(
            f'<{soap}:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        )
        for verb in VERBS:
            op = f"{verb}{name}"
            out.append(
                f'<wsdl:operation name="{op}"><{soap}:operation soapAction="urn:suite:{op}"/>'
                f'<wsdl:input><{soap}:header message="tns:RequestContext" part="context"'
                f' use="literal"/><{soap}:body use="literal"/></wsdl:input>'
                f'<wsdl:output><{soap}:body use="literal"/></wsdl:output>'
                f'<wsdl:fault name="SuiteFault"><{soap}:fault name="SuiteFault" use="literal"/>'
                "</wsdl:fault></wsdl:operation>"
            )
        out.append("</wsdl:binding>")
    out.append('<wsdl:service name="SuiteService">')
    for index, name in enumerate(names):
        soap = "soap" if index % 2 == 0 else "soap12"
        out.append(
            f'<wsdl:port name="{name}" binding="tns:{name}Binding">'
            f'<{soap}:address location="https://suite.example.com/ws/{name.lower()}"/></wsdl:port>'
        )
    out.append("</wsdl:service></wsdl:definitions>")
    return "\n".join(out) + "\n"


def write_large_wsdl(folder: Path, services: int = len(SERVICES)) -> Path:
    path = folder / "suite-large.wsdl"
    path.write_text(large_wsdl(services), encoding="utf-8")
    return path
