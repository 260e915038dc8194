"""zeep transports: one that calls a WSGI application in-process, without a socket.

zeep's documented seam for tests is ``Transport.post``; this one hands the envelope to a WSGI
callable through Werkzeug's test client and wraps the answer as a ``requests.Response``, so the
rest of zeep (and of the agent) runs exactly as over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from werkzeug.test import Client
from zeep.transports import Transport

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WsgiTransport(Transport):
    """Posts SOAP envelopes to a WSGI app in the same process."""

    def __init__(self, app: WsgiApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client = Client(app)

    def post(
        self, address: str, message: bytes | str, headers: dict[str, str]
    ) -> requests.Response:
        path = urlsplit(address).path or "/"
        try:
            answer = self._client.post(path, data=message, headers=headers)
        except ConnectionError as error:  # the app cut the connection (a lost answer)
            raise requests.ConnectionError(str(error)) from None
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers.update(dict(answer.headers))
        response._content = answer.get_data()
        response.encoding = answer.mimetype_params.get("charset", "utf-8")
        response.url = address
        return response
