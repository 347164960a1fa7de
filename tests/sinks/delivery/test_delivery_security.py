"""Secrets stay secret (hashed tokens, redaction) and webhooks can't be aimed at private networks."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import sqlalchemy as sa

from schemas.errors import ConfigError
from sinks.delivery import tables as dt
from sinks.delivery.api import (
    UnsafeTargetError,
    check_target_url,
    create_api_token,
    list_api_tokens,
    redact,
    revoke_api_token,
    verify_api_token,
)
from sinks.store import Store

SLACK = "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/aB3dE5gH7jK9mN1pQ3rS5tU7"


@pytest.mark.parametrize(
    ("text", "secret_part"),
    [
        (f"POST {SLACK} failed", "aB3dE5gH7jK9mN1pQ3rS5tU7"),
        ("https://user:hunter2@hooks.example/x", "hunter2"),
        ("GET https://hooks.example/in?token=abc123xyz&x=1 -> 500", "abc123xyz"),
        ("https://buysignal.example/feeds/Zx9_QwErTy-12345678901234/atom.xml", "Zx9_QwErTy-12345678901234"),
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
        ("token bs_0123456789ab_SeCrEtSeCrEt was rejected", "SeCrEtSeCrEt"),
        ("smtp login failed: password=pa55word!", "pa55word!"),
        ('{"secret": "whsec_abcdef"}', "whsec_abcdef"),
    ],
)
def test_redact_masks_secrets_in_messages(text: str, secret_part: str) -> None:
    out = redact(text)
    assert secret_part not in out
    assert "***" in out


def test_redact_masks_given_secrets_and_keeps_ordinary_text() -> None:
    assert redact("the hmac key is k3y-material-42 ok", ["k3y-material-42"]) == "the hmac key is *** ok"
    plain = "HTTP 500 from the endpoint https://hooks.example.com/alerts after 3 attempts"
    assert redact(plain) == plain
    assert redact("short", ["ab", None, ""]) == "short"


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8080/hook",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "http://127.0.0.1/hook",
        "http://[fc00::1]/hook",
        "http://[fe80::1]/hook",
        "http://100.64.1.1/hook",
        "http://192.168.1.20/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00:ec2::254]/hook",
    ],
)
def test_private_targets_are_refused(url: str) -> None:
    with pytest.raises(UnsafeTargetError) as caught:
        check_target_url(url)
    assert "allow" in str(caught.value)  # says how to allow it on purpose
    assert isinstance(caught.value, ConfigError)


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example/x", "file:///etc/passwd", "hooks.example/x", "http:///x"]
)
def test_only_http_and_https_targets(url: str) -> None:
    with pytest.raises(UnsafeTargetError):
        check_target_url(url)


def test_every_resolved_address_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        answers = {
            "rebind.example": ["93.184.216.34", "127.0.0.1"],
            "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
            "inside.example": ["fd12:3456::1"],
        }
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(UnsafeTargetError, match="127.0.0.1"):
        check_target_url("https://rebind.example/hook")
    with pytest.raises(UnsafeTargetError, match="private"):
        check_target_url("https://inside.example/hook")
    check_target_url("https://public.example/hook")


def test_private_targets_pass_only_when_allowed() -> None:
    check_target_url("http://127.0.0.1:9/hook", allow_private=True)
    check_target_url("http://localhost:9/hook", allowed_hosts=["localhost"])
    check_target_url("http://127.0.0.1:9/hook", allowed_hosts=["127.0.0.1:9"])
    with pytest.raises(UnsafeTargetError):
        check_target_url("http://127.0.0.1:10/hook", allowed_hosts=["127.0.0.1:9"])
    check_target_url("https://93.184.216.34/hook")


def test_api_tokens_are_stored_hashed_and_can_be_revoked(sqlite_store: Store) -> None:
    token = create_api_token(sqlite_store, "crm-bridge", admin=True)
    other = create_api_token(sqlite_store, "ci", owner="dana@example.com")
    assert token.startswith("bs_") and token != other
    assert verify_api_token(sqlite_store, token) and verify_api_token(sqlite_store, other)
    with sqlite_store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(dt.api_tokens)).mappings()]
    secret = token.split("_", 2)[2]
    assert all(secret not in str(row) for row in rows)
    assert len({row["salt"] for row in rows}) == 2
    assert not verify_api_token(sqlite_store, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not verify_api_token(sqlite_store, "")
    assert not verify_api_token(sqlite_store, "bs_nosuchid_whatever")
    assert revoke_api_token(sqlite_store, "crm-bridge")
    assert not verify_api_token(sqlite_store, token)
    assert verify_api_token(sqlite_store, other)
    assert not revoke_api_token(sqlite_store, "crm-bridge")
    listed = {t.name: t for t in list_api_tokens(sqlite_store)}
    assert listed["crm-bridge"].revoked_at is not None and listed["ci"].last_used_at is not None
    assert token not in repr(listed)
