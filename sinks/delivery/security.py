"""Secrets and targets: hashed API tokens, redaction, and refusing webhook targets on private networks.

Webhook targets are user input that makes the server send requests: without a check, anyone who can
create a subscription could make buysignal call its own database port or the cloud metadata
service (SSRF). So a target must be http(s), and every address its host resolves to must be public,
unless the operator explicitly allows private targets (a self-hosted Slack-compatible chat on the
LAN, or tests on 127.0.0.1).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import secrets as _secrets
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from schemas.addresses import unsafe_reason
from schemas.errors import ConfigError
from sinks.delivery import tables as dt
from sinks.delivery.models import ApiToken, Principal, plain_text
from sinks.store import Store

log = logging.getLogger("buysignal.delivery")

API_TOKEN_PREFIX = "bs_"
MASK = "***"
# Shorter strings can't be secrets worth masking, and masking them would shred ordinary text.
_MIN_SECRET_LEN = 4


class UnsafeTargetError(ConfigError):
    """A webhook target that is not http(s), or resolves to a private, loopback, link-local or
    metadata address while private targets are not allowed."""


class TargetResolutionError(UnsafeTargetError):
    """A webhook target whose host does not resolve (may be temporary: DNS down)."""


# ----------------------------------------------------------------------------------- redaction

_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_QUERY_VALUE = re.compile(r"(?P<key>[?&][^=&\s#]+=)[^&\s#\"']+")
_SLACK_PATH = re.compile(r"(?P<keep>hooks\.slack\.com/(?:services|workflows|triggers)/)[^\s\"'?#]+")
_URL_PATH = re.compile(r"(?P<base>https?://[^/\s\"']+)(?P<path>/[^\s\"'?#]*)")
_TOKENISH_SEGMENT = re.compile(r"^[A-Za-z0-9_\-.~%]{20,}$")
_BEARER = re.compile(r"(?P<keep>\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9_\-.~+/=]+", re.IGNORECASE)
_API_TOKEN = re.compile(re.escape(API_TOKEN_PREFIX) + r"[A-Za-z0-9_\-]{8,}")
_KEY_VALUE = re.compile(
    r"(?P<keep>\b(?:password|passwd|pwd|secret|token|api[_-]?key|signature|authorization)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+",
    re.IGNORECASE,
)


def _mask_path(match: re.Match[str]) -> str:
    # Long random-looking path segments are how webhook URLs carry their secret (Slack, Teams,
    # Discord, feed tokens); ordinary words and ids stay readable.
    segments = match.group("path").split("/")
    masked = [MASK if _TOKENISH_SEGMENT.match(s) else s for s in segments]
    return match.group("base") + "/".join(masked)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with secrets masked: the given secret strings, URL credentials, URL query values and
    webhook URL path tokens, bearer tokens, key=value secrets and buysignal API tokens. Use on
    anything logged, raised or stored as an error message."""
    out = str(text)
    # Longest first, so a secret that contains another is masked whole.
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True):
        out = out.replace(secret, MASK)
    out = _URL_USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", out)
    out = _SLACK_PATH.sub(lambda m: f"{m.group('keep')}{MASK}", out)
    out = _URL_PATH.sub(_mask_path, out)
    out = _QUERY_VALUE.sub(lambda m: f"{m.group('key')}{MASK}", out)
    out = _BEARER.sub(lambda m: f"{m.group('keep')}{MASK}", out)
    out = _API_TOKEN.sub(f"{API_TOKEN_PREFIX}{MASK}", out)
    out = _KEY_VALUE.sub(lambda m: f"{m.group('keep')}{MASK}", out)
    return out


def display_target(target: str) -> str:
    """A channel target as shown in listings: a URL with its secret parts masked."""
    return redact(target)


# ----------------------------------------------------------------------------------- SSRF
# `unsafe_reason` (schemas/addresses.py) is the one check of which addresses are private, shared
# with the feeds' redirect check.


def _split_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or UnsafeTargetError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeTargetError(f"delivery: target {redact(url)!r} is not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeTargetError(
            f"delivery: target {redact(url)!r} must be an http:// or https:// URL, not {scheme or 'none'!r}"
        )
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeTargetError(f"delivery: target {redact(url)!r} has no host; give a full URL")
    return scheme, host, port or (443 if scheme == "https" else 80)


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _allowed(host: str, port: int, allowed_hosts: Iterable[str]) -> bool:
    allowed = {h.strip().lower().rstrip(".").strip("[]") for h in allowed_hosts if h and h.strip()}
    return host in allowed or f"{host}:{port}" in allowed


def resolve_target(
    url: str, *, allow_private: bool = False, allowed_hosts: Iterable[str] = ()
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses `url`'s host resolves to, all checked (see `check_target_url`); the sender
    connects to one of these, so a DNS answer that changes between check and send can't sneak in."""
    scheme, host, port = _split_target(url)
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise TargetResolutionError(
                f"delivery: can't resolve the host of {redact(url)!r} ({exc}); check the URL"
            ) from exc
        addresses = []
        for info in infos:
            address = _literal_address(str(info[4][0]))
            if address is not None and address not in addresses:
                addresses.append(address)
        if not addresses:
            raise TargetResolutionError(f"delivery: the host of {redact(url)!r} resolves to no address")
    if allow_private or _allowed(host, port, allowed_hosts):
        return addresses
    for address in addresses:
        reason = unsafe_reason(address)
        if reason:
            raise UnsafeTargetError(
                f"delivery: refusing target {redact(url)!r}: {host} resolves to {address}, {reason}; "
                "use a public URL, or allow private targets explicitly in the config "
                "(delivery.allow_private = true, or list the host in delivery.allowed_hosts)"
            )
    return addresses


def check_target_url(url: str, *, allow_private: bool = False, allowed_hosts: Iterable[str] = ()) -> None:
    """Refuse a webhook target that is not http(s) or that resolves (every address, IPv4 and IPv6)
    to a private, loopback, link-local, shared, unspecified or cloud-metadata address, unless
    `allow_private` or its host is in `allowed_hosts`. Raises UnsafeTargetError."""
    resolve_target(url, allow_private=allow_private, allowed_hosts=allowed_hosts)


# ----------------------------------------------------------------------------------- API tokens


def _hash_token(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def _parse_token(token: str) -> tuple[str, str] | None:
    if not token or not token.startswith(API_TOKEN_PREFIX):
        return None
    parts = token[len(API_TOKEN_PREFIX) :].split("_", 1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1]


def _writing(store: Store) -> Any:
    return store._writing()


# A token's last_used_at is written at most this often: it says "in use lately", and a write per
# request would make every read wait for whoever holds the database's write lock.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def create_api_token(store: Store, name: str, *, owner: str | None = None, admin: bool = False) -> str:
    """A new API token for the server, returned in clear this once (only a salted hash is stored).

    A token is either a rep's (`owner`: it sees and changes only that owner's subscriptions, their
    channels, deliveries and feeds) or an admin's (`admin=True`: everything); exactly one of the two.
    The token reads `bs_<id>_<secret>`: the id finds the row, the secret is checked against it."""
    name = (name or "").strip()
    if not name:
        raise ValueError("delivery: an API token needs a name (who or what uses it)")
    plain_text(name, "a token name")
    owner = owner.strip() if owner is not None else None
    if admin == bool(owner):
        raise ValueError(
            "delivery: say whose token it is: an owner (the rep whose subscriptions it may see and "
            "change) or admin (every subscription), not both"
            if admin
            else "delivery: say whose token it is: --owner OWNER (the rep whose subscriptions it may "
            "see and change) or --admin (every subscription)"
        )
    if owner is not None:
        plain_text(owner, "a token owner")
    token_id = uuid.uuid4().hex[:12]
    secret = _secrets.token_urlsafe(32)
    salt = _secrets.token_hex(16)
    with _writing(store) as conn:
        conn.execute(
            sa.insert(dt.api_tokens).values(
                token_id=token_id,
                name=name,
                owner=owner,
                admin=admin,
                salt=salt,
                token_hash=_hash_token(salt, secret),
                created_at=store.clock(),
            )
        )
    return f"{API_TOKEN_PREFIX}{token_id}_{secret}"


def authenticate_api_token(store: Store, token: str) -> Principal | None:
    """Who a live (not revoked) API token speaks for, or None; the secret is compared in constant time."""
    parsed = _parse_token(token or "")
    c = dt.api_tokens.c
    row = None
    if parsed is not None:
        with store.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    c.token_id, c.name, c.salt, c.token_hash, c.revoked_at, c.last_used_at, c.owner, c.admin
                ).where(c.token_id == parsed[0])
            ).first()
    if row is None or parsed is None:
        # Same work either way, so timing does not tell a wrong id from a wrong secret.
        hmac.compare_digest(_hash_token("x" * 32, "missing"), "0" * 64)
        return None
    ok = hmac.compare_digest(_hash_token(row.salt, parsed[1]), row.token_hash)
    if not ok or row.revoked_at is not None:
        return None
    now = store.clock()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        _touch(store, row.token_id, now)
    return Principal(token_id=row.token_id, name=row.name, owner=row.owner, admin=bool(row.admin))


def verify_api_token(store: Store, token: str) -> bool:
    """Whether `token` is a live (not revoked) API token (see `authenticate_api_token` for whose)."""
    return authenticate_api_token(store, token) is not None


def _touch(store: Store, token_id: str, now: datetime) -> None:
    """Record that a token was used, if the database can take the write right now; skipped (not
    waited for) when another writer holds the lock: the request must not pay for bookkeeping."""
    c = dt.api_tokens.c
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection if store.dialect == "sqlite" else None
        previous = None
        try:
            if raw is not None:
                # Straight on the driver connection: a statement through SQLAlchemy would begin a
                # transaction first.
                previous = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
                raw.execute("PRAGMA busy_timeout = 0")
            with conn.begin():
                if store.dialect == "postgresql":
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '100ms'")
                conn.execute(sa.update(dt.api_tokens).where(c.token_id == token_id).values(last_used_at=now))
        except sa.exc.OperationalError:
            log.debug("delivery: token %s in use; last_used_at not updated (the database is busy)", token_id)
        finally:
            if raw is not None and previous is not None:
                raw.execute(f"PRAGMA busy_timeout = {previous}")


def revoke_api_token(store: Store, name_or_id: str) -> bool:
    """Revoke the tokens with that name or id (or the token itself); False when none was live."""
    parsed = _parse_token(name_or_id)
    key = parsed[0] if parsed else name_or_id
    c = dt.api_tokens.c
    with _writing(store) as conn:
        result = conn.execute(
            sa.update(dt.api_tokens)
            .where(sa.or_(c.token_id == key, c.name == key), c.revoked_at.is_(None))
            .values(revoked_at=store.clock())
        )
    return bool(result.rowcount)


def list_api_tokens(store: Store) -> list[ApiToken]:
    """Every API token (never the token itself), newest first."""
    c = dt.api_tokens.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                c.token_id, c.name, c.owner, c.admin, c.created_at, c.revoked_at, c.last_used_at
            ).order_by(c.created_at.desc(), c.token_id)
        ).mappings()
        return [ApiToken.model_validate(dict(r)) for r in rows]


def feed_token_hash(token: str) -> str:
    """How a feed token is stored: its sha256 (the token is random, so no salt is needed to look it up)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token() -> str:
    """A fresh feed token: 32 random bytes, URL-safe."""
    return _secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    """A fresh HMAC secret for a webhook channel."""
    return "whsec_" + _secrets.token_urlsafe(32)
