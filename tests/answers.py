"""Every SOAP answer the suite's in-process apps send, validated against the WSDL's schema.

``install()`` (called once by ``tests/conftest.py``) wraps ``SoapEndpoint.__call__``: each POST
answered with an XML body is parsed and its one Body entry validated against the XSD embedded
in the committed WSDL (compiled once for the session): an answer's response element as it is, a
fault's ``detail`` entries (the contract's ``ReservationFault``) likewise, after its
``faultcode`` and ``faultstring`` are checked present. An answer that breaks the contract fails
the test that provoked it, with the schema's message. Apps in other processes (gunicorn, the
cluster) are not seen here; their answers are the same code's, and the committed samples are
replayed in-process too (``tests/integration/test_samples.py``), so each is validated here with
its real values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from lxml import etree

from soap_client import WSDL_PATH
from soap_server.ns import SOAP_ENV
from soap_server.soap.endpoint import SoapEndpoint, contract_schema

_SCHEMA = contract_schema(WSDL_PATH.read_bytes())
_LOCK = threading.Lock()  # a schema keeps the error log of its last validation
_BODY = f"{{{SOAP_ENV}}}Body"
_FAULT = f"{{{SOAP_ENV}}}Fault"
#: How many answers were validated this session (printed in pytest's summary).
validated = {"answers": 0, "faults": 0}


class AnswerBreaksContract(AssertionError):
    """A SOAP answer the WSDL's schema refuses."""


def check_answer(body: bytes) -> str:
    """Validate one SOAP response envelope against the contract; returns its entry's name."""
    root = etree.fromstring(body)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise AnswerBreaksContract(f"the answer's document element is {root.tag!r}")
    bodies = root.findall(_BODY)
    if len(bodies) != 1:
        raise AnswerBreaksContract(f"the answer has {len(bodies)} soap:Body elements")
    entries = [child for child in bodies[0] if isinstance(child.tag, str)]
    if len(entries) != 1:
        raise AnswerBreaksContract(f"the answer's soap:Body holds {len(entries)} elements")
    (entry,) = entries
    if entry.tag == _FAULT:
        for part in ("faultcode", "faultstring"):
            if not (entry.findtext(part) or "").strip():
                raise AnswerBreaksContract(f"the fault has no {part}")
        details = [c for c in entry.iterfind("detail/*") if isinstance(c.tag, str)]
        if len(details) != 1:
            raise AnswerBreaksContract(f"the fault's detail holds {len(details)} elements")
        _validate(details[0], body)
        validated["faults"] += 1
    else:
        _validate(entry, body)
        validated["answers"] += 1
    return etree.QName(entry).localname


def _validate(element: etree._Element, body: bytes) -> None:
    with _LOCK:
        if _SCHEMA.validate(element):
            return
        errors: Any = _SCHEMA.error_log
        message = "; ".join(f"line {e.line}: {e.message}" for e in errors)
    raise AnswerBreaksContract(
        f"{etree.QName(element).localname} breaks the WSDL's schema: {message}\n"
        f"{body[:2000].decode('utf-8', 'replace')}"
    )


def install() -> None:
    """Validate every answer of every ``SoapEndpoint`` in this process from now on."""
    original: Callable[..., Iterable[bytes]] = SoapEndpoint.__call__
    if getattr(original, "validates_answers", False):
        return

    def call(self: SoapEndpoint, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers: list[tuple[str, str]] = []

        def start(status: str, response_headers: list[tuple[str, str]], *rest: Any) -> Any:
            headers[:] = response_headers
            return start_response(status, response_headers, *rest)

        chunks = list(original(self, environ, start))
        content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
        body = b"".join(chunks)
        if environ.get("REQUEST_METHOD") == "POST" and "xml" in content_type and body:
            check_answer(body)
        return chunks

    call.validates_answers = True  # type: ignore[attr-defined]
    SoapEndpoint.__call__ = call  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    install()


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)  # an xdist worker's, for the summary
    if output is not None:
        output["validated_answers"] = dict(validated)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    counts = getattr(node, "workeroutput", {}).get("validated_answers") or {}
    for kind, count in counts.items():
        validated[kind] += count


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if validated["answers"] or validated["faults"]:
        terminalreporter.write_line(
            f"SOAP answers validated against the WSDL's schema: {validated['answers']} answers,"
            f" {validated['faults']} faults"
        )
