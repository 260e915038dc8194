"""``compare``: the same journey through SOAP, REST/JSON and plain XML, measured side by side."""

from soap_client.compare.measure import ERAS, MAX_RUNS, OPERATIONS, Comparison, compare

__all__ = ["ERAS", "MAX_RUNS", "OPERATIONS", "Comparison", "compare"]
