"""Secrets the core must be able to read back, encrypted at rest (Fernet, from ``cryptography``).

A WS-Security PasswordDigest is SHA-1 over the nonce, the creation time and the *password*: the
server needs the password itself to check one, which a one-way hash cannot give back. So each
agent's password is also kept encrypted with a key that is not in the database: a file beside it
by default (``<db>.key``, created 0600 on first start, shared by every worker process), or one
named in the settings. Logins and PasswordText tokens are still checked against the scrypt hash.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Encrypts and decrypts short secrets with one key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def ephemeral(cls) -> SecretBox:
        """A box with a key of its own that nothing else knows (nothing it did not seal opens)."""
        return cls(Fernet.generate_key())

    @classmethod
    def from_key_file(cls, path: Path) -> SecretBox:
        """The box for the key in ``path``; the file is created (0600) if it does not exist."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(Fernet.generate_key())
        key = b""
        for _ in range(50):  # another worker may be writing it this very moment
            key = path.read_bytes().strip()
            if key:
                break
            time.sleep(0.01)
        return cls(key)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The secret, or None if it was sealed with another key or is damaged."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None
