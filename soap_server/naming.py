"""The naming rules the facades derive their wire names with, from the views' snake_case fields.

SOAP names elements in PascalCase (``distance_km`` is ``DistanceKm``), REST keys and plain-XML
attributes in camelCase (``distanceKm``). A name the rule does not give (``source`` is SOAP's
``From``) is a rename, written once in the facade that needs it.
"""

from __future__ import annotations

import re

_WORD_START = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """``DistanceKm`` and ``distanceKm`` -> ``distance_km``."""
    return _WORD_START.sub("_", name).lower()


def camel(name: str) -> str:
    """``distance_km`` -> ``distanceKm``."""
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def pascal(name: str) -> str:
    """``distance_km`` -> ``DistanceKm``."""
    return "".join(word[:1].upper() + word[1:] for word in name.split("_"))
