"""zeep settings for reading anything the core (or any WSDL's author) sends: strict and safe."""

from __future__ import annotations

from zeep import Settings as ZeepSettings


def safe_settings() -> ZeepSettings:
    """Strict parsing, and no DTDs, entities or external loads from anything the core sends."""
    return ZeepSettings(
        strict=True,
        xml_huge_tree=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
