"""An in-process SOAP service for generated clients: it validates every request (and its own
answers) against the WSDL's schemas, then answers each operation with canned XML.

``ContractSchema`` gathers every schema of a WSDL (inline ones, imported files, catalog-mapped
ones) into one ``lxml.etree.XMLSchema``, with a synthetic element per rpc/literal operation for
its wrapper, so a stray element name, a wrong namespace or an unordered sequence fails the test.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from werkzeug.serving import make_server

from soap_client.catalog import Catalog, CatalogError, Loader

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
ENV11 = "http://schemas.xmlsoap.org/soap/envelope/"
ENV12 = "http://www.w3.org/2003/05/soap-envelope"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def qname(element: etree._Element, text: str) -> tuple[str, str]:
    prefix, _, local = text.strip().rpartition(":")
    return element.nsmap.get(prefix or None) or "", local


class ContractSchema:
    """Every schema of one WSDL, compiled into one validator."""

    def __init__(self, wsdl: str, catalog: Catalog | None = None) -> None:
        self.loader = Loader(catalog or Catalog.standard())
        self.docs: list[etree._Element] = []  # schema roots, in memory
        self.included: set[int] = set()  # indexes of docs another doc includes
        self.by_location: dict[str, int] = {}
        self.rpc: dict[str, list[str]] = {}  # namespace -> synthetic element declarations
        self.prefixes: dict[str, str] = {}
        self._wsdl(self.loader.locate(wsdl), set())
        self.schema = self._compile()

    # -- gathering -----------------------------------------------------------------------------
    def _wsdl(self, location: str, seen: set[str]) -> None:
        if location in seen:
            return
        seen.add(location)
        root = self.loader.parse(location)
        for imported in root.iterfind(f"{{{WSDL}}}import"):
            self._wsdl(self.loader.locate(imported.get("location", ""), location), seen)
        types = root.find(f"{{{WSDL}}}types")
        for schema in [] if types is None else types.iterfind(f"{{{XS}}}schema"):
            own = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap=schema.nsmap)
            own.extend(copy.deepcopy(child) for child in schema)
            self._add(own, location)
        self._rpc(root)

    def _add(self, schema: etree._Element, location: str, key: str | None = None) -> int:
        index = len(self.docs)
        self.docs.append(schema)
        if key is not None:
            self.by_location[key] = index
        for reference in list(schema.iter(f"{{{XS}}}import", f"{{{XS}}}include")):
            target = reference.get("schemaLocation")
            if reference.tag == f"{{{XS}}}import":
                namespace = reference.get("namespace", "")
                if target is None and self.loader.catalog is not None:
                    target = self.loader.catalog.namespace(namespace)
                if target is not None:
                    self._file(self.loader.locate(target, location))
                reference.set("schemaLocation", f"mem://ns/{len(namespace)}/{namespace}")
            elif target is not None:
                included = self._file(self.loader.locate(target, location))
                self.included.add(included)
                reference.set("schemaLocation", f"mem://doc/{included}")
        return index

    def _file(self, location: str) -> int:
        if location in self.by_location:
            return self.by_location[location]
        try:
            root = self.loader.parse(location)
        except CatalogError as error:
            raise AssertionError(f"the stub cannot read {location}: {error}") from None
        self.by_location[location] = -1  # being read (a cycle)
        return self._add(root, location, location)

    def _rpc(self, root: etree._Element) -> None:
        """A wrapper element per rpc/literal operation, with its parts unqualified inside."""
        messages = {m.get("name"): m for m in root.iterfind(f"{{{WSDL}}}message")}
        port_types = {p.get("name"): p for p in root.iterfind(f"{{{WSDL}}}portType")}
        for binding in root.iterfind(f"{{{WSDL}}}binding"):
            soap = binding.find(f"{{{SOAP11}}}binding")
            if soap is None:
                soap = binding.find(f"{{{SOAP12}}}binding")
            if soap is None:
                continue
            port_type = port_types.get(qname(binding, binding.get("type", ""))[1])
            for operation in binding.iterfind(f"{{{WSDL}}}operation"):
                style = soap.get("style", "document")
                for namespace in (SOAP11, SOAP12):
                    found = operation.find(f"{{{namespace}}}operation")
                    if found is not None and found.get("style"):
                        style = found.get("style", style)
                if style != "rpc" or port_type is None:
                    continue
                abstract = port_type.find(f"{{{WSDL}}}operation[@name='{operation.get('name')}']")
                for side, suffix in (("input", ""), ("output", "Response")):
                    body = operation.find(f"{{{WSDL}}}{side}/{{{SOAP11}}}body")
                    if body is None:
                        body = operation.find(f"{{{WSDL}}}{side}/{{{SOAP12}}}body")
                    reference = None if abstract is None else abstract.find(f"{{{WSDL}}}{side}")
                    if body is None or reference is None:
                        continue
                    message = messages.get(qname(reference, reference.get("message", ""))[1])
                    parts = [] if message is None else list(message.iterfind(f"{{{WSDL}}}part"))
                    self._rpc_element(
                        body.get("namespace", ""), operation.get("name", "") + suffix, parts
                    )

    def _rpc_element(self, namespace: str, name: str, parts: list[etree._Element]) -> None:
        particles = []
        for part in parts:
            if part.get("element"):
                ns, local = qname(part, part.get("element", ""))
                particles.append(f'<xs:element ref="{self._prefix(ns)}:{local}"/>')
            else:
                ns, local = qname(part, part.get("type", ""))
                particles.append(
                    f'<xs:element name="{part.get("name")}" type="{self._prefix(ns)}:{local}"'
                    ' form="unqualified"/>'
                )
        self.rpc.setdefault(namespace, []).append(
            f'<xs:element name="{name}"><xs:complexType><xs:sequence>{"".join(particles)}'
            "</xs:sequence></xs:complexType></xs:element>"
        )

    def _prefix(self, namespace: str) -> str:
        if namespace == XS:
            return "xs"
        return self.prefixes.setdefault(namespace, f"p{len(self.prefixes)}")

    # -- compiling -----------------------------------------------------------------------------
    def _compile(self) -> etree.XMLSchema:
        for namespace, declarations in self.rpc.items():
            imports = "".join(
                f'<xs:import namespace="{ns}" schemaLocation="mem://ns/{len(ns)}/{ns}"/>'
                for ns in self.prefixes
                if ns != namespace
            )
            declared = "".join(f' xmlns:{p}="{ns}"' for ns, p in self.prefixes.items())
            text = (
                f'<xs:schema xmlns:xs="{XS}" targetNamespace="{namespace}"{declared}>'
                f"{imports}{''.join(declarations)}</xs:schema>"
            )
            self.docs.append(etree.fromstring(text, PARSER))
        namespaces: dict[str, list[int]] = {}
        for index, doc in enumerate(self.docs):
            if index not in self.included:
                namespaces.setdefault(doc.get("targetNamespace", ""), []).append(index)
        wrappers = {}
        for namespace, indexes in namespaces.items():
            target = f' targetNamespace="{namespace}"' if namespace else ""
            includes = "".join(f'<xs:include schemaLocation="mem://doc/{i}"/>' for i in indexes)
            wrappers[namespace] = f'<xs:schema xmlns:xs="{XS}"{target}>{includes}</xs:schema>'
        driver = "".join(
            f'<xs:import namespace="{ns}" schemaLocation="mem://ns/{len(ns)}/{ns}"/>'
            for ns in sorted(namespaces)
            if ns
        )
        docs = self.docs

        class Memory(etree.Resolver):
            def resolve(self, url: str, pubid: str, context: Any) -> Any:
                if url.startswith("mem://doc/"):
                    return self.resolve_string(etree.tostring(docs[int(url[10:])]), context)
                if url.startswith("mem://ns/"):
                    length, _, rest = url[9:].partition("/")
                    namespace = rest[: int(length)]
                    empty = f'<xs:schema xmlns:xs="{XS}" targetNamespace="{namespace}"/>'
                    return self.resolve_string(wrappers.get(namespace, empty), context)
                return None

        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        parser.resolvers.add(Memory())
        root = etree.fromstring(f'<xs:schema xmlns:xs="{XS}">{driver}</xs:schema>', parser)
        return etree.XMLSchema(etree.ElementTree(root))

    def check(self, element: etree._Element, what: str) -> None:
        """Raise AssertionError naming every schema violation of ``element``."""
        alone = copy.deepcopy(element)
        if not self.schema.validate(etree.ElementTree(alone)):
            errors = "; ".join(f"line {e.line}: {e.message}" for e in self.schema.error_log)
            raise AssertionError(f"{what} is not valid against the WSDL: {errors}")


# -- the service -------------------------------------------------------------------------------


@dataclass
class Answer:
    """What the stub sends back: a body (or a fault's detail), headers, an HTTP status."""

    body: str = ""
    headers: str = ""
    status: int = 200
    fault: tuple[str, str] | None = None  # (code, message): the body is then the detail


Handler = Callable[[etree._Element, etree._Element | None], Answer]


@dataclass
class Stub:
    """A WSGI app answering each operation (named by its body element's local name)."""

    schema: ContractSchema
    handlers: dict[str, Handler]
    requests: list[etree._Element] = field(default_factory=list)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        data = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        envelope = etree.fromstring(data, PARSER)
        self.requests.append(envelope)
        env = etree.QName(envelope).namespace or ""
        assert env in (ENV11, ENV12), envelope.tag
        header = envelope.find(f"{{{env}}}Header")
        for child in [] if header is None else header:
            self.schema.check(child, f"request header {child.tag}")
        body = envelope.find(f"{{{env}}}Body")
        assert body is not None and len(body), "a request without a body element"
        for child in body:
            self.schema.check(child, f"request element {child.tag}")
        answer = self.handlers[etree.QName(body[0]).localname](body[0], header)
        reply = self._envelope(env, answer)
        if answer.status in (202, 204) and not answer.body:
            start_response(f"{answer.status} Accepted", [("Content-Length", "0")])
            return [b""]
        content_type = "text/xml; charset=utf-8" if env == ENV11 else "application/soap+xml"
        start_response(f"{answer.status} X", [("Content-Type", content_type)])
        return [reply]

    def _envelope(self, env: str, answer: Answer) -> bytes:
        if answer.fault is None:
            inner = answer.body
        elif env == ENV11:
            code, message = answer.fault
            detail = f"<detail>{answer.body}</detail>" if answer.body else ""
            inner = (
                f"<e:Fault><faultcode>e:{code}</faultcode><faultstring>{message}</faultstring>"
                f"{detail}</e:Fault>"
            )
        else:
            code, message = answer.fault
            detail = f"<e:Detail>{answer.body}</e:Detail>" if answer.body else ""
            inner = (
                f"<e:Fault><e:Code><e:Value>e:{code}</e:Value></e:Code><e:Reason>"
                f'<e:Text xml:lang="en">{message}</e:Text></e:Reason>{detail}</e:Fault>'
            )
        headers = f"<e:Header>{answer.headers}</e:Header>" if answer.headers else ""
        text = f'<e:Envelope xmlns:e="{env}">{headers}<e:Body>{inner}</e:Body></e:Envelope>'
        envelope = etree.fromstring(text.encode(), PARSER)
        body = envelope.find(f"{{{env}}}Body")
        assert body is not None
        if answer.fault is None:
            checked = list(body)
        else:
            detail = body.find("*/detail")
            detail = body.find(f"*/{{{env}}}Detail") if detail is None else detail
            checked = [] if detail is None else list(detail)
        for child in checked:
            self.schema.check(child, f"the stub's own answer {child.tag}")
        return etree.tostring(envelope)


@contextmanager
def serving(app: Callable[..., Iterable[bytes]]) -> Iterator[str]:
    """``app`` on a real socket of 127.0.0.1 (an ephemeral port); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
