"""``CodegenError``, the one error the generator raises; the CLI reports it without a traceback."""

from __future__ import annotations


class CodegenError(Exception):
    """The WSDL can't be read, or nothing in it can be generated."""
