"""Reading untrusted XML request bodies safely: the shared edge of the XML-speaking facades.

``read_document`` checks the media type, charset and size of an HTTP request, decodes the body
(by the HTTP charset, else its BOM or XML declaration), refuses any DOCTYPE or entity
declaration before the parser sees it, parses with a locked-down lxml parser (no DTD, no
entities, no network, comments and processing instructions dropped) and bounds depth,
attributes and element count. Anything wrong raises ``XmlRejected`` with a stable code; each
facade turns that into its own error shape (a SOAP fault, a plain-XML ``<Error>``).
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass
from typing import Any

from lxml import etree
from werkzeug.http import parse_options_header

from soap_server.bodies import BodyRejected, read_limited

XML_MEDIA_TYPES = ("text/xml", "application/xml")


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int
    max_depth: int
    max_attributes: int
    max_elements: int


class XmlRejected(BodyRejected):
    """The request body is not acceptable XML; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)


def safe_parser() -> etree.XMLParser:
    """A parser for decoded text re-encoded as UTF-8 (it ignores the XML declaration)."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        encoding="utf-8",
    )


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's safe parser, made once per thread (a parser is not shared across threads;
    making one per request cost about as much as parsing a small envelope)."""
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = safe_parser()
    return parser


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def text_codec(name: str, source: str) -> str:
    """The codec name for a charset, or UnsupportedCharset for unknown or non-text codecs."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise XmlRejected("UnsupportedCharset", f"unknown {source} {name!r}") from None
    if not getattr(codec, "_is_text_encoding", True) or codec.name in ("undefined", "punycode"):
        raise XmlRejected("UnsupportedCharset", f"{source} {name!r} is not an XML text encoding")
    return codec.name


def decode(raw: bytes, charset: str | None) -> str:
    """The body as text: by the HTTP charset if given, else by its BOM or XML declaration."""
    return _decoded(raw, charset)[0]


def _decoded(raw: bytes, charset: str | None) -> tuple[str, str]:
    """The body as text and the codec it was decoded with (see ``decode``)."""
    if charset is not None:
        encoding, source = text_codec(charset, "charset"), f"charset {charset}"
    else:
        found = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
        if found is None:
            declared = _DECLARED.match(raw)
            name = declared.group(1).decode("ascii") if declared else "utf-8"
            found = text_codec(name, "XML declaration encoding")
        encoding, source = found, found
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as error:
        raise XmlRejected(
            "MalformedXml", f"the body is not valid {source}: byte {error.start} cannot be decoded"
        ) from None
    except UnicodeError as error:
        raise XmlRejected("UnsupportedCharset", f"cannot decode with {source}: {error}") from None


def media_type(header: str) -> tuple[str, dict[str, str]]:
    """werkzeug's ``parse_options_header`` of a Content-Type, remembered for the few values
    clients send (every request of an integration sends the same one)."""
    known = _MEDIA_TYPES.get(header)
    if known is None:
        known = parse_options_header(header)
        if len(_MEDIA_TYPES) < _MEDIA_TYPES_KEPT:
            _MEDIA_TYPES[header] = known
    return known[0], dict(known[1])


_MEDIA_TYPES: dict[str, tuple[str, dict[str, str]]] = {}
_MEDIA_TYPES_KEPT = 256


def read_body(environ: dict[str, Any], limits: Limits, expected: str) -> tuple[bytes, str | None]:
    """The raw body and its charset, after the media type and size checks."""
    mimetype, options = media_type(environ.get("CONTENT_TYPE", ""))
    if mimetype == "application/soap+xml":
        raise XmlRejected(
            "UnsupportedMediaType",
            "application/soap+xml is SOAP 1.2; this endpoint speaks SOAP 1.1 (text/xml)",
        )
    if mimetype not in XML_MEDIA_TYPES:
        raise XmlRejected(
            "UnsupportedMediaType", f"Content-Type {mimetype or '(none)'!r} is not text/xml"
        )
    charset = options.get("charset")
    if charset is not None:
        text_codec(charset, "charset")
    raw = read_limited(environ, limits.max_body_bytes)
    if not raw.strip():
        raise XmlRejected("EmptyRequest", f"the request body is empty: POST {expected}")
    return raw, charset


def parse(raw: bytes, charset: str | None, limits: Limits) -> etree._Element:
    """Decode, refuse DTDs, parse safely and check the shape of a request body."""
    text, encoding = _decoded(raw, charset)
    # Checked on the decoded text, so that no encoding hides a DTD from the check; the parser
    # never sees one, and so never expands an entity.
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise XmlRejected("ForbiddenXml", "DOCTYPE and entity declarations are not allowed")
    # The parser reads UTF-8: a body that decoded as UTF-8 is those bytes already.
    data = raw if encoding == "utf-8" else text.encode("utf-8")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        message = str(error).splitlines()[0] if str(error) else "not well-formed XML"
        raise XmlRejected("MalformedXml", f"the body is not well-formed XML: {message}") from None
    except ValueError as error:
        raise XmlRejected("MalformedXml", f"the body cannot be parsed: {error}") from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlRejected("ForbiddenXml", "DOCTYPE and entity declarations are not allowed")
    check_shape(root, limits)
    return root


def read_document(environ: dict[str, Any], limits: Limits, expected: str) -> etree._Element:
    """The request's XML document, or ``XmlRejected``."""
    raw, charset = read_body(environ, limits, expected)
    return parse(raw, charset, limits)


def check_shape(root: etree._Element, limits: Limits) -> None:
    """Refuse a document deeper, bigger or with more attributes on an element than ``limits``
    allow, or holding an entity reference."""
    # A small document (most requests) nests no deeper than it has nodes: one pass over them
    # settles it. Anything else, or anything wrong, is walked below, which says what is wrong.
    nodes = list(root.iter(etree.Element, etree.Entity))
    if len(nodes) <= limits.max_depth and len(nodes) <= limits.max_elements:
        most = limits.max_attributes
        if all(isinstance(node.tag, str) and len(node.attrib) <= most for node in nodes):
            return
    depth = elements = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        elements += 1
        if depth > limits.max_depth:
            raise XmlRejected(
                "RequestTooComplex", f"elements nest deeper than {limits.max_depth} levels"
            )
        if elements > limits.max_elements:
            raise XmlRejected("RequestTooComplex", f"more than {limits.max_elements} elements")
        if not isinstance(element.tag, str):
            raise XmlRejected("ForbiddenXml", "entity references are not allowed")
        if len(element.attrib) > limits.max_attributes:
            raise XmlRejected(
                "RequestTooComplex",
                f"an element has {len(element.attrib)} attributes;"
                f" the limit is {limits.max_attributes}",
            )
