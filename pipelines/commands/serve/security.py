"""The server's guards: who may see what, and keeping secrets out of the logs.

Request bodies are limited by FastAPI itself (`max_body_size`: over the limit -> 413, before parsing).

Who may do what:
- the management API (`/api/...`) always needs an API token in `Authorization: Bearer <token>`;
- the web page needs nothing from a browser on the same machine (client and Host both loopback, no
  proxy headers); from anywhere else it needs the token, as a Bearer header or through the login form,
  which keeps it in an HttpOnly, SameSite=Strict cookie. The pages only read, so a cookie can't be
  used to change anything (the API never accepts the cookie);
- a subscription's Atom feed is authorised by the secret token in its URL alone (feed readers can't
  send headers).
"""

from __future__ import annotations

import ipaddress
import logging
import re

from starlette.requests import HTTPConnection

DEFAULT_MAX_BODY_BYTES = 64 * 1024
TOKEN_COOKIE = "buysignal_token"
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
_PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def bearer_token(conn: HTTPConnection) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if there is one."""
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_local_browser(conn: HTTPConnection) -> bool:
    """A request from this machine, addressed to this machine: the web page's no-login case.

    The Host header must be loopback too, or a web page elsewhere could reach a local server through
    DNS rebinding; and proxy headers mean the real client is somewhere else.
    """
    client = conn.client.host if conn.client else None
    if not _is_loopback(client):
        return False
    if any(conn.headers.get(h) for h in _PROXY_HEADERS):
        return False
    host = conn.headers.get("host", "")
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return hostname.lower() in _LOOPBACK_HOSTS


# Feed URLs carry their secret in the path; login and links may carry ?token=.
_SECRET_IN_PATH = re.compile(r"(/feeds/)[^/?\s\"]+(\.atom)")
_SECRET_IN_QUERY = re.compile(r"((?:^|[?&])(?:token|access_token|api_key)=)[^&\s\"]*", re.IGNORECASE)


def redact_path(path: str) -> str:
    """A request path with the secrets it may carry masked (for the access log)."""
    return _SECRET_IN_QUERY.sub(r"\1***", _SECRET_IN_PATH.sub(r"\1***\2", path))


class RedactSecretsFilter(logging.Filter):
    """Masks secrets in the server's log lines: feed tokens and token parameters in access-log paths,
    and anything secret-looking in a logged traceback (webhook URLs, tokens, key=value secrets)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        if record.exc_info and not record.exc_text:
            from sinks.delivery.api import redact

            # Formatters reuse exc_text once set, so the traceback is only ever written masked.
            record.exc_text = redact(redact_path(logging.Formatter().formatException(record.exc_info)))
        return True
