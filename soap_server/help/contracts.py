"""The published contracts read for people: operations and their shapes as trees.

Everything here is derived from the documents the core serves (the WSDL Spyne builds, the
OpenAPI document, the plain-XML XSD), so the help pages cannot describe another contract than
the one on the wire. The trees are plain data (``Node``); ``pages.py`` renders them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from soap_server.ns import WSDL, XS
from soap_server.ns import WSDL_SOAP11 as SOAP11

_PARSER = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
#: How deep a shape is unfolded; deeper levels (none in these contracts) are named, not shown.
MAX_DEPTH = 8


@dataclass(frozen=True)
class Node:
    """One element, attribute or JSON property of a message, with what it may hold."""

    name: str
    type: str
    required: bool = True
    repeated: str = ""  # "" for one, else the bounds as text: "1..6", "0..unbounded"
    facets: tuple[str, ...] = ()
    doc: str = ""
    attribute: bool = False
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class SoapOperation:
    name: str
    doc: str
    soap_action: str
    request: Node
    response: Node
    headers: tuple[Node, ...]
    faults: tuple[Node, ...]


@dataclass(frozen=True)
class RestOperation:
    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    secured: bool
    parameters: tuple[Node, ...]
    body: Node | None
    responses: tuple[tuple[str, str, Node | None], ...]  # status, description, shape


@dataclass
class Schema:
    """The named types and elements of one or more ``xs:schema`` documents."""

    simple: dict[str, etree._Element] = field(default_factory=dict)
    complex: dict[str, etree._Element] = field(default_factory=dict)
    elements: dict[str, etree._Element] = field(default_factory=dict)

    @classmethod
    def of(cls, schemas: list[etree._Element]) -> Schema:
        found = cls()
        for schema in schemas:
            for child in schema:
                name = child.get("name")
                if name is None:
                    continue
                if child.tag == f"{{{XS}}}simpleType":
                    found.simple[name] = child
                elif child.tag == f"{{{XS}}}complexType":
                    found.complex[name] = child
                elif child.tag == f"{{{XS}}}element":
                    found.elements[name] = child
        return found

    # -- elements -------------------------------------------------------------------------------
    def element(self, name: str) -> Node:
        declared = self.elements.get(name)
        if declared is None:
            return Node(name, "?")
        return self._element(declared, 0)

    def _element(self, element: etree._Element, depth: int) -> Node:
        name = element.get("name") or _local(element.get("ref", "?"))
        if element.get("ref") and name in self.elements:
            element = self.elements[name]
        low, high = element.get("minOccurs", "1"), element.get("maxOccurs", "1")
        repeated = "" if high == "1" else f"{low}..{high}"
        required = low != "0"
        doc = _doc(element)
        type_name = element.get("type")
        inline_complex = element.find(f"{{{XS}}}complexType")
        inline_simple = element.find(f"{{{XS}}}simpleType")
        if inline_complex is not None:
            return Node(
                name,
                "",
                required,
                repeated,
                doc=doc,
                children=self._content(inline_complex, depth + 1),
            )
        if inline_simple is not None:
            label, facets, sdoc = self._simple(inline_simple)
            return Node(name, label, required, repeated, facets, doc or sdoc)
        return self._typed(name, type_name or "xs:anyType", required, repeated, doc, depth, False)

    def _typed(
        self,
        name: str,
        type_name: str,
        required: bool,
        repeated: str,
        doc: str,
        depth: int,
        attribute: bool,
    ) -> Node:
        local = _local(type_name)
        if local in self.complex and not _is_xs(type_name):
            complex_type = self.complex[local]
            children = self._content(complex_type, depth + 1) if depth < MAX_DEPTH else ()
            return Node(
                name,
                local,
                required,
                repeated,
                doc=doc or _doc(complex_type),
                attribute=attribute,
                children=children,
            )
        if local in self.simple and not _is_xs(type_name):
            label, facets, sdoc = self._simple(self.simple[local])
            # Spyne names its restrictions after the element (Book_FromType): show the base.
            shown = label if "_" in local else f"{local} ({label})"
            return Node(name, shown, required, repeated, facets, doc or sdoc, attribute)
        return Node(name, local, required, repeated, (), doc, attribute)

    def _content(self, complex_type: etree._Element, depth: int) -> tuple[Node, ...]:
        nodes: list[Node] = []
        for particle in complex_type.iter(f"{{{XS}}}element", f"{{{XS}}}attribute"):
            # only the particles of this type, not of types nested inline in it
            owner = particle.getparent()
            while owner is not None and owner.tag != f"{{{XS}}}complexType":
                owner = owner.getparent()
            if owner is not complex_type:
                continue
            if particle.tag == f"{{{XS}}}attribute":
                nodes.append(self._attribute(particle, depth))
                continue
            node = self._element(particle, depth)
            choice = particle.getparent()
            if choice is not None and choice.tag == f"{{{XS}}}choice":
                node = _replace(node, required=False, repeated="", facets=("one of a choice",))
                if choice.get("maxOccurs", "1") != "1":
                    bounds = f"{choice.get('minOccurs', '1')}..{choice.get('maxOccurs')}"
                    node = _replace(node, facets=(f"in a choice repeated {bounds}",))
            nodes.append(node)
        return tuple(nodes)

    def _attribute(self, attribute: etree._Element, depth: int) -> Node:
        name = attribute.get("name", "?")
        required = attribute.get("use") == "required"
        node = self._typed(
            name,
            attribute.get("type", "xs:string"),
            required,
            "",
            _doc(attribute),
            depth,
            True,
        )
        if attribute.get("default") is not None:
            node = _replace(node, facets=(*node.facets, f"default {attribute.get('default')}"))
        return node

    def _simple(self, simple: etree._Element) -> tuple[str, tuple[str, ...], str]:
        """The base type, the facets in words, and the documentation of a simple type."""
        restriction = simple.find(f"{{{XS}}}restriction")
        if restriction is None:
            return "string", (), _doc(simple)
        base = _local(restriction.get("base", "xs:string"))
        facets: list[str] = []
        values = [e.get("value", "") for e in restriction.findall(f"{{{XS}}}enumeration")]
        if values:
            facets.append("one of " + " ".join(values))
        lengths = {_local(str(f.tag)): f.get("value") for f in restriction}
        if "minLength" in lengths or "maxLength" in lengths:
            facets.append(f"length {lengths.get('minLength', '0')}..{lengths.get('maxLength', '')}")
        for facet in ("minInclusive", "maxInclusive", "totalDigits", "fractionDigits"):
            if facet in lengths:
                facets.append(f"{facet} {lengths[facet]}")
        for pattern in restriction.findall(f"{{{XS}}}pattern"):
            facets.append(f"pattern {pattern.get('value')}")
        return base, tuple(facets), _doc(simple)


def _replace(node: Node, **changes: Any) -> Node:
    from dataclasses import replace

    return replace(node, **changes)


def _local(qname: str) -> str:
    return qname.rpartition(":")[2]


def _is_xs(qname: str) -> bool:
    return qname.startswith("xs:") or qname.startswith("xsd:")


def _doc(element: etree._Element) -> str:
    texts = element.findall(f"{{{XS}}}annotation/{{{XS}}}documentation")
    return " ".join(" ".join((t.text or "").split()) for t in texts).strip()


def _wsdl_doc(element: etree._Element) -> str:
    found = element.find(f"{{{WSDL}}}documentation")
    return " ".join((found.text or "").split()) if found is not None else ""


# -- SOAP: the WSDL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Wsdl:
    name: str
    namespace: str
    address: str
    operations: tuple[SoapOperation, ...]
    schema: Schema

    def operation(self, name: str) -> SoapOperation | None:
        return next((op for op in self.operations if op.name == name), None)


def read_wsdl(document: bytes) -> Wsdl:
    root = etree.fromstring(document, _PARSER)
    schema = Schema.of(root.findall(f"{{{WSDL}}}types/{{{XS}}}schema"))
    messages = {
        m.get("name"): [p.get("element", "") for p in m.findall(f"{{{WSDL}}}part")]
        for m in root.findall(f"{{{WSDL}}}message")
    }

    def message_elements(qname: str | None) -> list[Node]:
        return [schema.element(_local(e)) for e in messages.get(_local(qname or ""), [])]

    binding = root.find(f"{{{WSDL}}}binding")
    bound: dict[str, etree._Element] = {}
    if binding is not None:
        bound = {op.get("name", ""): op for op in binding.findall(f"{{{WSDL}}}operation")}
    operations = []
    port_type = root.find(f"{{{WSDL}}}portType")
    for op in port_type.findall(f"{{{WSDL}}}operation") if port_type is not None else []:
        name = op.get("name", "")
        given, answered = op.find(f"{{{WSDL}}}input"), op.find(f"{{{WSDL}}}output")
        request = message_elements(given.get("message") if given is not None else None)
        response = message_elements(answered.get("message") if answered is not None else None)
        faults = tuple(
            node
            for f in op.findall(f"{{{WSDL}}}fault")
            for node in message_elements(f.get("message"))
        )
        headers: list[Node] = []
        action = ""
        if name in bound:
            soap_op = bound[name].find(f"{{{SOAP11}}}operation")
            action = soap_op.get("soapAction", "") if soap_op is not None else ""
            for header in bound[name].iterfind(f"{{{WSDL}}}input/{{{SOAP11}}}header"):
                headers.extend(message_elements(header.get("message")))
        operations.append(
            SoapOperation(
                name,
                _wsdl_doc(op),
                action,
                request[0] if request else Node(name, "?"),
                response[0] if response else Node(f"{name}Response", "?"),
                tuple(headers),
                faults,
            )
        )
    address = root.find(f".//{{{WSDL}}}port/{{{SOAP11}}}address")
    return Wsdl(
        root.get("name", ""),
        root.get("targetNamespace", ""),
        address.get("location", "") if address is not None else "",
        tuple(sorted(operations, key=lambda o: _SOAP_ORDER.get(o.name, 99))),
        schema,
    )


#: The order a partner meets the operations in, for the pages (the WSDL's is alphabetical).
_SOAP_ORDER = {
    n: i
    for i, n in enumerate(
        ("Login", "SearchTrain", "Book", "GetPnrStatus", "CancelBooking", "Logout")
    )
}


# -- plain XML: the XSD ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlainXml:
    doc: str
    request: Node
    response: Node
    operations: tuple[Node, ...]  # the children of <Request>, each a call
    results: dict[str, Node]  # the children of <Response> by name

    def operation(self, name: str) -> Node | None:
        return next((op for op in self.operations if op.name == name), None)


def read_xsd(document: bytes) -> PlainXml:
    root = etree.fromstring(document, _PARSER)
    schema = Schema.of([root])
    request, response = schema.element("Request"), schema.element("Response")
    return PlainXml(
        _doc(root),
        request,
        response,
        tuple(c for c in request.children if not c.attribute),
        {c.name: c for c in response.children if not c.attribute},
    )


# -- REST: the OpenAPI document ------------------------------------------------------------------


class OpenApi:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.title = str(document.get("info", {}).get("title", ""))
        self.description = str(document.get("info", {}).get("description", ""))
        self.operations = tuple(self._operations())

    def operation(self, operation_id: str) -> RestOperation | None:
        return next((op for op in self.operations if op.operation_id == operation_id), None)

    def _operations(self) -> list[RestOperation]:
        found = []
        default_security = bool(self.document.get("security"))
        for path, item in self.document.get("paths", {}).items():
            for method, spec in item.items():
                if method not in ("get", "post", "put", "delete", "patch"):
                    continue
                parameters = tuple(
                    self.shape(
                        str(p.get("name", "?")),
                        p.get("schema", {}),
                        bool(p.get("required")),
                        f"in {p.get('in')}. {p.get('description', '')}".strip(),
                    )
                    for p in [*item.get("parameters", []), *spec.get("parameters", [])]
                )
                body = spec.get("requestBody")
                body_node = None
                if body:
                    content = body.get("content", {}).get("application/json", {})
                    body_node = self.shape(
                        "body",
                        content.get("schema", {}),
                        bool(body.get("required")),
                        body.get("description", ""),
                    )
                responses = []
                for status, answer in spec.get("responses", {}).items():
                    answer = self._resolve(answer)
                    content = answer.get("content", {})
                    media = next(iter(content.values()), None)
                    shape = self.shape("body", media.get("schema", {}), True) if media else None
                    responses.append((str(status), str(answer.get("description", "")), shape))
                found.append(
                    RestOperation(
                        str(spec.get("operationId", f"{method}{path}")),
                        method.upper(),
                        path,
                        str(spec.get("summary", "")),
                        str(spec.get("description", "")),
                        bool(spec.get("security", default_security)),
                        parameters,
                        body_node,
                        tuple(responses),
                    )
                )
        return found

    def _resolve(self, value: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in value and seen < 16:
            target: Any = self.document
            for step in str(value["$ref"]).lstrip("#/").split("/"):
                target = target.get(step, {})
            value = target
            seen += 1
        return value

    def shape(
        self, name: str, schema: dict[str, Any], required: bool, doc: str = "", depth: int = 0
    ) -> Node:
        """A JSON Schema as a tree: objects' properties, arrays' items, constraints in words."""
        ref = str(schema.get("$ref", ""))
        schema = self._resolve(schema)
        type_label = ref.rpartition("/")[2] or _json_type(schema)
        doc = doc or str(schema.get("description", ""))
        facets = _json_facets(schema)
        if schema.get("type") == "array":
            items = schema.get("items", {})
            low, high = schema.get("minItems", 0), schema.get("maxItems", "unbounded")
            item = self.shape("[item]", items, True, "", depth + 1) if depth < MAX_DEPTH else None
            return Node(
                name,
                f"array of {item.type if item else '?'}",
                required,
                f"{low}..{high}",
                item.facets if item else (),
                doc,
                children=item.children if item else (),
            )
        children: tuple[Node, ...] = ()
        if "properties" in schema and depth < MAX_DEPTH:
            needed = set(schema.get("required", []))
            children = tuple(
                self.shape(key, value, key in needed, "", depth + 1)
                for key, value in schema["properties"].items()
            )
        return Node(name, type_label, required, "", facets, doc, children=children)


def _json_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if kind is None and "oneOf" in schema:
        return " or ".join(_json_type(s) for s in schema["oneOf"])
    text = str(kind or "any")
    if "format" in schema:
        text += f" ({schema['format']})"
    return text


def _json_facets(schema: dict[str, Any]) -> tuple[str, ...]:
    facets = []
    if "enum" in schema:
        facets.append("one of " + " ".join(str(v) for v in schema["enum"]))
    if "pattern" in schema:
        facets.append(f"pattern {schema['pattern']}")
    if "minLength" in schema or "maxLength" in schema:
        facets.append(f"length {schema.get('minLength', 0)}..{schema.get('maxLength', '')}")
    if "minimum" in schema or "maximum" in schema:
        facets.append(f"range {schema.get('minimum', '')}..{schema.get('maximum', '')}")
    return tuple(facets)
