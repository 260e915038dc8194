"""What zeep does not keep, read from the raw WSDL and schema documents with lxml."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from soap_client.ns import WSDL, XS


class Documents:
    """What zeep does not keep: enumerations and documentation, read from the documents."""

    def __init__(self, path: Path) -> None:
        self.enums: dict[str, list[str]] = {}
        self.inline_enums: dict[tuple[str, str], list[str]] = {}
        self.type_docs: dict[str, str] = {}
        self.element_docs: dict[tuple[str, str], str] = {}
        self.operation_docs: dict[str, str] = {}
        self.service_docs: list[str] = []
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        seen: set[Path] = set()
        self._read(path.resolve(), parser, seen)

    def _read(self, path: Path, parser: etree.XMLParser, seen: set[Path]) -> None:
        if path in seen or not path.exists():
            return
        seen.add(path)
        root = etree.parse(str(path), parser).getroot()
        for schema in root.iter(f"{{{XS}}}schema"):
            self._schema(schema)
        for operation in root.iter(f"{{{WSDL}}}operation"):
            doc = _doc(operation, f"{{{WSDL}}}documentation")
            if doc and operation.getparent() is not None:
                if etree.QName(operation.getparent()).localname == "portType":
                    self.operation_docs.setdefault(operation.get("name", ""), doc)
        for service in root.iter(f"{{{WSDL}}}service", f"{{{WSDL}}}portType"):
            doc = _doc(service, f"{{{WSDL}}}documentation")
            if doc:
                self.service_docs.append(doc)
        for imported in root.iter(f"{{{WSDL}}}import", f"{{{XS}}}import", f"{{{XS}}}include"):
            location = imported.get("location") or imported.get("schemaLocation")
            if location and "://" not in location:
                self._read((path.parent / location).resolve(), parser, seen)

    def _schema(self, schema: etree._Element) -> None:
        tns = schema.get("targetNamespace", "")
        for simple in schema.iterfind(f"{{{XS}}}simpleType"):
            values = _enumeration(simple)
            if values:
                self.enums[f"{{{tns}}}{simple.get('name')}"] = values
        for complex_type in schema.iter(f"{{{XS}}}complexType"):
            owner = complex_type.get("name")
            if owner is None:  # anonymous: owned by the element that holds it
                parent = complex_type.getparent()
                owner = parent.get("name") if parent is not None else None
            if owner is None:
                continue
            key = f"{{{tns}}}{owner}"
            doc = _doc(complex_type, f"{{{XS}}}annotation/{{{XS}}}documentation")
            if doc:
                self.type_docs[key] = doc
            for element in complex_type.iter(f"{{{XS}}}element", f"{{{XS}}}attribute"):
                name = element.get("name")
                if name is None:
                    continue
                inline = element.find(f"{{{XS}}}simpleType")
                if inline is not None and _enumeration(inline):
                    self.inline_enums[(key, name)] = _enumeration(inline)
                doc = _doc(element, f"{{{XS}}}annotation/{{{XS}}}documentation")
                if doc:
                    self.element_docs[(key, name)] = doc


def _doc(element: etree._Element, path: str) -> str:
    found = element.find(path)
    if found is None or not (found.text or "").strip():
        return ""
    return " ".join((found.text or "").split())


def _enumeration(simple: etree._Element) -> list[str]:
    return [e.get("value", "") for e in simple.iter(f"{{{XS}}}enumeration")]
