"""The IRCTC-like reservation core, served as a SOAP 1.1 service."""

__version__ = "0.1.0"
