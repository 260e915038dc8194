"""Compatibility: the contract diff now lives in the ``soap_client.contract`` package.

The rules table is in ``soap_client/contract/rules.py``; this module keeps the old import path.
"""

from __future__ import annotations

from soap_client.contract import Change, WsdlError, diff_wsdl, format_changes, main_diff

__all__ = ["Change", "WsdlError", "diff_wsdl", "format_changes", "main_diff"]
