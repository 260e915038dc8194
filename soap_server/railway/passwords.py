"""Password hashing for agent accounts: scrypt, with its cost named in every stored hash.

A stored hash reads ``scrypt$N$r$p$SALT$DIGEST``, so a hash is verified with the cost it was
made with: the cost of new hashes can change without invalidating the old ones. The default
cost (n=2**14, r=8) takes about 30 ms and 16 MiB per hash: slow enough to hurt guessing, fast
enough for a demo. Tests build their cores with a cheap cost (``Scrypt(n=16, r=1)``), since
seeding the demo agents and logging in are most of what building a core costs them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Scrypt:
    """scrypt with its cost parameters: ``hash`` makes a stored hash, ``verify`` checks one."""

    n: int = 2**14
    r: int = 8
    p: int = 1

    def hash(self, password: str, salt: bytes | None = None) -> str:
        salt = salt or secrets.token_bytes(16)
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=self.n, r=self.r, p=self.p, dklen=32
        )
        b64 = base64.b64encode
        return f"scrypt${self.n}${self.r}${self.p}${b64(salt).decode()}${b64(digest).decode()}"

    @staticmethod
    def verify(password: str, stored: str) -> bool:
        """Whether ``password`` matches ``stored``, at the cost ``stored`` names."""
        try:
            scheme, n, r, p, salt, digest = stored.split("$")
            expected = base64.b64decode(digest)
            actual = hashlib.scrypt(
                password.encode("utf-8"),
                salt=base64.b64decode(salt),
                n=int(n),
                r=int(r),
                p=int(p),
                dklen=len(expected),
            )
        except ValueError:
            return False
        return scheme == "scrypt" and hmac.compare_digest(actual, expected)
