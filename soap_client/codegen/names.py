"""Python names from XML names: snake_case members, PascalCase classes, QNames taken apart.

QNames are Clark names (``{namespace}local``) and are split at the closing brace, never at a
slash: namespaces are URIs and usually contain several.
"""

from __future__ import annotations

import keyword
import re

# Names the generated module uses itself: a field, parameter or class may not shadow them.
MODULE_NAMES = frozenset(
    {"annotations", "dataclasses", "datetime", "decimal", "rt", "ClassVar", "Literal", "cast"}
)
# Fields live in class bodies where annotations and defaults are resolved: not the builtins
# those use either.
FIELD_RESERVED = MODULE_NAMES | {
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "list",
    "dict",
    "self",
    "cls",
}
# What the client base class defines.
CLIENT_RESERVED = frozenset(
    {
        "zeep",
        "address",
        "fast",
        "binding",
        "ports",
        "default_address",
        "operations",
        "typed",
        "substitute",
        "element_xml",
    }
)


def split_qname(qname: str) -> tuple[str, str]:
    """``{namespace}local`` as (namespace, local); a plain name has no namespace."""
    if qname.startswith("{"):
        namespace, _, local = qname[1:].partition("}")
        return namespace, local
    return "", qname


def local_name(qname: object) -> str:
    """The local part of a Clark name, of a path of them (``{ns}Order/Lines``), or a QName."""
    text = str(qname)
    return split_qname(text)[1].rsplit("/", 1)[-1] if text.startswith("{") else text


def snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    text = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_").lower() or "value"
    if text[0].isdigit():
        text = f"n{text}"
    return f"{text}_" if keyword.iskeyword(text) or text in FIELD_RESERVED else text


def pascal(name: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) or "Type"
    text = f"T{text}" if text[0].isdigit() else text
    return f"{text}_" if text in MODULE_NAMES or keyword.iskeyword(text) else text


_NOISE = re.compile(
    r"^(v?\d+([._-]\d+)*|wsdl|xsd|schemas?|types?|ws|www|com|org|net|http|https|urn)$"
)


def namespace_word(namespace: str) -> str:
    """A word naming a namespace, for telling apart types of the same name (``Common``)."""
    words = [w for w in re.split(r"[/:.#?=]+", namespace) if w and not _NOISE.match(w.lower())]
    return pascal(words[-1]) if words else ""
