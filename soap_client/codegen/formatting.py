"""Giving generated source ruff's layout, so it passes ``ruff format --check`` as written."""

from __future__ import annotations

import subprocess
import sys

from soap_client.codegen.errors import CodegenError


def format_source(source: str, line_length: int = 100) -> str:
    """``source`` formatted by ruff at ``line_length`` (ruff's defaults otherwise)."""
    command = [
        sys.executable,
        "-m",
        "ruff",
        "format",
        "--isolated",
        "--line-length",
        str(line_length),
        "--target-version",
        "py311",
        "--stdin-filename",
        "generated.py",
        "-",
    ]
    try:
        done = subprocess.run(
            command, input=source, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CodegenError(f"cannot run ruff to format the module: {error}") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise CodegenError(f"ruff could not format the generated module: {first}")
    return done.stdout
