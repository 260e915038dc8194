"""Reporting a contract diff: as readable text or JSON, with an exit code for the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from soap_client.catalog import Catalog, CatalogError
from soap_client.contract.compare import diff_wsdl
from soap_client.contract.model import Change
from soap_client.contract.names import WsdlError


def format_changes(changes: list[Change]) -> str:
    """A readable report: breaking changes first, then compatible ones, then a summary line."""
    if not changes:
        return "no changes"
    breaking = [c for c in changes if c.breaking]
    compatible = [c for c in changes if not c.breaking]
    lines: list[str] = []
    for title, group in (("Breaking", breaking), ("Compatible", compatible)):
        if not group:
            continue
        if lines:
            lines.append("")
        lines.append(f"{title} changes ({len(group)}):")
        for change in group:
            lines.append(f"  [{change.kind}] {change.where}")
            lines.append(f"      {change.detail}")
    lines.append("")
    noun = "change" if len(changes) == 1 else "changes"
    lines.append(f"{len(changes)} {noun}: {len(breaking)} breaking, {len(compatible)} compatible")
    return "\n".join(lines)


def main_diff(
    old: Path | str,
    new: Path | str,
    as_json: bool,
    out: TextIO,
    catalog: Path | None = None,
    client: str = "strict",
) -> int:
    """Print the diff of two contracts; 1 if any change is breaking, else 0; 2 on bad input.

    ``old`` and ``new`` are paths or http(s) URLs; ``catalog`` an XML catalog for their imports;
    ``client`` the old client's strictness ("strict", as codegen's, or "lax").
    """
    try:
        loaded = Catalog.read(catalog) if catalog is not None else None
        changes = diff_wsdl(old, new, loaded, client)
    except (WsdlError, CatalogError) as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    breaking = sum(c.breaking for c in changes)
    if as_json:
        report = {
            "old": str(old),
            "new": str(new),
            "client": client,
            "breaking": breaking,
            "compatible": len(changes) - breaking,
            "changes": [c.as_dict() for c in changes],
        }
        out.write(json.dumps(report, indent=2) + "\n")
    else:
        out.write(format_changes(changes) + "\n")
    return 1 if breaking else 0
