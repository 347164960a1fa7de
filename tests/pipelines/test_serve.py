"""`buysignal serve`: the subscriptions API, private Atom feeds and the web page, through FastAPI's TestClient.

The store is seeded from tests/cases/serve/seed.json (hand-written records). TestClient's default
client address ("testclient") is not loopback, so it stands for a browser on another machine.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient

from pipelines.commands.cli import main as cli_main
from pipelines.commands.serve.app import ServeSettings, create_app
from pipelines.commands.serve.security import RedactSecretsFilter, redact_path
from schemas import Account, CampaignEntry, Match, Segment, TriggerEvent
from sinks.base import Batch
from sinks.delivery import api as delivery
from sinks.store import Store

CASES = Path(__file__).resolve().parents[1] / "cases" / "serve"
LOCAL = ("127.0.0.1", 40000)


def load_seed() -> dict[str, list[Any]]:
    raw = json.loads((CASES / "seed.json").read_text(encoding="utf-8"))
    return {
        "accounts": [Account.model_validate(a) for a in raw["accounts"]],
        "events": [TriggerEvent.model_validate(e) for e in raw["events"]],
        "matches": [Match.model_validate(m) for m in raw["matches"]],
        "entries": [CampaignEntry.model_validate(e) for e in raw["campaign_entries"]],
        "segments": [Segment.model_validate(s) for s in raw["segments"]],
    }


def seed_store(url: str, with_alerts: bool = True) -> tuple[list[Segment], str]:
    """Fill the store at `url` with the seed records (and their alerts); returns the segments and an API token."""
    seed = load_seed()
    with Store(url) as store:
        store.upsert_accounts(seed["accounts"])
        store.upsert_events(seed["events"])
        store.upsert_matches(seed["matches"])
        store.replace_campaign_entries(seed["entries"], segments=[s.name for s in seed["segments"]])
        if with_alerts:
            batch = Batch(events=seed["events"], matches=seed["matches"], entries=seed["entries"])
            alerts = delivery.alerts_from_batch(batch, {a.account_id: a for a in seed["accounts"]})
            delivery.DeliveryService(store).enqueue(alerts)
        token = delivery.create_api_token(store, "tests", admin=True)
    return seed["segments"], token


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'buysignal.db'}"


@pytest.fixture
def served(store_url: str) -> Iterator[tuple[Any, str, str]]:
    """(app, API token, store URL) over a seeded store; webhooks to private addresses allowed (no DNS in tests)."""
    segments, token = seed_store(store_url)
    app = create_app(
        ServeSettings(
            store_url=store_url, segments=segments, delivery=delivery.DeliverySettings(allow_private=True)
        )
    )
    yield app, token, store_url
    app.state.store.close()


def remote(app: Any, **kwargs: Any) -> TestClient:
    return TestClient(app, **kwargs)


def local(app: Any) -> TestClient:
    return TestClient(app, client=LOCAL, base_url="http://127.0.0.1:8080")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


SPEC = {
    "name": "EMEA funding",
    "owner": "ana",
    "filters": {"types": ["funding_round"], "territories": ["EMEA"]},
    "channels": [{"kind": "email", "target": "ana@example.com", "period": "weekly"}],
}


# -- the API ------------------------------------------------------------------------------------------
def test_openapi_spec_is_served_and_declares_bearer_auth(served):
    app, _token, _url = served
    spec = remote(app).get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/subscriptions", "/api/v1/subscriptions/{subscription_id}", "/feeds/{token}.atom"} <= set(
        spec["paths"]
    )
    assert set(spec["paths"]["/api/v1/subscriptions/{subscription_id}"]) >= {"get", "put", "patch", "delete"}
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme", "").lower() == "bearer" for s in schemes.values())
    assert "/" not in spec["paths"]  # the web page is not part of the API


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}]
)
def test_the_api_needs_a_valid_token(served, headers):
    app, _token, _url = served
    client = local(app)  # even from this machine
    for method, path in [("get", "/api/v1/subscriptions"), ("post", "/api/v1/subscriptions")]:
        response = client.request(method, path, headers=headers, json=SPEC)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == "Bearer"
        assert "create-token" in response.json()["detail"]


def test_a_revoked_token_stops_working(served):
    app, token, url = served
    client = remote(app)
    assert client.get("/api/v1/subscriptions", headers=auth(token)).status_code == 200
    with Store(url) as store:
        assert delivery.revoke_api_token(store, "tests")
    assert client.get("/api/v1/subscriptions", headers=auth(token)).status_code == 401


def test_subscription_crud_round_trip(served):
    app, token, _url = served
    client = remote(app, headers=auth(token))

    created = client.post("/api/v1/subscriptions", json=SPEC)
    assert created.status_code == 201
    sub = created.json()
    sid = sub["subscription_id"]
    assert sub["feed_url"] == f"http://testserver/feeds/{sub['feed_token']}.atom"
    assert sub["filters"]["types"] == ["funding_round"]
    assert [c["kind"] for c in sub["channels"]] == ["email"]

    got = client.get(f"/api/v1/subscriptions/{sid}").json()
    assert got["feed_token"] is None and got["feed_url"] is None  # shown once, at creation
    assert got["name"] == "EMEA funding"
    assert [s["subscription_id"] for s in client.get("/api/v1/subscriptions?owner=ana").json()] == [sid]
    assert client.get("/api/v1/subscriptions?owner=ben").json() == []

    patched = client.patch(
        f"/api/v1/subscriptions/{sid}", json={"filters": {"types": ["funding_round"], "min_confidence": 0.9}}
    )
    assert patched.status_code == 200
    assert patched.json()["filters"]["min_confidence"] == 0.9
    assert patched.json()["filters"]["territories"] == ["EMEA"]  # a merge patch: the rest stays
    assert patched.json()["channels"][0]["channel_id"] == sub["channels"][0]["channel_id"]  # channels kept

    replaced = client.put(
        f"/api/v1/subscriptions/{sid}",
        json={
            **SPEC,
            "name": "All funding",
            "channels": [{"kind": "webhook", "target": "http://127.0.0.1:9/hook"}],
        },
    )
    assert replaced.status_code == 200
    body = replaced.json()
    assert body["name"] == "All funding"
    assert [c["kind"] for c in body["channels"]] == ["webhook"]
    assert body["channels"][0]["secret"]  # generated, shown in this answer only
    assert client.get(f"/api/v1/subscriptions/{sid}").json()["channels"][0]["secret"] is None

    assert client.delete(f"/api/v1/subscriptions/{sid}").status_code == 204
    assert client.get(f"/api/v1/subscriptions/{sid}").status_code == 404
    assert client.delete(f"/api/v1/subscriptions/{sid}").status_code == 404


def test_a_duplicate_name_is_a_422_not_a_500(served):
    app, token, _url = served
    client = remote(app, headers=auth(token))
    assert client.post("/api/v1/subscriptions", json=SPEC).status_code == 201
    again = client.post("/api/v1/subscriptions", json=SPEC)
    assert again.status_code == 422
    assert "already has a subscription" in again.json()["detail"]


@pytest.mark.parametrize(
    "change",
    [
        {"name": "EMEA\r\nBcc: everyone@example.com"},
        {"owner": "ana\nx"},
        {"channels": [{"kind": "email", "target": "ana@example.com\r\nBcc: all@example.com"}]},
        {"channels": [{"kind": "email", "target": f"rep{i}@example.com"} for i in range(21)]},
        {"filters": {"territories": ["EM\u2028EA"]}},
    ],
)
def test_names_targets_and_headers_are_checked_at_the_api(served, change):
    app, token, _url = served
    client = remote(app, headers=auth(token))
    response = client.post("/api/v1/subscriptions", json={**SPEC, **change})
    assert response.status_code == 422
    assert "Bcc" not in response.text  # the value is never echoed
    assert client.get("/api/v1/subscriptions").json() == []


def test_bodies_over_the_limit_are_refused_with_413(served):
    app, token, _url = served
    client = remote(app, headers=auth(token))
    big = json.dumps({**SPEC, "name": "x" * (70 * 1024)})
    response = client.post("/api/v1/subscriptions", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(80):
            yield b" " * 1024

    streamed = client.post(
        "/api/v1/subscriptions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert client.get("/api/v1/subscriptions").json() == []  # nothing was created
    # The login form has the same limit.
    assert remote(app).post("/login", content=b"token=" + b"a" * 70000).status_code == 413


def test_errors_never_echo_secrets(served):
    app, token, _url = served
    client = remote(app, headers=auth(token))
    bad_kind = {
        **SPEC,
        "channels": [{"kind": "pager", "target": "https://x.example/h", "secret": "s3cr3t-VALUE"}],
    }
    response = client.post("/api/v1/subscriptions", json=bad_kind)
    assert response.status_code == 422
    assert "s3cr3t-VALUE" not in response.text
    assert response.json()["detail"][0]["loc"][:3] == ["body", "channels", 0]

    strict = create_app(ServeSettings(store_url=app.state.settings.store_url))  # private targets refused
    try:
        unsafe = {
            **SPEC,
            "channels": [{"kind": "webhook", "target": "http://10.1.2.3/hook?key=TOPSECRETKEY"}],
        }
        refused = remote(strict, headers=auth(token)).post("/api/v1/subscriptions", json=unsafe)
        assert refused.status_code == 422
        assert "TOPSECRETKEY" not in refused.text
        assert "private" in refused.json()["detail"]
    finally:
        strict.state.store.close()


def test_disabled_channel_and_its_reason_are_visible(served):
    app, token, url = served
    client = remote(app, headers=auth(token))
    spec = {
        **SPEC,
        "channels": [
            {"kind": "slack", "target": "http://127.0.0.1:9/services/T0001/B0002/Zq8SECRETpLk3mN4oP5qR6sT7"},
            {"kind": "email", "target": "ana@example.com"},
        ],
    }
    sub = client.post("/api/v1/subscriptions", json=spec).json()
    slack = next(c for c in sub["channels"] if c["kind"] == "slack")
    assert "Zq8SECRETpLk3mN4oP5qR6sT7" not in json.dumps(
        client.get(f"/api/v1/subscriptions/{sub['subscription_id']}").json()
    )
    with Store(url) as store:
        delivery.disable_channel(store, slack["channel_id"], "endpoint answered HTTP 410 Gone 3 times")

    health = client.get("/api/v1/channels", params={"disabled": "true"}).json()
    assert [h["channel"]["channel_id"] for h in health] == [slack["channel_id"]]
    assert health[0]["channel"]["disabled_reason"] == "endpoint answered HTTP 410 Gone 3 times"
    assert health[0]["owner"] == "ana" and health[0]["subscription_name"] == "EMEA funding"
    shown = client.get(f"/api/v1/subscriptions/{sub['subscription_id']}").json()
    assert {c["kind"]: c["disabled"] for c in shown["channels"]} == {"slack": True, "email": False}

    enabled = client.post(f"/api/v1/channels/{slack['channel_id']}/enable")
    assert enabled.status_code == 200 and enabled.json()["disabled"] is False
    assert client.get("/api/v1/channels", params={"disabled": "true"}).json() == []
    off = client.post(f"/api/v1/channels/{slack['channel_id']}/disable", json={"reason": "rep on leave"})
    assert off.json()["disabled_reason"] == "rep on leave"
    assert client.post("/api/v1/channels/nope/enable").status_code == 404


# -- the Atom feed ------------------------------------------------------------------------------------
def test_the_private_feed_is_valid_atom_with_the_matching_alerts(served):
    app, token, _url = served
    api = remote(app, headers=auth(token))
    sub = api.post("/api/v1/subscriptions", json=SPEC).json()

    anonymous = remote(app)
    response = anonymous.get(f"/feeds/{sub['feed_token']}.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    # EMEA funding: Acme's Series B (A1 is EMEA); Bluebird (NA) and the non-funding events are filtered out.
    titles = [entry.title for entry in feed.entries]
    assert len(titles) == 1 and "Acme Robotics" in titles[0]
    assert feed.entries[0].link == "https://news.example.com/acme-series-b"

    everything = api.post(
        "/api/v1/subscriptions", json={"name": "all", "owner": "ana", "filters": {"matched_only": False}}
    ).json()
    entries = feedparser.parse(anonymous.get(f"/feeds/{everything['feed_token']}.atom").content).entries
    assert len(entries) == 5
    assert len({e.id for e in entries}) == 5


def test_a_wrong_or_rotated_feed_token_is_a_plain_404(served):
    app, token, _url = served
    api = remote(app, headers=auth(token))
    sub = api.post("/api/v1/subscriptions", json=SPEC).json()
    anonymous = remote(app)
    assert anonymous.get("/feeds/not-the-token.atom").status_code == 404
    assert "not-the-token" not in anonymous.get("/feeds/not-the-token.atom").text

    rotated = api.post(f"/api/v1/subscriptions/{sub['subscription_id']}/feed-token").json()
    assert anonymous.get(f"/feeds/{sub['feed_token']}.atom").status_code == 404
    assert anonymous.get(rotated["feed_url"].removeprefix("http://testserver")).status_code == 200


# -- the web page -------------------------------------------------------------------------------------
def test_the_web_page_is_open_to_a_local_browser(served):
    app, _token, _url = served
    page = local(app).get("/")
    assert page.status_code == 200
    html = page.text
    for name, count in [("funding_30d", 2), ("new_marketing_leader_90d", 1), ("any_trigger_7d", 2)]:
        assert f'data-segment="{name}" data-count="{count}"' in html
        assert f'href="/segments/{name}.csv"' in html
    assert "Cobalt Health names Dana Reyes Chief Marketing Officer" in html  # latest triggers with evidence
    assert (
        "Content-Security-Policy" in page.headers
        and "default-src 'none'" in page.headers["content-security-policy"]
    )
    assert "<script>" not in html and "&lt;script&gt;" in html  # news text is escaped
    assert 'href="javascript:' not in html  # untrusted links are dropped


@pytest.mark.parametrize(
    "client_kwargs, headers",
    [
        ({}, {}),  # another machine
        (
            {"client": LOCAL, "base_url": "http://evil.example:8080"},
            {},
        ),  # DNS rebinding: Host is not loopback
        (
            {"client": LOCAL, "base_url": "http://127.0.0.1:8080"},
            {"X-Forwarded-For": "203.0.113.9"},
        ),  # via a proxy
    ],
)
def test_the_web_page_asks_anyone_else_for_a_token(served, client_kwargs, headers):
    app, token, _url = served
    client = TestClient(app, **client_kwargs)
    for path in ("/", "/segments/funding_30d", "/segments/funding_30d.csv"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert 'name="token"' in response.text and "Acme" not in response.text
    assert client.get("/", headers={**headers, **auth(token)}).status_code == 200


def test_the_login_form_sets_a_strict_httponly_cookie(served):
    app, token, _url = served
    client = remote(app, follow_redirects=False)
    wrong = client.post("/login", data={"token": "nope", "next": "/"})
    assert wrong.status_code == 401 and "not valid" in wrong.text
    evil_next = client.post("/login", data={"token": token, "next": "//evil.example/"})
    assert evil_next.headers["location"] == "/"
    ok = client.post("/login", data={"token": token, "next": "/segments/funding_30d"})
    assert ok.status_code == 303 and ok.headers["location"] == "/segments/funding_30d"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/segments/funding_30d").status_code == 200
    # The cookie opens the pages only, never the API.
    assert client.get("/api/v1/subscriptions").status_code == 401
    client.get("/logout")
    assert client.get("/").status_code == 401


def test_localhost_bypass_can_be_switched_off(store_url):
    segments, token = seed_store(store_url, with_alerts=False)
    app = create_app(ServeSettings(store_url=store_url, segments=segments, trust_localhost=False))
    try:
        assert local(app).get("/").status_code == 401
        assert local(app).get("/", headers=auth(token)).status_code == 200
    finally:
        app.state.store.close()


def test_segment_table_and_csv_download(served):
    app, _token, _url = served
    client = local(app)
    page = client.get("/segments/funding_30d")
    assert page.status_code == 200
    for text in ("Acme Robotics Inc.", "Bluebird Analytics", "Acme Robotics raises $25M Series B", ">13<"):
        assert text in page.text
    assert "Cobalt" not in page.text

    download = client.get("/segments/funding_30d.csv")
    assert download.headers["content-disposition"] == 'attachment; filename="funding_30d.csv"'
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["account_id"] for r in rows] == ["A1", "A2"]
    assert {
        "account_name",
        "owner",
        "trigger_type",
        "event_date",
        "days_since_event",
        "evidence",
        "url",
    } <= set(rows[0])
    assert client.get("/segments/no_such_segment").status_code == 404
    assert client.get("/segments/no_such_segment.csv").status_code == 404


def test_an_empty_store_shows_empty_configured_segments(store_url):
    app = create_app(ServeSettings(store_url=store_url, segments=load_seed()["segments"]))
    try:
        html = local(app).get("/").text
        assert 'data-segment="funding_30d" data-count="0"' in html
        assert "No triggers stored yet" in html
    finally:
        app.state.store.close()


# -- secrets in logs, and the command --------------------------------------------------------------
def test_access_log_lines_mask_feed_tokens_and_token_parameters():
    assert redact_path("/feeds/AbC-123_xyz.atom") == "/feeds/***.atom"
    assert redact_path("/?token=abc&x=1") == "/?token=***&x=1"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/feeds/SeCrEt.atom", "1.1", 200),
        None,
    )
    assert RedactSecretsFilter().filter(record)
    assert "SeCrEt" not in record.getMessage()


def test_create_token_prints_a_working_token_once(store_url, capsys):
    assert cli_main(["serve", "--db", store_url, "--create-token", "ci-bot", "--admin"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token and token not in err and "admin" in err
    assert cli_main(["serve", "--db", store_url, "--create-token", "ana-phone", "--owner", "ana"]) == 0
    rep = capsys.readouterr().out.strip()
    with Store(store_url) as store:
        assert delivery.verify_api_token(store, token)
        found = {t.name: (t.owner, t.admin) for t in delivery.list_api_tokens(store)}
        assert found == {"ci-bot": (None, True), "ana-phone": ("ana", False)}
        principal = delivery.authenticate_api_token(store, rep)
        assert principal is not None and (principal.owner, principal.admin) == ("ana", False)


def test_a_token_must_say_whose_it_is(store_url, capsys):
    assert cli_main(["serve", "--db", store_url, "--create-token", "ci-bot"]) == 2
    err = capsys.readouterr().err
    assert "--owner OWNER" in err and "--admin" in err
    with Store(store_url) as store:
        assert delivery.list_api_tokens(store) == []
    with pytest.raises(SystemExit):  # both at once: argparse refuses
        cli_main(["serve", "--db", store_url, "--create-token", "x", "--owner", "ana", "--admin"])


def test_bad_serve_config_is_a_usage_error(tmp_path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text('[serve]\nport = 99999\n[store]\nurl = "sqlite:///x.db"\n', encoding="utf-8")
    assert cli_main(["serve", "--config", str(config)]) == 2
    assert "serve.port" in capsys.readouterr().err


# -- delivering from the server ------------------------------------------------------------------------
class WebhookReceiver:
    """A local HTTP endpoint that records the POSTs it gets (the subscriber's webhook)."""

    def __init__(self) -> None:
        import http.server
        import threading

        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_server_delivers_due_alerts_when_asked_to(store_url):
    import hashlib
    import hmac
    import time

    segments, token = seed_store(store_url, with_alerts=False)
    receiver = WebhookReceiver()
    app = create_app(
        ServeSettings(
            store_url=store_url,
            segments=segments,
            delivery=delivery.DeliverySettings(allow_private=True),
            deliver_every=0.05,
        )
    )
    try:
        with TestClient(app, headers=auth(token)) as client:  # the context runs the app's lifespan
            spec = {
                **SPEC,
                "channels": [{"kind": "webhook", "target": receiver.url, "secret": "whsec-test-1234567890"}],
            }
            assert client.post("/api/v1/subscriptions", json=spec).status_code == 201
            seed = load_seed()
            batch = Batch(events=seed["events"], matches=seed["matches"], entries=seed["entries"])
            with Store(store_url) as store:
                alerts = delivery.alerts_from_batch(batch, {a.account_id: a for a in seed["accounts"]})
                delivery.DeliveryService(store).enqueue(alerts)
            for _ in range(400):  # waiting for the delivery loop, with a cap; nothing is timed
                if receiver.received:
                    break
                time.sleep(0.05)
        assert len(receiver.received) == 1  # EMEA funding: Acme's round only
        headers, body = receiver.received[0]
        assert "Acme Robotics" in body.decode("utf-8")
        signature = next(v for k, v in headers.items() if k.lower() == "x-buysignal-signature")
        stamp = next(v for k, v in headers.items() if k.lower() == "x-buysignal-timestamp")
        signed = stamp.encode() + b"." + body
        expected = hmac.new(b"whsec-test-1234567890", signed, hashlib.sha256).hexdigest()
        assert signature == f"t={stamp},v1={expected}"
    finally:
        receiver.close()


def test_a_logged_traceback_is_masked_too():
    try:
        raise RuntimeError("POST to https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx failed")
    except RuntimeError:
        import sys

        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    RedactSecretsFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "abcdefghijklmnopqrstuvwx" not in text and "RuntimeError" in text


def test_database_errors_never_show_statement_parameters(served):
    app, _token, _url = served
    assert app.state.store.engine.hide_parameters
