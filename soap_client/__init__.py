"""The travel agent: a partner integration that knows only the WSDL, an endpoint and credentials."""

from pathlib import Path

__version__ = "0.1.0"

#: The contract as published to partners, committed in the repository.
WSDL_PATH = Path(__file__).resolve().parent.parent / "wsdl" / "irctc_reservation_v1.wsdl"
