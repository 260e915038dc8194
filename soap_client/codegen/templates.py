"""The fixed parts of a generated module: its runtime helpers, ``ServiceFault`` and client plumbing.

The writer copies these verbatim; only the code around them depends on the WSDL.
"""

from __future__ import annotations

RUNTIME_HELPERS = '''def _plain(value: Any) -> Any:
    """zeep's objects as plain dicts and lists."""
    return cast(Any, zeep.helpers).serialize_object(value, dict)


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _same(value: Any) -> Any:
    return value


def _xml(value: Any) -> Any:
    """A generated dataclass as the dict zeep serialises; None stays None."""
    return None if value is None else value._to_xml()


def _wrap(values: list[Any] | None, item: str, write: Any) -> dict[str, Any] | None:
    return None if values is None else {item: [write(v) for v in values]}


def _maybe(read: Any, value: Any) -> Any:
    return None if value is None else read(value)


def _list(read: Any, values: Any) -> list[Any]:
    return [read(value) for value in values or []]


def _array(read: Any, container: Any, item: str) -> list[Any]:
    """The items of a wrapper element that holds only a repeated ``item``."""
    if container is None:
        return []
    found = container.get(item) if isinstance(container, dict) else container
    return [read(value) for value in found or []]


def _maybe_array(read: Any, container: Any, item: str) -> list[Any] | None:
    return None if container is None else _array(read, container, item)


def _raise_fault(
    fault: zeep.exceptions.Fault, zeep_client: Any, allowed: tuple[type[ServiceFault], ...]
) -> None:
    """Raise the declared fault the detail carries, or a plain ServiceFault."""
    faultcode = str(fault.code or "")
    message = str(fault.message or "")
    detail: Any = fault.detail
    for child in [] if detail is None else list(detail):
        error_class = _FAULTS.get(str(child.tag))
        if error_class is not None and error_class in allowed:
            error = error_class(faultcode, message, detail)
            element = zeep_client.get_element(error_class.element)
            parsed = element.parse(child, zeep_client.wsdl.types)
            error.detail = error_class._read(parsed)
            raise error from None
    raise ServiceFault(faultcode, message, detail) from None'''

SERVICE_FAULT = '''class ServiceFault(Exception):
    """A SOAP fault from the service: ``faultcode``, ``message`` and the raw detail."""

    element: ClassVar[str] = ""

    def __init__(self, faultcode: str, message: str, detail: Any = None) -> None:
        super().__init__(f"{faultcode}: {message}")
        self.faultcode = faultcode
        self.message = message
        self.raw_detail = detail
        self.detail: Any = None

    @staticmethod
    def _read(value: Any) -> Any:
        return value'''

CLIENT_RUNTIME = '''    def __init__(
        self,
        wsdl: str,
        address: str | None = None,
        *,
        transport: Any = None,
        settings: Any = None,
    ) -> None:
        """A client of ``wsdl`` (a path or URL) at ``address`` (by default, the WSDL's)."""
        z: Any = zeep
        if settings is None:
            settings = z.Settings(
                strict=True,
                forbid_dtd=True,
                forbid_entities=True,
                forbid_external=True,
            )
        self.zeep: Any = z.Client(wsdl, transport=transport, settings=settings)
        target = address or self.default_address
        if target is None:
            raise ValueError(f"no address for {self.binding}: pass address=")
        self._service: Any = self.zeep.create_service(self.binding, target)

    def _call(
        self,
        operation: str,
        body: dict[str, Any],
        headers: dict[str, Any],
        faults: tuple[type[ServiceFault], ...],
    ) -> Any:
        arguments = _compact(body)
        if headers:
            arguments["_soapheaders"] = headers
        try:
            return getattr(self._service, operation)(**arguments)
        except zeep.exceptions.Fault as fault:
            _raise_fault(fault, self.zeep, faults)
            raise'''
