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


def _split(clark: str) -> tuple[str, str]:
    if clark.startswith("{"):
        namespace, _, local = clark[1:].partition("}")
        return namespace, local
    return "", clark


def _clark(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


def _local(el: etree._Element) -> str:
    return _split(el.tag)[1]


def _children(el: etree._Element, namespace: str, *names: str) -> Iterator[etree._Element]:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        child_ns, local = _split(child.tag)
        if child_ns == namespace and (not names or local in names):
            yield child


def _first(el: etree._Element, namespace: str, *names: str) -> etree._Element | None:
    return next(_children(el, namespace, *names), None)


def _is_complex_content(derivation: etree._Element) -> bool:
    parent = derivation.getparent()
    return parent is not None and parent.tag == f"{{{XS}}}complexContent"


def _bool(text: str | None) -> bool:
    return text is not None and text.strip() in ("true", "1")


def _int(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise WsdlError(f"invalid {what} {text!r}") from None


class _Names:
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
        return _clark(self.ns(namespace), local)

    def declared(self, tns: str, el: etree._Element) -> str:
        return _clark(self.ns(tns), el.get("name", ""))
