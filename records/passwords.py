"""Password policy and argon2id hashing, off the event loop."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
# argon2 would hash anything, but a megabyte "password" is a denial of service.
MAX_PASSWORD_LENGTH = 1024


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at most {MAX_PASSWORD_LENGTH} characters")


class Passwords:
    """argon2id hashes (argon2-cffi's defaults); the work runs in a thread."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        check_password_policy(password)
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash, spend the same time and say no."""
        if len(password) > MAX_PASSWORD_LENGTH:
            return False
        if stored_hash is None:
            # Unknown users cost a full verification too, so timing does not reveal them.
            if self._dummy_hash is None:
                self._dummy_hash = await asyncio.to_thread(
                    self._hasher.hash, secrets.token_urlsafe(24)
                )
            await asyncio.to_thread(self._verify, self._dummy_hash, password)
            return False
        return await asyncio.to_thread(self._verify, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
