"""What zeep does not keep, read from the raw WSDL and schema documents with lxml.

Enumerations, ``fixed`` values, documentation, type derivations (zeep flattens extensions),
substitution groups (zeep ignores them) and the ``use`` of each binding operation's body. Every
document the WSDL imports is read through the same ``Loader`` (and catalog) zeep loads with.

Components inside anonymous types are keyed by a path: a named type by its Clark name, an
anonymous one by its owner's key and the element that holds it (``{ns}Order/Lines``); the
builder walks zeep's model with the same keys.
"""

from __future__ import annotations

from lxml import etree

from soap_client.catalog import CatalogError, Loader
from soap_client.ns import SOAP11, SOAP12, WSDL, XS

SOAP_BINDINGS = (SOAP11, SOAP12)


def _clark(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


def _qname(element: etree._Element, text: str) -> str:
    prefix, _, local = text.strip().rpartition(":")
    return _clark(element.nsmap.get(prefix or None) or "", local)


class Documents:
    """The facts zeep drops, gathered from every document of one WSDL."""

    def __init__(self, location: str, loader: Loader) -> None:
        self.loader = loader
        self.enums: dict[str, list[str]] = {}  # named simple type -> its enumeration
        self.simple_bases: dict[str, str] = {}  # named simple type -> its base type
        self.inline_enums: dict[tuple[str, str], list[str]] = {}  # (owner key, name)
        self.fixed: dict[tuple[str, str], str] = {}  # (owner key, name) -> fixed value
        self.type_docs: dict[str, str] = {}
        self.element_docs: dict[tuple[str, str], str] = {}
        self.operation_docs: dict[str, str] = {}
        self.service_docs: list[str] = []
        self.bases: dict[str, tuple[str, str]] = {}  # complex type -> (base, derivation)
        self.substitutes: dict[str, list[str]] = {}  # head element -> member elements
        self.element_types: dict[str, str] = {}  # global element -> its named type
        self.abstract: set[str] = set()  # abstract elements and types
        self.encoded: set[tuple[str, str]] = set()  # (binding, operation) with use="encoded"
        self.operations: set[tuple[str, str]] = set()  # every (binding, operation) of SOAP
        self.documents: list[str] = []
        self._read(loader.locate(location), set())

    def _read(self, location: str, seen: set[str]) -> None:
        if location in seen:
            return
        seen.add(location)
        try:
            root = self.loader.parse(location)
        except CatalogError:
            return  # zeep has read what it needs already; a missing extra is not fatal here
        self.documents.append(location)
        if etree.QName(root).localname == "schema":
            self._schema(root)
        else:
            for schema in root.iter(f"{{{XS}}}schema"):
                self._schema(schema)
            self._wsdl(root)
        for imported in root.iter(f"{{{WSDL}}}import", f"{{{XS}}}import", f"{{{XS}}}include"):
            target = imported.get("location") or imported.get("schemaLocation")
            if target is None and imported.tag == f"{{{XS}}}import" and self.loader.catalog:
                target = self.loader.catalog.namespace(imported.get("namespace", ""))
            if target:
                self._read(self.loader.locate(target, location), seen)

    def _wsdl(self, root: etree._Element) -> None:
        tns = root.get("targetNamespace", "")
        doc = _doc(root, f"{{{WSDL}}}documentation")
        if doc:
            self.service_docs.append(doc)
        for port_type in root.iter(f"{{{WSDL}}}portType"):
            doc = _doc(port_type, f"{{{WSDL}}}documentation")
            if doc:
                self.service_docs.append(doc)
            for operation in port_type.iterfind(f"{{{WSDL}}}operation"):
                doc = _doc(operation, f"{{{WSDL}}}documentation")
                if doc:
                    self.operation_docs.setdefault(operation.get("name", ""), doc)
        for service in root.iter(f"{{{WSDL}}}service"):
            doc = _doc(service, f"{{{WSDL}}}documentation")
            if doc:
                self.service_docs.append(doc)
        for binding in root.iter(f"{{{WSDL}}}binding"):
            name = _clark(tns, binding.get("name", ""))
            soap = any(binding.find(f"{{{ns}}}binding") is not None for ns in SOAP_BINDINGS)
            for operation in binding.iterfind(f"{{{WSDL}}}operation"):
                if soap:
                    self.operations.add((name, operation.get("name", "")))
                for side in operation.iterfind(f"{{{WSDL}}}*"):
                    for namespace in SOAP_BINDINGS:
                        body = side.find(f"{{{namespace}}}body")
                        if body is not None and body.get("use") == "encoded":
                            self.encoded.add((name, operation.get("name", "")))

    def _schema(self, schema: etree._Element) -> None:
        tns = schema.get("targetNamespace", "")
        for child in schema:
            kind = etree.QName(child).localname if isinstance(child.tag, str) else ""
            name = child.get("name")
            if name is None:
                continue
            key = _clark(tns, name)
            if child.get("abstract") in ("true", "1"):
                self.abstract.add(key)
            if kind == "simpleType":
                self._simple_type(key, child)
            elif kind == "complexType":
                self._complex_type(key, child, tns)
            elif kind == "element":
                if child.get("type"):
                    self.element_types[key] = _qname(child, child.get("type", ""))
                head = child.get("substitutionGroup")
                if head:
                    self.substitutes.setdefault(_qname(child, head), []).append(key)
                inner = child.find(f"{{{XS}}}complexType")
                if inner is not None:
                    self._complex_type(key, inner, tns)

    def _simple_type(self, key: str, simple: etree._Element) -> None:
        values = _enumeration(simple)
        if values:
            self.enums[key] = values
        restriction = simple.find(f"{{{XS}}}restriction")
        if restriction is not None and restriction.get("base"):
            self.simple_bases[key] = _qname(restriction, restriction.get("base", ""))

    def _complex_type(self, key: str, complex_type: etree._Element, tns: str) -> None:
        doc = _doc(complex_type, f"{{{XS}}}annotation/{{{XS}}}documentation")
        if doc:
            self.type_docs.setdefault(key, doc)
        for content in complex_type.iterfind(f"{{{XS}}}complexContent"):
            for derivation in content:
                if isinstance(derivation.tag, str) and derivation.get("base"):
                    base = _qname(derivation, derivation.get("base", ""))
                    self.bases[key] = (base, etree.QName(derivation).localname)
        self._members(key, complex_type, tns)

    def _members(self, key: str, node: etree._Element, tns: str) -> None:
        """Elements and attributes declared under ``node`` (not inside nested named types)."""
        for child in node:
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            if kind in ("element", "attribute"):
                name = child.get("name") or child.get("ref", "").rpartition(":")[2]
                if not name:
                    continue
                inline = child.find(f"{{{XS}}}simpleType")
                if inline is not None and _enumeration(inline):
                    self.inline_enums[(key, name)] = _enumeration(inline)
                if child.get("fixed") is not None:
                    self.fixed[(key, name)] = child.get("fixed", "")
                doc = _doc(child, f"{{{XS}}}annotation/{{{XS}}}documentation")
                if doc:
                    self.element_docs[(key, name)] = doc
                inner = child.find(f"{{{XS}}}complexType")
                if inner is not None and kind == "element":
                    self._complex_type(f"{key}/{name}", inner, tns)
            elif kind in ("simpleType", "complexType", "annotation"):
                continue
            else:  # sequence, choice, all, complexContent, extension, ...
                self._members(key, child, tns)

    def derived_from(self, base: str) -> list[str]:
        """The named types extending ``base``, directly or not, in name order."""
        found: list[str] = []
        todo = [base]
        while todo:
            current = todo.pop()
            for name, (parent, derivation) in sorted(self.bases.items()):
                if parent == current and derivation == "extension" and name not in found:
                    found.append(name)
                    todo.append(name)
        return sorted(found)

    def enumeration(self, name: str) -> list[str] | None:
        """A named simple type's enumeration, inherited through restrictions."""
        seen: set[str] = set()
        while name not in seen:
            seen.add(name)
            if name in self.enums:
                return self.enums[name]
            if name not in self.simple_bases:
                return None
            name = self.simple_bases[name]
        return None


def _doc(element: etree._Element, path: str) -> str:
    found = element.find(path)
    if found is None or not (found.text or "").strip():
        return ""
    return " ".join((found.text or "").split())


def _enumeration(simple: etree._Element) -> list[str]:
    restriction = simple.find(f"{{{XS}}}restriction")
    if restriction is None:
        return []
    return [e.get("value", "") for e in restriction.iterfind(f"{{{XS}}}enumeration")]
