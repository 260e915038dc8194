"""Python names from XML names: snake_case members, PascalCase classes, a QName's local part."""

from __future__ import annotations

import keyword
import re
from typing import Any

from lxml import etree


def snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    text = re.sub(r"\W+", "_", text).strip("_").lower() or "value"
    if text[0].isdigit():
        text = f"n{text}"
    return f"{text}_" if keyword.iskeyword(text) or text in ("self", "cls") else text


def pascal(name: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", name) if p]
    text = "".join(p[:1].upper() + p[1:] for p in parts) or "Type"
    return f"T{text}" if text[0].isdigit() else text


def local_name(qname: Any) -> str:
    return etree.QName(str(qname)).localname
