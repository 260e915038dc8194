"""Reading a request body from any WSGI server, never past a limit: shared by every facade.

``read_limited`` refuses a declared ``Content-Length`` over the limit before reading anything,
and reads a body without one (chunked) only up to the limit plus one byte, so a 200 MB upload
costs the worker 64 KiB, not 200 MB. What can go wrong in the transport becomes
``BodyRejected`` with a stable code, never an exception a facade would answer as a retryable
``InternalError``:

* ``RequestTooLarge``: over the limit (the facade's usual status for it);
* ``MalformedRequest``: broken framing (a chunk-size line that is not hex, a missing chunk
  terminator, a client that hung up before its declared length): HTTP 400;
* ``RequestTimeout``: the body did not arrive in time (``soap_server.serving`` bounds each
  read): HTTP 408.

The last two carry ``status`` and ask for the connection to be closed: where the next request
would start on it is unknown.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wsgi import get_input_stream

_READ_SIZE = 16 * 1024


class BodyRejected(Exception):
    """The request body cannot be read as sent; ``code`` says why.

    ``status`` is set when the fault is in the HTTP transport itself (framing, time): the
    facade answers with that status and closes the connection.
    """

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def read_limited(environ: dict[str, Any], limit: int) -> bytes:
    """The body, at most ``limit`` bytes, or ``BodyRejected``."""
    length_header = environ.get("CONTENT_LENGTH") or ""
    if length_header:
        try:
            length = int(length_header)
        except ValueError:
            raise BodyRejected("MalformedRequest", "Content-Length is not a number") from None
        if length > limit:
            raise BodyRejected(
                "RequestTooLarge", f"the body is {length} bytes; the limit is {limit}"
            )
    if (
        length_header.isascii()
        and length_header.isdigit()  # a plain length, as werkzeug reads it too
        and "HTTP_TRANSFER_ENCODING" not in environ
    ):
        # The declared bytes, straight from the server's stream: it holds at least those (or
        # ends early, if the client hung up: broken framing), and they are read, no more.
        return _read_declared(environ["wsgi.input"], int(length_header))
    # A chunked body (the server de-chunks it and marks the stream terminated: werkzeug hands
    # it over as it is), read up to the limit; a raw socket stream without a length would
    # block until the client hangs up, and werkzeug gives an empty one instead.
    if "wsgi.input_terminated" in environ:
        stream = environ["wsgi.input"]
    else:
        stream = get_input_stream(environ, safe_fallback=True)
    parts: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            part = stream.read(min(_READ_SIZE, limit + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
    except Exception as error:
        raise _transport_error(error) from None
    if size > limit:
        raise BodyRejected("RequestTooLarge", f"the body is over the limit of {limit} bytes")
    return b"".join(parts)


def _read_declared(stream: Any, length: int) -> bytes:
    """Exactly the ``length`` bytes the client declared, read from the server's stream (in one
    call, as a rule), never past them; fewer, if the client hung up, is broken framing."""
    parts: list[bytes] = []
    size = 0
    try:
        while size < length:
            part = stream.read(length - size)
            if not part:
                raise BodyRejected(
                    "MalformedRequest",
                    "the request body's HTTP framing is broken: the client sent"
                    f" {size} of the {length} bytes its Content-Length declared",
                    400,
                )
            parts.append(part)
            size += len(part)
    except BodyRejected:
        raise
    except Exception as error:
        raise _transport_error(error) from None
    return b"".join(parts)


def _transport_error(error: Exception) -> BodyRejected:
    """What the server's input stream raised, as the rejection of the request.

    It is about the transport, not the request's content: werkzeug's chunk reader raises
    OSError, gunicorn its own ParseException (InvalidChunkSize, ChunkMissingTerminator, ...),
    werkzeug's LimitedStream ClientDisconnected for a short body, also when the short read was
    the server's read deadline passing (``serving``'s deadlines raise TimeoutError)."""
    if _timed_out(error):
        return BodyRejected("RequestTimeout", "the request body did not arrive in time", 408)
    reason = getattr(error, "description", None) or str(error) or type(error).__name__
    return BodyRejected(
        "MalformedRequest", f"the request body's HTTP framing is broken: {reason}", 400
    )


def _timed_out(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
