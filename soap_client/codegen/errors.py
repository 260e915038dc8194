"""The errors the generator raises; the CLI reports each in one line, without a traceback."""

from __future__ import annotations


class CodegenError(Exception):
    """The WSDL can't be read, or nothing in it can be generated (exit code 2)."""


class EncodedOnly(CodegenError):
    """Every SOAP operation of the WSDL is rpc/encoded, which is not supported (exit code 3)."""
