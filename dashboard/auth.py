"""Analyst sign-in: users with roles, argon2 password hashes, throttled failures.

Users live in a JSON file outside the repository (``$HRD_USERS``, default
``~/.config/hrd/users.json``), so a clone or a pushed commit can never carry
them. Only argon2 hashes are stored (argon2-cffi). Each failed sign-in for a
name doubles the wait before the next attempt is even checked (capped), which
slows guessing without locking a real user out for long.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("viewer", "analyst", "admin")
_hasher = PasswordHasher()
_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
MIN_PASSWORD = 10


class AuthError(ValueError):
    """A sign-in or user-file problem, with a message for a person."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def mode(self) -> str:
        """analyst and admin see analyst mode; viewers see the public mode."""
        return "analyst" if self.role in ("analyst", "admin") else "public"


def users_path() -> Path:
    raw = os.environ.get("HRD_USERS", "").strip()
    return Path(raw) if raw else Path.home() / ".config" / "hrd" / "users.json"


def _load(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AuthError(f"The users file {path} cannot be read: {exc}") from exc
    return data.get("users", {}) if isinstance(data, dict) else {}


def add_user(name: str, role: str, password: str, path: Path | None = None) -> User:
    """Create or replace a user; the password is stored only as an argon2 hash."""
    path = path or users_path()
    if not name or len(name) > 64 or not set(name) <= _NAME_OK:
        raise AuthError("A user name has 1-64 letters, digits or . _ - @")
    if role not in ROLES:
        raise AuthError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"The password must have at least {MIN_PASSWORD} characters.")
    users = _load(path)
    users[name] = {"role": role, "hash": _hasher.hash(password)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"users": users}, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return User(name, role)


def list_users(path: Path | None = None) -> list[User]:
    return [User(n, u.get("role", "viewer")) for n, u in sorted(_load(path or users_path()).items())]


class Throttle:
    """Per-name delays after failed sign-ins: 0.5 s, 1 s, 2 s, ... up to ``cap`` seconds."""

    def __init__(self, base: float = 0.5, cap: float = 8.0) -> None:
        self.base, self.cap = base, cap
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def delay(self, name: str) -> float:
        with self._lock:
            n = self._failures.get(name, 0)
        return 0.0 if n == 0 else min(self.cap, self.base * 2 ** (n - 1))

    def failed(self, name: str) -> None:
        with self._lock:
            self._failures[name] = self._failures.get(name, 0) + 1

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


THROTTLE = Throttle()


def authenticate(name: str, password: str, path: Path | None = None, throttle: Throttle = THROTTLE) -> User:
    """Check a name and password; wait first if this name has recent failures."""
    name = (name or "")[:64]
    wait = throttle.delay(name)
    if wait:
        time.sleep(wait)
    record = _load(path or users_path()).get(name)
    try:
        if record is None:
            _hasher.hash(password or "")  # same work as a real check, so timing does not reveal names
            raise VerifyMismatchError
        _hasher.verify(record["hash"], password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        throttle.failed(name)
        raise AuthError("Wrong name or password.") from None
    throttle.succeeded(name)
    return User(name, record.get("role", "viewer"))


def idle_minutes() -> float:
    """Signed-in sessions end after this many idle minutes (``HRD_IDLE_MINUTES``, default 30)."""
    try:
        return max(0.1, float(os.environ.get("HRD_IDLE_MINUTES", "30")))
    except ValueError:
        return 30.0
