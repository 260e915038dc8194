"""Reading XML names and values: Clark names, QName resolution, child lookup, ``WsdlError``.

The bottom of the reading side: the schema and WSDL readers build on these helpers, and every
problem they find in a contract is raised as a ``WsdlError``.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from soap_client.ns import XS


class WsdlError(Exception):
    """An unreadable or invalid contract: reported as one line."""


# --- small XML helpers ------------------------------------------------------------------------


def split_qname(clark: str) -> tuple[str, str]:
    if clark.startswith("{"):
        namespace, _, local = clark[1:].partition("}")
        return namespace, local
    return "", clark


def clark_name(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


def local_name(el: etree._Element) -> str:
    return split_qname(el.tag)[1]


def child_elements(el: etree._Element, namespace: str, *names: str) -> Iterator[etree._Element]:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        child_ns, local = split_qname(child.tag)
        if child_ns == namespace and (not names or local in names):
            yield child


def first_child(el: etree._Element, namespace: str, *names: str) -> etree._Element | None:
    return next(child_elements(el, namespace, *names), None)


def is_complex_content(derivation: etree._Element) -> bool:
    parent = derivation.getparent()
    return parent is not None and parent.tag == f"{{{XS}}}complexContent"


def parse_bool(text: str | None) -> bool:
    return text is not None and text.strip() in ("true", "1")


def parse_int(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise WsdlError(f"invalid {what} {text!r}") from None


class Names:
    """Resolves QName-valued attributes through the in-scope nsmap, applying namespace renames."""

    def __init__(self, renames: dict[str, str]) -> None:
        self.renames = renames

    def ns(self, namespace: str) -> str:
        return self.renames.get(namespace, namespace)

    def qname(self, el: etree._Element, text: str) -> str:
        prefix, _, local = text.strip().rpartition(":")
        namespace = el.nsmap.get(prefix or None)
        if namespace is None:
            if prefix:
                raise WsdlError(f"undeclared namespace prefix {prefix!r} in {text.strip()!r}")
            namespace = ""
        return clark_name(self.ns(namespace), local)

    def declared(self, tns: str, el: etree._Element) -> str:
        return clark_name(self.ns(tns), el.get("name", ""))
