"""Reading a WSDL 1.1 document with a safe parser, and pairing the namespaces of two of them.

Documents are read with lxml (no DTD, no entities, DOCTYPE refused, a size limit) through a
``soap_client.catalog.Loader``: imported WSDLs and schemas are followed, mapped to local files
by an XML catalog when one is given, fetched over http(s) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from soap_client.catalog import CatalogError, Loader
from soap_client.contract.model import (
    BASE_ONLY,
    REQUEST,
    RESPONSE,
    Binding,
    BindingOperation,
    Change,
    Header,
    Node,
    Operation,
    Part,
    Port,
    Usage,
)
from soap_client.contract.names import (
    Names,
    WsdlError,
    child_elements,
    first_child,
    local_name,
    split_qname,
)
from soap_client.contract.schema import Schemas
from soap_client.ns import HTTP, SOAP11, SOAP12, WSDL, XS

MAX_WSDL_BYTES = 16 * 1024 * 1024


_SOAP_NAMESPACES = (SOAP11, SOAP12, HTTP)


def _extension(el: etree._Element, name: str) -> etree._Element | None:
    for namespace in _SOAP_NAMESPACES:
        found = first_child(el, namespace, name)
        if found is not None:
            return found
    return None


class Contract:
    """One WSDL 1.1 document: messages, port types, bindings, services and its schemas."""

    def __init__(self, documents: _Documents, names: Names, schema_names: Names) -> None:
        # WSDL components are named in the definitions' namespace, schema components in their
        # schema's: the two may be renamed independently.
        self.names = names
        self.schemas = Schemas(documents.schemas, schema_names)
        self.messages: dict[str, tuple[Part, ...]] = {}
        self.port_types: dict[str, dict[str, Operation]] = {}
        self.bindings: dict[str, Binding] = {}
        self.services: dict[str, dict[str, Port]] = {}
        for root in documents.wsdls:
            self._definitions(root, names, schema_names)

    def _definitions(self, root: etree._Element, names: Names, schema_names: Names) -> None:
        tns = root.get("targetNamespace", "")
        for message in child_elements(root, WSDL, "message"):
            parts = tuple(
                Part(
                    part.get("name", ""),
                    schema_names.qname(part, part.get("element", ""))
                    if part.get("element")
                    else None,
                    schema_names.qname(part, part.get("type", "")) if part.get("type") else None,
                )
                for part in child_elements(message, WSDL, "part")
            )
            self.messages.setdefault(names.declared(tns, message), parts)
        for port_type in child_elements(root, WSDL, "portType"):
            operations: dict[str, Operation] = {}
            for op in child_elements(port_type, WSDL, "operation"):
                operations.setdefault(op.get("name", ""), self._operation(op))
            self.port_types.setdefault(names.declared(tns, port_type), operations)
        for binding in child_elements(root, WSDL, "binding"):
            self.bindings.setdefault(names.declared(tns, binding), self._binding(binding))
        for service in child_elements(root, WSDL, "service"):
            ports: dict[str, Port] = {}
            for port in child_elements(service, WSDL, "port"):
                address = _extension(port, "address")
                ports.setdefault(
                    port.get("name", ""),
                    Port(
                        names.qname(port, port.get("binding", "")),
                        "" if address is None else address.get("location", ""),
                    ),
                )
            self.services.setdefault(names.declared(tns, service), ports)

    def _message_ref(self, el: etree._Element | None) -> str | None:
        if el is None or not el.get("message"):
            return None
        return self.names.qname(el, el.get("message", ""))

    def _operation(self, op: etree._Element) -> Operation:
        faults = tuple(
            (fault.get("name", ""), self._message_ref(fault) or "")
            for fault in child_elements(op, WSDL, "fault")
        )
        return Operation(
            self._message_ref(first_child(op, WSDL, "input")),
            self._message_ref(first_child(op, WSDL, "output")),
            faults,
        )

    def _binding(self, binding: etree._Element) -> Binding:
        protocol, style, transport = "none", None, ""
        soap = _extension(binding, "binding")
        if soap is not None:
            namespace = split_qname(soap.tag)[0]
            if namespace == HTTP:
                protocol = f"HTTP {soap.get('verb', '')}".strip()
            else:
                protocol = "SOAP 1.1" if namespace == SOAP11 else "SOAP 1.2"
                style, transport = soap.get("style"), soap.get("transport", "")
        operations: dict[str, BindingOperation] = {}
        for op in child_elements(binding, WSDL, "operation"):
            soap_op = _extension(op, "operation")
            sides = [first_child(op, WSDL, "input"), first_child(op, WSDL, "output")]
            bodies = [None if side is None else _extension(side, "body") for side in sides]
            operations.setdefault(
                op.get("name", ""),
                BindingOperation(
                    soap_action="" if soap_op is None else soap_op.get("soapAction", ""),
                    style=None if soap_op is None else soap_op.get("style"),
                    uses=(
                        "" if bodies[0] is None else bodies[0].get("use", ""),
                        "" if bodies[1] is None else bodies[1].get("use", ""),
                    ),
                    namespaces=(
                        "" if bodies[0] is None else bodies[0].get("namespace", ""),
                        "" if bodies[1] is None else bodies[1].get("namespace", ""),
                    ),
                    input_headers=self._headers(sides[0]),
                    output_headers=self._headers(sides[1]),
                ),
            )
        return Binding(
            self.names.qname(binding, binding.get("type", "")),
            protocol,
            style,
            transport,
            operations,
        )

    def _headers(self, side: etree._Element | None) -> tuple[Header, ...]:
        if side is None:
            return ()
        headers = []
        for namespace in (SOAP11, SOAP12):
            for header in child_elements(side, namespace, "header"):
                required = header.get(f"{{{WSDL}}}required", "true").strip() not in ("false", "0")
                headers.append(
                    Header(self._message_ref(header) or "", header.get("part", ""), required)
                )
        return tuple(headers)

    def part_node(self, part: Part) -> Node | None:
        if part.element:
            return ("element", part.element)
        if part.type:
            return ("type", part.type)
        return None

    def header_key(self, header: Header) -> str:
        """What a header is on the wire: its part's element (or type), else message#part."""
        for part in self.messages.get(header.message, ()):
            if part.name == header.part and (part.element or part.type):
                return part.element or part.type or ""
        return f"{header.message}#{header.part}"

    def usage(self) -> dict[Node, Usage]:
        """Which schema components each direction of the contract's operations reaches."""
        seeds: dict[str, set[Node]] = {REQUEST: set(), RESPONSE: set()}

        def seed(direction: str, message: str | None, only_part: str | None = None) -> None:
            for part in self.messages.get(message or "", ()):
                node = self.part_node(part)
                if node is not None and (only_part is None or part.name == only_part):
                    seeds[direction].add(node)

        for operations in self.port_types.values():
            for op in operations.values():
                seed(REQUEST, op.input)
                seed(RESPONSE, op.output)
                for _, message in op.faults:
                    seed(RESPONSE, message)
        for binding in self.bindings.values():
            for bop in binding.operations.values():
                for header in bop.input_headers:
                    seed(REQUEST, header.message, header.part)
                for header in bop.output_headers:
                    seed(RESPONSE, header.message, header.part)
        usage: dict[Node, set[str]] = {}
        edges: dict[Node, list[tuple[Node, str]]] = {}
        for direction, nodes in seeds.items():
            todo, seen = list(nodes), set(nodes)
            while todo:
                node = todo.pop()
                usage.setdefault(node, set()).add(direction)
                if node not in edges:
                    derived = self.schemas.derived(node)
                    plain = self.schemas.references(node) - derived
                    edges[node] = [(r, "use") for r in plain] + [(d, "derived") for d in derived]
                    edges[node] += [(b, "base") for b in self.schemas.bases(node)]
                for ref, _ in edges[node]:
                    if ref not in seen:
                        seen.add(ref)
                        todo.append(ref)
        # On the wire itself: a message's component, what any reached component uses, and the
        # types derived from one on the wire (xsi:type). A type reached only as a
        # complexContent base travels only inside the types extending it, which are compared
        # flattened: its own changes are reported there.
        direct = set(seeds[REQUEST] | seeds[RESPONSE])
        changed = True
        while changed:
            changed = False
            for node, outgoing in edges.items():
                for ref, kind in outgoing:
                    if ref not in direct and (
                        kind == "use" or (kind == "derived" and node in direct)
                    ):
                        direct.add(ref)
                        changed = True
        return {
            node: frozenset(directions) if node in direct else frozenset({BASE_ONLY})
            for node, directions in usage.items()
        }


# --- loading ----------------------------------------------------------------------------------


@dataclass
class _Documents:
    """One contract's documents: its WSDL definitions (the first given) and every schema."""

    label: str
    wsdls: list[etree._Element]
    schemas: list[etree._Element]


MAX_DOCUMENTS = 500


def load_contract(source: bytes | Path | str, role: str, loader: Loader) -> _Documents:
    """The WSDL and everything it imports (``wsdl:import``, ``xs:import``, ``xs:include``),
    read through the loader's catalog; relative locations in bytes resolve from the cwd."""
    if isinstance(source, bytes):
        label, location = f"{role} WSDL", None
        data = loader.catalog.rewrite(source, "") if loader.catalog is not None else source
        root = _parse(data, label)
    else:
        label = str(source)
        location = loader.locate(str(source))
        root = _parse(_fetch(loader, location), label)
    if root.tag != f"{{{WSDL}}}definitions":
        raise WsdlError(f"{label}: not a WSDL 1.1 document (root element is {root.tag})")
    documents = _Documents(label, [], [])
    seen: set[str] = set() if location is None else {location}
    _gather(root, location, loader, documents, seen)
    return documents


def _fetch(loader: Loader, location: str) -> bytes:
    try:
        data = loader.fetch(location)
    except CatalogError as error:
        raise WsdlError(str(error)) from None
    if loader.catalog is not None:
        data = loader.catalog.rewrite(data, location)
    return data


def _parse(data: bytes, label: str) -> etree._Element:
    if len(data) > MAX_WSDL_BYTES:
        raise WsdlError(f"{label}: larger than {MAX_WSDL_BYTES} bytes")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise WsdlError(f"{label}: not well-formed XML: {exc.msg}") from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype:  # any DOCTYPE, even an external one only
        raise WsdlError(f"{label}: DOCTYPE declarations are refused")
    return root


def _gather(
    root: etree._Element,
    location: str | None,
    loader: Loader,
    documents: _Documents,
    seen: set[str],
) -> None:
    """Add ``root`` (a WSDL or a schema) and what it imports to ``documents``."""
    if etree.QName(root).localname == "definitions":
        documents.wsdls.append(root)
        types = first_child(root, WSDL, "types")
        schemas = [] if types is None else list(child_elements(types, XS, "schema"))
        imports = list(child_elements(root, WSDL, "import"))
    else:
        schemas, imports = [root], []
    for schema in schemas:
        documents.schemas.append(schema)
        imports += list(child_elements(schema, XS, "import", "include", "redefine"))
    for reference in imports:
        target = reference.get("location") or reference.get("schemaLocation")
        if target is None and loader.catalog is not None and local_name(reference) == "import":
            target = loader.catalog.namespace(reference.get("namespace", ""))
        if not target:
            continue  # a namespace-only import: its schema is in this contract, or nowhere
        found = loader.locate(target, location)
        if found in seen:
            continue
        if len(seen) >= MAX_DOCUMENTS:
            raise WsdlError(f"{documents.label}: more than {MAX_DOCUMENTS} imported documents")
        seen.add(found)
        imported = _parse(_fetch(loader, found), found)
        if local_name(reference) != "import" and imported.get("targetNamespace") is None:
            # a chameleon include takes the including schema's namespace
            parent = reference.getparent()
            tns = "" if parent is None else parent.get("targetNamespace", "")
            if tns:
                imported.set("targetNamespace", tns)
        if imported.tag not in (f"{{{WSDL}}}definitions", f"{{{XS}}}schema"):
            raise WsdlError(f"{found}: neither a WSDL nor a schema (root element {imported.tag})")
        _gather(imported, found, loader, documents, seen)


def _target_namespaces(documents: _Documents) -> tuple[str, list[str]]:
    schemas: list[str] = []
    for schema in documents.schemas:
        tns = schema.get("targetNamespace", "")
        if tns not in schemas:
            schemas.append(tns)
    return documents.wsdls[0].get("targetNamespace", ""), schemas


@dataclass(frozen=True)
class _Renames:
    """Namespaces renamed from old to new: of the definitions, and of the inline schemas."""

    wsdl: dict[str, str]
    schema: dict[str, str]
    changes: list[Change]

    def reverse(self) -> dict[str, str]:
        return {after: before for before, after in (self.schema | self.wsdl).items()}


def namespace_renames(old: _Documents, new: _Documents) -> _Renames:
    """The definitions' targetNamespace, and the schemas' paired in document order when as many
    namespaces disappeared as appeared (otherwise their components are just removed and added)."""
    old_tns, old_schemas = _target_namespaces(old)
    new_tns, new_schemas = _target_namespaces(new)
    renames = _Renames({}, {}, [])
    if old_tns != new_tns:
        renames.wsdl[old_tns] = new_tns
        detail = f"targetNamespace {old_tns or '(none)'} -> {new_tns or '(none)'}"
        renames.changes.append(Change("namespace-renamed", "definitions", detail, True))
    gone = [ns for ns in old_schemas if ns not in new_schemas]
    came = [ns for ns in new_schemas if ns not in old_schemas]
    if len(gone) == len(came):
        for before, after in zip(gone, came, strict=True):
            renames.schema[before] = after
            detail = f"targetNamespace {before or '(none)'} -> {after or '(none)'}"
            where = f"schema {before or '(none)'}"
            renames.changes.append(Change("namespace-renamed", where, detail, True))
    return renames
