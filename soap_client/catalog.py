"""Finding the documents a WSDL imports: an XML catalog, safe fetching, and a zeep transport.

Published WSDLs import schemas from the web (``schemaLocation="http://www.onvif.org/..."``) or
by namespace alone. As ``wsimport -catalog`` and ``xjc -catalog`` do, an OASIS XML catalog maps
them to local files; its entries (relative ``uri`` values are read from the catalog's folder):

- ``<system systemId="URL" uri="FILE"/>`` and ``<uri name="URL" uri="FILE"/>``: one document
- ``<rewriteSystem systemIdStartString="PREFIX" rewritePrefix="DIR/"/>`` (and ``rewriteURI``):
  every location under a prefix
- ``<systemSuffix systemIdSuffix="SUFFIX" uri="FILE"/>`` (and ``uriSuffix``)
- ``<public publicId="NAMESPACE" uri="FILE"/>`` and ``<uri name="NAMESPACE" .../>``: an
  ``xs:import`` that names only a namespace
- ``<nextCatalog catalog="FILE"/>`` and ``<group>``

Every catalog also has standard entries (``Catalog.standard()`` alone when none is given):
stand-ins, written for this package in ``schemas/``, for the schema of the XML namespace and
SOAP 1.1's encoding schema, which WSDLs import from the web (and zeep fetches on their behalf).

A document mapped to a local file is read as that file, so its own relative imports resolve
next to it. ``Loader`` fetches and parses documents safely (no DTD, no entities, a size limit,
timeouts); ``CatalogTransport`` makes zeep load through the same catalog.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse

import requests
from lxml import etree
from zeep.transports import Transport

from soap_client.ns import WSDL, XS

CATALOG = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
SCHEMAS = Path(__file__).resolve().parent / "schemas"
XML_NS = "http://www.w3.org/XML/1998/namespace"
SOAP_ENCODING = "http://schemas.xmlsoap.org/soap/encoding/"
# (namespace, the URLs it is fetched from, the stand-in in schemas/)
_STANDARD = (
    (XML_NS, ("http://www.w3.org/2001/xml.xsd", "https://www.w3.org/2001/xml.xsd"), "xml.xsd"),
    (
        SOAP_ENCODING,
        (SOAP_ENCODING, SOAP_ENCODING.rstrip("/"), SOAP_ENCODING.replace("http:", "https:")),
        "soap-encoding.xsd",
    ),
)
_REFERENCES = {
    f"{{{XS}}}import": "schemaLocation",
    f"{{{XS}}}include": "schemaLocation",
    f"{{{XS}}}redefine": "schemaLocation",
    f"{{{WSDL}}}import": "location",
}


class CatalogError(Exception):
    """A catalog or a document that can't be read; the message is one line."""


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )


def is_url(location: str) -> bool:
    return urlparse(location).scheme in ("http", "https", "file")


def absolute(location: str, base: str | None) -> str:
    """``location`` made absolute against the document it appears in."""
    location = location.strip()
    if is_url(location) or base is None:
        return location
    if is_url(base):
        return urljoin(base, location)
    return os.path.normpath(os.path.join(os.path.dirname(base), location))


def local_path(location: str) -> str:
    """A ``file://`` URL as a path; other locations unchanged."""
    parsed = urlparse(location)
    return unquote(parsed.path) if parsed.scheme == "file" else location


class Catalog:
    """An OASIS XML catalog (the subset ``wsimport`` and ``xjc`` users write)."""

    def __init__(self) -> None:
        self.exact: dict[str, str] = {}
        self.prefixes: list[tuple[str, str]] = []
        self.suffixes: list[tuple[str, str]] = []
        self.namespaces: dict[str, str] = {}
        self.files: list[str] = []

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Catalog:
        """The catalog in ``path``, with the standard entries beneath its own."""
        catalog = cls()
        catalog._read(Path(path).resolve(), set())
        catalog.prefixes.sort(key=lambda entry: -len(entry[0]))
        catalog.suffixes.sort(key=lambda entry: -len(entry[0]))
        return catalog._with_standard()

    @classmethod
    def standard(cls) -> Catalog:
        """Only the standard entries: stand-ins for the XML namespace's schema and SOAP 1.1's
        encoding schema, which WSDLs import (or zeep fetches on their behalf) from the web."""
        return cls()._with_standard()

    def _with_standard(self) -> Catalog:
        for namespace, urls, file in _STANDARD:
            local = str(SCHEMAS / file)
            self.namespaces.setdefault(namespace, local)
            for url in urls:
                self.exact.setdefault(url, local)
        return self

    def _read(self, path: Path, seen: set[Path]) -> None:
        if path in seen:
            return
        seen.add(path)
        self.files.append(str(path))
        try:
            root = etree.parse(str(path), safe_parser()).getroot()
        except OSError as error:
            raise CatalogError(f"cannot read the catalog {path}: {error}") from None
        except etree.XMLSyntaxError as error:
            raise CatalogError(f"the catalog {path} is not well-formed XML: {error.msg}") from None
        if root.tag != f"{{{CATALOG}}}catalog":
            raise CatalogError(
                f'{path} is not an XML catalog (its root must be <catalog xmlns="{CATALOG}">)'
            )
        for entry in root.iter(f"{{{CATALOG}}}*"):
            kind = etree.QName(entry).localname
            target = entry.get("uri") or entry.get("rewritePrefix") or entry.get("catalog")
            if kind in ("catalog", "group") or target is None:
                continue
            local = str((path.parent / target).resolve()) if not is_url(target) else target
            if kind == "system":
                self.exact[entry.get("systemId", "")] = local
            elif kind == "uri":
                name = entry.get("name", "")
                self.exact[name] = local
                self.namespaces.setdefault(name, local)
            elif kind == "public":
                self.namespaces[entry.get("publicId", "")] = local
            elif kind in ("rewriteSystem", "rewriteURI"):
                start = entry.get("systemIdStartString") or entry.get("uriStartString") or ""
                self.prefixes.append((start, local + ("/" if target.endswith("/") else "")))
            elif kind in ("systemSuffix", "uriSuffix"):
                suffix = entry.get("systemIdSuffix") or entry.get("uriSuffix") or ""
                self.suffixes.append((suffix, local))
            elif kind == "nextCatalog":
                self._read(Path(local), seen)

    def resolve(self, location: str) -> str | None:
        """The local file for ``location``, or None if the catalog doesn't map it."""
        if location in self.exact:
            return self.exact[location]
        for start, prefix in self.prefixes:
            if start and location.startswith(start):
                return prefix + location[len(start) :]
        for suffix, target in self.suffixes:
            if suffix and location.endswith(suffix):
                return target
        return None

    def namespace(self, namespace: str) -> str | None:
        return self.namespaces.get(namespace)

    def rewrite(self, content: bytes, url: str, local: str | None = None) -> bytes:
        """The document loaded from ``url`` (read from the file ``local`` in its place, if the
        catalog maps it) with every reference the catalog maps pointing at the local file, the
        namespace-only ``xs:import`` elements it knows given one, and, for a mapped document,
        its relative references made absolute next to its file.

        Resolving before zeep sees the references keeps zeep's ``forbid_external`` on. Local
        locations are written as ``file:`` URIs in a document zeep knows by an http URL, as
        plain paths in one it knows by a path (zeep's ``force_https`` would turn a ``file:``
        location next to a local document into ``https:``).
        """
        try:
            root = etree.fromstring(content, safe_parser())
        except etree.XMLSyntaxError:
            return content  # the reader reports it, with its own message
        as_uri = is_url(url)
        changed = False

        def written(target: str) -> str:
            return target if is_url(target) else Path(target).as_uri() if as_uri else target

        for element in root.iter(*_REFERENCES):
            attribute = _REFERENCES[str(element.tag)]
            location = element.get(attribute)
            target: str | None = None
            if location is None:
                if element.tag == f"{{{XS}}}import":
                    target = self.namespace(element.get("namespace", ""))
            else:
                target = self.resolve(absolute(location, url)) or self.resolve(location)
                if target is None and local is not None and not is_url(location):
                    target = absolute(location, local)
            if target is not None:
                element.set(attribute, written(target))
                changed = True
        # zeep fetches the SOAP encoding schema from the web when a type refers to it
        # without importing it: import it where it is declared, from its local stand-in.
        encoding = self.namespace(SOAP_ENCODING)
        for schema in root.iter(f"{{{XS}}}schema") if encoding else ():
            own = schema.get("targetNamespace") == SOAP_ENCODING
            if (
                not own
                and _refers_to(schema, SOAP_ENCODING)
                and not any(
                    i.get("namespace") == SOAP_ENCODING for i in schema.iterfind(f"{{{XS}}}import")
                )
            ):
                imported = etree.Element(f"{{{XS}}}import", namespace=SOAP_ENCODING)
                imported.set("schemaLocation", written(encoding or ""))
                schema.insert(0, imported)
                changed = True
        if not changed:
            return content
        return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _refers_to(schema: etree._Element, namespace: str) -> bool:
    """Whether a QName-valued attribute somewhere in ``schema`` names ``namespace``."""
    prefixes = [p for p, uri in schema.nsmap.items() if uri == namespace and p]
    if not prefixes:
        return False
    for element in schema.iter():
        for name, value in element.attrib.items():
            local = str(name).rpartition("}")[2]
            if local in ("type", "base", "ref", "itemType", "memberTypes", "arrayType"):
                if any(word.startswith(f"{p}:") for p in prefixes for word in str(value).split()):
                    return True
    return False


class Loader:
    """Fetches and parses documents (files, ``file:``, ``http(s):``) through an optional catalog.

    Parsing refuses DTDs and entities; http answers are limited in size and time.
    """

    def __init__(self, catalog: Catalog | None = None, timeout: float = 10.0) -> None:
        self.catalog = catalog
        self.timeout = timeout

    def locate(self, location: str, base: str | None = None) -> str:
        """Where ``location`` (relative to ``base``) is read from, after the catalog."""
        found = absolute(location, base)
        if self.catalog is not None:
            mapped = self.catalog.resolve(found) or self.catalog.resolve(location)
            if mapped is not None:
                return mapped
        return local_path(found)

    def fetch(self, location: str) -> bytes:
        if urlparse(location).scheme in ("http", "https"):
            try:
                with requests.get(location, timeout=self.timeout, stream=True) as answer:
                    answer.raise_for_status()
                    data = answer.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
            except requests.RequestException as error:
                raise CatalogError(f"cannot fetch {location}: {_reason(error)}") from None
        else:
            try:
                if os.path.getsize(location) > MAX_DOCUMENT_BYTES:
                    raise CatalogError(f"{location} is larger than {MAX_DOCUMENT_BYTES} bytes")
                data = Path(location).read_bytes()
            except OSError as error:
                raise CatalogError(f"cannot read {location}: {error.strerror or error}") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise CatalogError(f"{location} is larger than {MAX_DOCUMENT_BYTES} bytes")
        return data

    def parse(self, location: str) -> etree._Element:
        """The document's root; one-line ``CatalogError`` for anything unreadable or unsafe."""
        data = self.fetch(location)
        if self.catalog is not None:
            data = self.catalog.rewrite(data, location)
        try:
            root = etree.fromstring(data, safe_parser(), base_url=location)
        except etree.XMLSyntaxError as error:
            raise CatalogError(f"{location}: not well-formed XML: {error.msg}") from None
        docinfo: Any = root.getroottree().docinfo
        if docinfo.doctype:
            raise CatalogError(f"{location}: DOCTYPE declarations are refused")
        return root


def _reason(error: requests.RequestException) -> str:
    response = getattr(error, "response", None)
    if response is not None:
        return f"HTTP {response.status_code}"
    return type(error).__name__


_Transport: Any = Transport  # zeep leaves it unannotated


class CatalogTransport(Transport):
    """A zeep transport that loads WSDL and schema documents through a catalog."""

    def __init__(self, catalog: Catalog | str | os.PathLike[str], **kwargs: Any) -> None:
        _Transport.__init__(self, **kwargs)
        self.catalog = catalog if isinstance(catalog, Catalog) else Catalog.read(catalog)

    def load(self, url: str) -> bytes:
        return catalog_load(self.catalog, lambda u: _Transport.load(self, u), url)


def catalog_load(catalog: Catalog, load: Any, url: str) -> bytes:
    """The document at ``url`` as zeep should see it: the catalog's local file in its place if
    it maps it (else what ``load`` fetches), with its references rewritten (``rewrite``)."""
    mapped = catalog.resolve(url)
    if mapped is None:
        return catalog.rewrite(load(url), url)
    if urlparse(mapped).scheme in ("http", "https"):
        return catalog.rewrite(load(mapped), mapped)
    path = local_path(mapped)
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        reason = f"cannot read {path}, the catalog's file for {url}: {error.strerror or error}"
        raise CatalogError(reason) from None
    return catalog.rewrite(content, url, path)


class CatalogLoading:
    """Another zeep transport, loading documents through a catalog and posting as it does.

    For a transport the caller made (tracing, in-process, with a session): everything but
    ``load`` is the wrapped transport's own.
    """

    def __init__(self, transport: Any, catalog: Catalog) -> None:
        self.transport = transport
        self.catalog = catalog

    def load(self, url: str) -> bytes:
        return catalog_load(self.catalog, self.transport.load, url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)
