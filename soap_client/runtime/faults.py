"""``ServiceFault``: a SOAP fault from the service, the base of every generated fault class."""

from __future__ import annotations

from typing import Any, ClassVar

from soap_client.runtime.values import Simple


class ServiceFault(Exception):
    """A SOAP fault: ``faultcode``, ``message``, the raw ``detail`` element and the typed detail.

    A generated subclass per declared fault names its detail element (``element``) and the type
    its detail is read into (``detail_type``); an undeclared fault is a plain ServiceFault.
    """

    element: ClassVar[str] = ""
    detail_type: ClassVar[type[Any] | Simple | None] = None

    def __init__(
        self,
        faultcode: str,
        message: str,
        raw_detail: Any = None,
        detail: Any = None,
        actor: str | None = None,
    ) -> None:
        super().__init__(f"{faultcode}: {message}")
        self.faultcode = faultcode
        self.message = message
        self.raw_detail = raw_detail
        self.detail: Any = detail
        self.actor = actor
