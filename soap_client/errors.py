"""What can go wrong when talking to the reservation core, as a small typed hierarchy.

::

    AgentError                    code, message, retryable
     +-- ServiceFault             the core answered with a SOAP fault (faultcode, detail)
     |    +-- ClientFault         the request is wrong: sending it again fails again
     |    |    +-- AuthenticationError   AuthenticationFailed, LoginThrottled
     |    |    +-- SessionError          SessionExpired, SessionInvalid (the agent re-logs in once)
     |    +-- ServerFault         the core could not do it now (Maintenance, Busy, ...): retryable
     +-- TransportError           no SOAP answer at all: timeout, refused or dropped connection,
                                  an HTTP error page, a body that is not a SOAP envelope (retryable)

Callers never see zeep, requests or lxml exceptions: the agent turns them into these.
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of every error the travel agent raises."""

    def __init__(self, code: str, message: str, retryable: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable


class ServiceFault(AgentError):
    """A SOAP fault from the core, with its typed detail."""

    def __init__(self, faultcode: str, code: str, message: str, retryable: bool) -> None:
        super().__init__(code, message, retryable)
        self.faultcode = faultcode  # e.g. "Client.UnknownStation", without the envelope prefix

    def __str__(self) -> str:
        return f"{self.faultcode}: {self.message}"


class ClientFault(ServiceFault):
    """The core refused the request; it will refuse it again."""


class AuthenticationError(ClientFault):
    """Wrong credentials, or the agent account is locked."""


class SessionError(ClientFault):
    """The session token is unknown, logged out or idle too long."""


class ServerFault(ServiceFault):
    """The core could not serve the request now; the same request may succeed later."""


class TransportError(AgentError):
    """No SOAP answer came back: the request may or may not have been processed."""

    def __init__(self, message: str, code: str = "Transport") -> None:
        super().__init__(code, message, retryable=True)


SESSION_CODES = frozenset({"SessionExpired", "SessionInvalid"})
AUTHENTICATION_CODES = frozenset({"AuthenticationFailed", "LoginThrottled"})


def fault_class(faultcode: str, code: str, retryable: bool) -> type[ServiceFault]:
    if code in SESSION_CODES:
        return SessionError
    if code in AUTHENTICATION_CODES:
        return AuthenticationError
    if retryable or faultcode.startswith("Server"):
        return ServerFault
    return ClientFault
