"""Which article links may leave buysignal: plain http(s) URLs only.

An event's URL comes from a feed, a documents file or a Kafka message, so it is untrusted. Every
output a person reads (the Atom feed, Slack, email, the signed webhook, the web page) passes it
through `safe_link` first: a `javascript:` or `data:` link there would run in the reader's session,
and a URL with spaces or control characters could break out of the markup around it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sinks.delivery.models import unsafe_character

MAX_LINK_CHARS = 2048


def safe_link(url: str | None) -> str | None:
    """`url` (trimmed) if it is an absolute http:// or https:// URL with a host, no whitespace and no
    control characters; None otherwise (the output then shows no link)."""
    if not url:
        return None
    candidate = url.strip()
    if (
        not candidate
        or len(candidate) > MAX_LINK_CHARS
        or any(ch.isspace() for ch in candidate)
        or unsafe_character(candidate) is not None
    ):
        return None
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate
