"""wsdl-diff on version pairs of the shapes partners publish: imported schemas (through a
catalog too), types used only as extension bases, enums turned into strings, the old client's
strictness, renamed namespaces; and both tools on http ``?wsdl`` URLs."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from soap_client.__main__ import main
from soap_client.catalog import Catalog
from soap_client.wsdl_diff import Change, diff_wsdl
from tests.client.corpus import CORPUS
from tests.client.stub import serving


def copy_of(tmp_path: Path, folder: str, name: str) -> Path:
    """A copy of a corpus folder (or file) under ``tmp_path/name``, to edit into a version."""
    target = tmp_path / name
    source = CORPUS / folder
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir()
        shutil.copy(source, target / source.name)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def summary(changes: list[Change]) -> list[tuple[str, str, bool]]:
    return [(c.kind, c.where, c.breaking) for c in changes]


GDS = "{http://webservices.gds.example.net/schema/common/v3_1}"


def test_imported_schemas_are_read_through_the_catalog(tmp_path: Path) -> None:
    """Removing a request enum value in a remote schema (mapped by the catalog) breaks."""
    old = copy_of(tmp_path, "catalog", "v1")
    new = copy_of(tmp_path, "catalog", "v2")
    edit(new / "local/common/v3_1/CommonTypes.xsd", '<xs:enumeration value="First"/>', "")
    catalogs = [Catalog.read(old / "catalog.xml"), Catalog.read(new / "catalog.xml")]
    # one catalog serves both versions when they import the same URLs: map them per side
    assert diff_wsdl(old / "booking.wsdl", old / "booking.wsdl", catalogs[0]) == []
    out = io.StringIO()
    code = main(
        [
            "wsdl-diff",
            str(old / "booking.wsdl"),
            str(new / "booking.wsdl"),
            "--catalog",
            str(new / "catalog.xml"),
        ],
        stdout=out,
    )
    # with the new catalog both sides read v2's schema: nothing differs...
    assert code == 0 and out.getvalue().strip() == "no changes"
    # ...so each side reads its own copy: the old one by relative location
    edit(
        old / "booking.wsdl",
        "http://webservices.gds.example.net/schema/common/v3_1/",
        "local/common/v3_1/",
    )
    edit(
        new / "booking.wsdl",
        "http://webservices.gds.example.net/schema/common/v3_1/",
        "local/common/v3_1/",
    )
    changes = diff_wsdl(old / "booking.wsdl", new / "booking.wsdl", catalogs[1])
    assert summary(changes) == [("restriction-narrowed", f"simpleType {GDS}CabinClass", True)]
    assert changes[0].detail == (
        "enumeration value(s) removed: First (used in requests and responses)"
    )


CLAIMS = "{http://schemas.insurer.example.com/claims/V2}"


def test_wsdl_import_and_xs_import_by_relative_location(tmp_path: Path) -> None:
    old = copy_of(tmp_path, "wsdl-import", "v1")
    new = copy_of(tmp_path, "wsdl-import", "v2")
    edit(new / "schemas/Claims.xsd", '<xs:enumeration value="Declined"/>', "")
    edit(
        new / "schemas/Claims.xsd",
        '<xs:enumeration value="Settled"/>',
        '<xs:enumeration value="Settled"/><xs:enumeration value="Reopened"/>',
    )
    changes = diff_wsdl(old / "claims-service.wsdl", new / "claims-service.wsdl")
    # ClaimState is only answered: a value gone is harmless, a new one surprises old clients
    assert summary(changes) == [
        ("restriction-narrowed", f"simpleType {CLAIMS}ClaimState", False),
        ("restriction-widened", f"simpleType {CLAIMS}ClaimState", True),
    ]


FAULT = "{urn:fault.partner.crm.example.com}"


def test_types_reached_only_through_an_extension_are_used(tmp_path: Path) -> None:
    """A CRM's fault details extend ApiFault, whose code enumeration is then answered."""
    old = copy_of(tmp_path, "response-headers.wsdl", "v1") / "response-headers.wsdl"
    new = copy_of(tmp_path, "response-headers.wsdl", "v2") / "response-headers.wsdl"
    edit(
        new,
        '<enumeration value="MALFORMED_QUERY"/>',
        '<enumeration value="MALFORMED_QUERY"/><enumeration value="REQUEST_LIMIT_EXCEEDED"/>',
    )
    (change,) = diff_wsdl(old, new)
    assert (change.kind, change.where, change.breaking) == (
        "restriction-widened",
        f"simpleType {FAULT}ExceptionCode",
        True,
    )
    assert change.detail.endswith("(used in responses)")
    # A change inside the base is reported once, flattened where it is used, not twice.
    edit(
        new,
        '<element name="exceptionMessage" type="xsd:string"/>',
        '<element name="exceptionMessage" type="xsd:string"/>'
        '<element name="upgradeUrl" type="xsd:string" minOccurs="0"/>',
    )
    changes = diff_wsdl(old, new)
    breaking = sorted(c.where for c in changes if c.breaking)
    assert breaking == [
        f"simpleType {FAULT}ExceptionCode",
        f"type {FAULT}LoginFault / element upgradeUrl",
        f"type {FAULT}MalformedQueryFault / element upgradeUrl",
    ]
    (base,) = [c for c in changes if c.where == f"type {FAULT}ApiFault / element upgradeUrl"]
    assert not base.breaking and "only as the base" in base.detail


RATE = "{http://parcel.example.com/ws/rate/v28}"


def test_an_enum_replaced_by_a_string_is_counted_once(tmp_path: Path) -> None:
    old = copy_of(tmp_path, "carrier-rate.wsdl", "v1") / "carrier-rate.wsdl"
    new = copy_of(tmp_path, "carrier-rate.wsdl", "v2") / "carrier-rate.wsdl"
    text = new.read_text()
    start = text.index('<xs:simpleType name="ServiceOptionType">')
    end = text.index("</xs:simpleType>", start) + len("</xs:simpleType>")
    new.write_text(text[:start] + text[end:])
    edit(
        new,
        'name="VariableOptions" type="ns:ServiceOptionType"',
        'name="VariableOptions" type="xs:string"',
    )
    changes = diff_wsdl(old, new)
    assert summary(changes) == [
        ("type-reference-changed", f"type {RATE}RateRequest / element VariableOptions", False),
        ("restriction-widened", f"type {RATE}RateRequest / element VariableOptions", False),
        ("type-removed", f"simpleType {RATE}ServiceOptionType", False),
    ]
    assert changes[2].detail == "removed (used in requests): its uses are compared where they are"
    assert main(["wsdl-diff", str(old), str(new)], stdout=io.StringIO()) == 0


def test_the_old_clients_strictness_decides_an_added_response_element(tmp_path: Path) -> None:
    old = copy_of(tmp_path, "carrier-rate.wsdl", "v1") / "carrier-rate.wsdl"
    new = copy_of(tmp_path, "carrier-rate.wsdl", "v2") / "carrier-rate.wsdl"
    edit(
        new,
        '<xs:element name="TotalNetCharge" type="xs:decimal"/>',
        '<xs:element name="TotalNetCharge" type="xs:decimal"/>'
        '<xs:element name="Surcharge" type="xs:decimal" minOccurs="0"/>',
    )
    edit(
        new,
        '<xs:element name="PackagingType" type="xs:string" minOccurs="0"/>',
        '<xs:element name="PackagingType" type="xs:string" minOccurs="0"/>'
        '<xs:element name="Insured" type="xs:boolean" minOccurs="0"/>',
    )
    strict = diff_wsdl(old, new)
    assert summary(strict) == [
        ("element-added", f"type {RATE}RateReplyDetail / element Surcharge", True),
        ("element-added", f"type {RATE}RequestedShipment / element Insured", False),
    ]
    assert "a strict client rejects elements it doesn't know" in strict[0].detail
    lax = diff_wsdl(old, new, client="lax")
    assert [c.breaking for c in lax] == [False, False]
    out = io.StringIO()
    assert main(["wsdl-diff", str(old), str(new), "--client", "lax"], stdout=out) == 0
    assert main(["wsdl-diff", str(old), str(new)], stdout=io.StringIO()) == 1


def test_a_real_style_major_version(tmp_path: Path) -> None:
    """v28 -> v29: the namespace renamed, a request enum value dropped, a response enum widened,
    a request element added as optional; each reported once, modulo the rename."""
    old = copy_of(tmp_path, "carrier-rate.wsdl", "v1") / "carrier-rate.wsdl"
    new = copy_of(tmp_path, "carrier-rate.wsdl", "v2") / "carrier-rate.wsdl"
    edit(new, "http://parcel.example.com/ws/rate/v28", "http://parcel.example.com/ws/rate/v29")
    edit(new, '<xs:enumeration value="SMART_POST_ALLOWED_INDICIA"/>', "")
    edit(
        new,
        '<xs:enumeration value="NOTE"/>',
        '<xs:enumeration value="NOTE"/><xs:enumeration value="INFO"/>',
    )
    edit(new, 'fixed="28"', 'fixed="29"')
    changes = diff_wsdl(old, new)
    assert summary(changes) == [
        ("namespace-renamed", "definitions", True),
        ("namespace-renamed", "schema http://parcel.example.com/ws/rate/v28", True),
        (
            "soap-action-changed",
            f"binding {RATE}RateServiceSoapBinding / operation getRates",
            True,
        ),
        ("restriction-widened", f"simpleType {RATE}NotificationSeverityType", True),
        ("restriction-narrowed", f"simpleType {RATE}ServiceOptionType", True),
        ("fixed-changed", f"type {RATE}VersionId / element Major", True),
    ]
    out = io.StringIO()
    assert main(["--json", "wsdl-diff", str(old), str(new)], stdout=out) == 1


# -- http(s) URLs as input -----------------------------------------------------------------------


def files(root: Path) -> Callable[..., Iterable[bytes]]:
    """A WSGI app serving ``root``'s files; ``/service?wsdl`` is the claims service WSDL."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ["PATH_INFO"].lstrip("/")
        if path == "service" and environ.get("QUERY_STRING") == "wsdl":
            path = "claims-service.wsdl"
        target = (root / path).resolve()
        if not target.is_file() or root.resolve() not in target.parents:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [target.read_bytes()]

    return app


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The claims service (a WSDL importing a WSDL importing a schema) on 127.0.0.1."""
    root = copy_of(tmp_path, "wsdl-import", "site")
    with serving(files(root)) as url:
        yield f"{url}/service?wsdl", root


def test_codegen_and_wsdl_diff_read_wsdl_urls(
    published: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, root = published
    target = tmp_path / "claims.py"
    assert main(["codegen", url, "-o", str(target)], stdout=io.StringIO()) == 0
    text = target.read_text()
    assert "class ClaimsServiceSOAPClient(rt.Client):" in text
    assert "Generated from service?wsdl" in text or "service" in text.splitlines()[0]
    assert main(["wsdl-diff", url, str(root / "claims-service.wsdl")], stdout=io.StringIO()) == 0
    edit(
        root / "schemas/Claims.xsd",
        '<xs:enumeration value="Settled"/>',
        '<xs:enumeration value="Settled"/><xs:enumeration value="Reopened"/>',
    )
    out = io.StringIO()
    assert (
        main(["wsdl-diff", str(CORPUS / "wsdl-import/claims-service.wsdl"), url], stdout=out) == 1
    )
    assert "ClaimState" in out.getvalue()
    missing = url.replace("/service?wsdl", "/nowhere?wsdl")
    assert main(["codegen", missing], stdout=io.StringIO()) == 2
    assert main(["wsdl-diff", missing, url], stdout=io.StringIO()) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
    assert "404" in err[1]
