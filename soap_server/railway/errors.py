"""Every rule a call can break, as an exception with a stable code.

::

    ReservationError                 code, message, retryable
     +-- ClientError                 the request itself is wrong: resending it fails again
     |    +-- AuthenticationFailed, SessionInvalid, SessionExpired
     |    +-- UnknownStation, SameStation, TrainNotFound, TrainNotRunning, TrainDoesNotStop
     |    +-- ClassNotOnTrain, QuotaNotAvailable, OutsideReservationWindow, TatkalNotOpen
     |    +-- TooManyPassengers, InvalidPassenger, NoConfirmedSeats, WaitlistFull
     |    +-- PnrNotFound, AlreadyCancelled, InvalidPassengerSelection
     |    +-- CancellationClosed, DuplicateReference, RateLimited
     |    |    +-- LoginThrottled
     |    +-- AgentBarred, ChartPrepared, InvalidBoardingPoint, BoardingChangeClosed
     |    +-- SecurityHeaderInvalid, MessageExpired, CreatedInFuture, DigestMismatch,
     |        NonceReplayed                      (WS-Security UsernameToken)
     +-- ServerError                 the core could not do it now: a retry may succeed
          +-- Maintenance, Busy, InternalError, Unavailable

Facades translate these into wire errors in one place each (``soap/faults.py`` for SOAP); the
``code`` is what travels, so it never changes once published.
"""

from __future__ import annotations

from typing import ClassVar


class ReservationError(Exception):
    """Base of all errors the reservation core raises on purpose."""

    code: ClassVar[str] = "ReservationError"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClientError(ReservationError):
    """The request breaks a rule; sending it again unchanged fails again."""


class ServerError(ReservationError):
    """The core could not serve the request now; the same request may succeed later."""

    retryable = True


class AuthenticationFailed(ClientError):
    """Unknown agent or wrong password."""

    code = "AuthenticationFailed"


class SessionInvalid(ClientError):
    """No session header, or a token the core never issued."""

    code = "SessionInvalid"


class SessionExpired(ClientError):
    """The session was idle too long or was logged out."""

    code = "SessionExpired"


class UnknownStation(ClientError):
    """A station code the core does not know."""

    code = "UnknownStation"


class SameStation(ClientError):
    """Boarding and destination station are the same."""

    code = "SameStation"


class TrainNotFound(ClientError):
    """No train with that number."""

    code = "TrainNotFound"


class TrainNotRunning(ClientError):
    """The train does not run on that date."""

    code = "TrainNotRunning"


class TrainDoesNotStop(ClientError):
    """The train does not stop at a station, or not in that order."""

    code = "TrainDoesNotStop"


class ClassNotOnTrain(ClientError):
    """The train has no coach of that class."""

    code = "ClassNotOnTrain"


class QuotaNotAvailable(ClientError):
    """The quota is not offered in that class."""

    code = "QuotaNotAvailable"


class OutsideReservationWindow(ClientError):
    """The journey date is in the past or beyond the advance period."""

    code = "OutsideReservationWindow"


class TatkalNotOpen(ClientError):
    """Tatkal booking is not open for that journey yet."""

    code = "TatkalNotOpen"


class TooManyPassengers(ClientError):
    """More passengers than one booking may carry."""

    code = "TooManyPassengers"


class InvalidPassenger(ClientError):
    """A passenger's name, age or gender is invalid."""

    code = "InvalidPassenger"


class NoConfirmedSeats(ClientError):
    """Confirmation was required and not every passenger can be confirmed."""

    code = "NoConfirmedSeats"


class WaitlistFull(ClientError):
    """REGRET: the waitlist limit has been reached."""

    code = "WaitlistFull"


class PnrNotFound(ClientError):
    """No booking with that PNR among the agent's own (another agent's PNR answers alike, as
    the GDSs do, so that no agent learns which PNRs exist)."""

    code = "PnrNotFound"


class AlreadyCancelled(ClientError):
    """The selected passengers are already cancelled."""

    code = "AlreadyCancelled"


class InvalidPassengerSelection(ClientError):
    """A passenger number that the booking does not have."""

    code = "InvalidPassengerSelection"


class CancellationClosed(ClientError):
    """The train has left: it can't be cancelled."""

    code = "CancellationClosed"


class DuplicateReference(ClientError):
    """The client reference was already used for a different request."""

    code = "DuplicateReference"


class SecurityHeaderInvalid(ClientError):
    """A wsse:Security header the core cannot use: no or several UsernameTokens, an unknown
    password type, a digest without Nonce and Created, unreadable values, unsupported tokens."""

    code = "SecurityHeaderInvalid"


class MessageExpired(ClientError):
    """The UsernameToken's Created (or the Timestamp) is older than the core accepts."""

    code = "MessageExpired"


class CreatedInFuture(ClientError):
    """The UsernameToken's Created (or the Timestamp's) is ahead of the core's clock by more
    than the allowed skew."""

    code = "CreatedInFuture"


class DigestMismatch(ClientError):
    """The PasswordDigest does not match (unknown user, wrong password, or an address outside
    the agent's networks: one answer for all)."""

    code = "DigestMismatch"


class NonceReplayed(ClientError):
    """The agent already used this Nonce: the message is a replay."""

    code = "NonceReplayed"


class Maintenance(ServerError):
    """The nightly maintenance window: try again after it."""

    code = "Maintenance"


class Busy(ServerError):
    """The core is overloaded or its database is locked: try again."""

    code = "Busy"


class InternalError(ServerError):
    """An unexpected failure; nothing was changed."""

    code = "InternalError"


class RateLimited(ClientError):
    """The agent sent more calls a minute than its contract allows."""

    code = "RateLimited"
    #: Seconds until the agent may call again (real time).
    retry_after = 60


class LoginThrottled(RateLimited):
    """Too many failed logins for this agent id from this address: that address must pause.

    Its own code, apart from the contract's call rate: a partner (or the load generator) must
    tell "we called too fast" from "someone guessed our password from here"."""

    code = "LoginThrottled"


class Unavailable(ServerError):
    """The system is overloaded (a simulation profile's injected fault): try again."""

    code = "Unavailable"


class AgentBarred(ClientError):
    """Authorised agents may not book in the first minutes of an opening (the era's rule)."""

    code = "AgentBarred"


class ChartPrepared(ClientError):
    """The train's reservation chart is prepared: the request is no longer possible."""

    code = "ChartPrepared"


class InvalidBoardingPoint(ClientError):
    """The new boarding station is not a later stop of the booked journey."""

    code = "InvalidBoardingPoint"


class BoardingChangeClosed(ClientError):
    """The boarding point can no longer be changed (the era's cut-off, or already changed)."""

    code = "BoardingChangeClosed"
