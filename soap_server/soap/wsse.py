"""Reading a ``wsse:Security`` header (WS-Security 1.0, UsernameToken profile 1.0).

The endpoint hands every ``wsse:Security`` entry of the SOAP header here, whatever its
``mustUnderstand``: the core understands it, so it is always processed, never ignored. This
module only reads it, strictly, into a ``UsernameToken`` for the core to verify
(``railway/agents.py``); anything it cannot read is ``SecurityHeaderInvalid``:

* exactly one ``wsse:UsernameToken`` with one ``wsse:Username``; at most one ``wsu:Timestamp``;
  nothing else (signatures, binary or SAML tokens are not supported, and are refused rather than
  ignored);
* ``wsse:Password`` with ``Type`` PasswordText (the default) or PasswordDigest;
* ``wsse:Nonce`` Base64 (the only encoding), 8 to 64 bytes; ``wsu:Created`` and the Timestamp's
  ``Created``/``Expires`` ISO 8601 date-times with a time zone (UTC ``Z`` as zeep sends it).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from lxml import etree

from soap_server.ns import BASE64_BINARY, PASSWORD_DIGEST, PASSWORD_TEXT, WSSE, WSU
from soap_server.railway.agents import UsernameToken
from soap_server.railway.errors import SecurityHeaderInvalid

SECURITY = f"{{{WSSE}}}Security"


def read_security(security: etree._Element, source: str) -> UsernameToken:
    """The UsernameToken of one ``wsse:Security`` header entry, or ``SecurityHeaderInvalid``."""
    tokens, timestamps = [], []
    for child in security:
        if not isinstance(child.tag, str):
            continue
        if child.tag == f"{{{WSSE}}}UsernameToken":
            tokens.append(child)
        elif child.tag == f"{{{WSU}}}Timestamp":
            timestamps.append(child)
        else:
            raise SecurityHeaderInvalid(
                f"wsse:Security holds {etree.QName(child).localname!r}, which this service does"
                " not support: send one wsse:UsernameToken (and at most one wsu:Timestamp)"
            )
    if len(tokens) != 1 or len(timestamps) > 1:
        raise SecurityHeaderInvalid(
            "wsse:Security must hold exactly one wsse:UsernameToken and at most one wsu:Timestamp"
        )
    token = tokens[0]
    username = _one(token, f"{{{WSSE}}}Username", required=True)
    password = _one(token, f"{{{WSSE}}}Password", required=True)
    assert username is not None and password is not None
    kind = (password.get("Type") or PASSWORD_TEXT).strip()
    if kind not in (PASSWORD_TEXT, PASSWORD_DIGEST):
        raise SecurityHeaderInvalid(
            f"wsse:Password Type {kind!r} is neither PasswordText nor PasswordDigest"
        )
    nonce_element = _one(token, f"{{{WSSE}}}Nonce")
    nonce = None
    if nonce_element is not None:
        encoding = (nonce_element.get("EncodingType") or BASE64_BINARY).strip()
        if encoding != BASE64_BINARY:
            raise SecurityHeaderInvalid(f"wsse:Nonce EncodingType {encoding!r} is not Base64Binary")
        try:
            nonce = base64.b64decode((nonce_element.text or "").strip(), validate=True)
        except (binascii.Error, ValueError):
            raise SecurityHeaderInvalid("wsse:Nonce is not Base64") from None
        if not 8 <= len(nonce) <= 64:
            raise SecurityHeaderInvalid(f"wsse:Nonce has {len(nonce)} bytes; 8 to 64 are accepted")
    created_element = _one(token, f"{{{WSU}}}Created")
    created = None if created_element is None else (created_element.text or "").strip()
    timestamp = None
    if timestamps:
        stamp = timestamps[0]
        timestamp = (
            _instant(_one(stamp, f"{{{WSU}}}Created"), "wsu:Timestamp/wsu:Created"),
            _instant(_one(stamp, f"{{{WSU}}}Expires"), "wsu:Timestamp/wsu:Expires"),
        )
    name = (username.text or "").strip()
    if not name or len(name) > 16:
        raise SecurityHeaderInvalid("wsse:Username must be an agent id of 1 to 16 characters")
    return UsernameToken(
        username=name,
        password=password.text or "",
        digest=kind == PASSWORD_DIGEST,
        nonce=nonce,
        created=created,
        created_at=_instant(created_element, "wsu:Created"),
        timestamp=timestamp,
        source=source,
    )


def _one(parent: etree._Element, tag: str, required: bool = False) -> etree._Element | None:
    found = parent.findall(tag)
    name = etree.QName(tag).localname
    if len(found) > 1:
        raise SecurityHeaderInvalid(f"{name} appears {len(found)} times")
    if required and not found:
        raise SecurityHeaderInvalid(f"the UsernameToken has no {name}")
    return found[0] if found else None


def _instant(element: etree._Element | None, name: str) -> datetime | None:
    if element is None:
        return None
    text = (element.text or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SecurityHeaderInvalid(f"{name} {text[:40]!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise SecurityHeaderInvalid(f"{name} {text[:40]!r} has no time zone (UTC: end it in Z)")
    return moment
