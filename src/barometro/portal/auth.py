"""Office accounts, sessions, API tokens and sector links.

- Passwords: argon2id (argon2-cffi's defaults: memory-hard, 64 MiB).
- Session cookies, API tokens and sector links are 32 random bytes
  (`secrets.token_urlsafe(32)`); only their SHA-256 is stored, so a copy of
  the data folder does not hold a usable credential.
- Login is throttled: after `login_max_failures` failures for one user name or
  one client address within `login_window_seconds`, every attempt is refused
  (even with the right password) until the window has passed.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .storage import Storage

SESSION_COOKIE = "barometro_sessione"
_hasher = PasswordHasher()  # argon2id
# verified when the user does not exist, so that the time does not tell
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 10


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class Throttled(Exception):
    """Too many failed logins: refused until the window passes."""


@dataclass(frozen=True)
class Office:
    """An authenticated office user (from a session cookie or a bearer token)."""

    user_id: int
    username: str
    token_hash: str
    csrf: str
    kind: str  # session | api


def login(store: Storage, username: str, password: str, client: str, kind: str) -> tuple[str, str] | None:
    """(token, csrf) for valid credentials, None otherwise; raises Throttled."""
    cfg = store.config
    since = time.time() - cfg.login_window_seconds
    by_user, by_client = store.failures_since(username, client, since)
    if by_user >= cfg.login_max_failures or by_client >= cfg.login_max_failures:
        raise Throttled()
    user = store.user_by_name(username) if username else None
    ok = check_password(user["password_hash"] if user else _DUMMY_HASH, password) and user is not None
    if not ok or user["disabled"]:
        store.record_failure(username, client)
        return None
    store.clear_failures(username)
    token, csrf = new_token(), new_token()
    store.add_token(user["id"], token_hash(token), kind, csrf, cfg.session_hours)
    return token, csrf


def office_from_token(store: Storage, token: str | None) -> Office | None:
    if not token or len(token) > 200:
        return None
    h = token_hash(token)
    row = store.token(h)
    if row is None:
        return None
    return Office(row["user_id"], row["username"], h, row["csrf"], row["kind"])


def add_user(store: Storage, username: str, password: str) -> int:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password shorter than {MIN_PASSWORD} characters")
    return store.add_user(username, hash_password(password))
