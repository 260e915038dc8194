"""The IRCTC-like reservation core, served as a SOAP 1.1 service."""

from soap_server import compat

# Before any module of this package imports Spyne (see compat: Spyne 2.14 on Python 3.12+).
compat.apply()

__version__ = "0.1.0"
