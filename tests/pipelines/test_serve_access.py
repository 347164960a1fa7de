"""Per-rep access on every route of `buysignal serve`.

A rep's token (`--create-token NAME --owner REP`) sees and changes only that owner's subscriptions,
channels, deliveries and feeds; others' are 404, exactly like ones that do not exist. An admin token
sees all. The tables below classify every route of the app: a route added without an entry fails
`test_every_route_is_classified`, and every owner-scoped route is tried by another rep's token.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route
from test_serve import SPEC, auth, seed_store

from pipelines.commands.serve.app import ServeSettings, create_app
from sinks.delivery import api as delivery
from sinks.store import Store


@dataclass
class World:
    app: Any
    store_url: str
    admin: str
    ana: str  # a rep's token, owner "ana"
    ben: str  # a rep's token, owner "ben"
    ana_sub: str
    ana_channel: str
    ben_sub: str
    ben_channel: str

    def client(self, token: str) -> TestClient:
        return TestClient(self.app, headers=auth(token))

    def snapshot(self) -> Any:
        """Everything an admin sees: it must not change when a request is refused."""
        with Store(self.store_url) as store:
            subs = delivery.list_subscriptions(store)
            return [s.model_dump(exclude={"updated_at"}) for s in subs], delivery.list_deliveries(store)


@pytest.fixture
def world(tmp_path: Any) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    segments, admin = seed_store(url)
    with Store(url) as store:
        ana = delivery.create_api_token(store, "ana's phone", owner="ana")
        ben = delivery.create_api_token(store, "ben's laptop", owner="ben")
    app = create_app(
        ServeSettings(
            store_url=url, segments=segments, delivery=delivery.DeliverySettings(allow_private=True)
        )
    )
    client = TestClient(app, headers=auth(admin))
    mail = [{"kind": "email", "target": "ana@example.com"}]
    ana_sub = client.post("/api/v1/subscriptions", json={**SPEC, "owner": "ana", "channels": mail}).json()
    ben_mail = [{"kind": "email", "target": "ben@example.com"}]
    ben_sub = client.post(
        "/api/v1/subscriptions", json={**SPEC, "name": "Bens", "owner": "ben", "channels": ben_mail}
    ).json()
    yield World(
        app=app,
        store_url=url,
        admin=admin,
        ana=ana,
        ben=ben,
        ana_sub=ana_sub["subscription_id"],
        ana_channel=ana_sub["channels"][0]["channel_id"],
        ben_sub=ben_sub["subscription_id"],
        ben_channel=ben_sub["channels"][0]["channel_id"],
    )
    app.state.store.close()


# -- the route table ---------------------------------------------------------------------------------

# Routes anyone may call: they show no subscription data.
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/logout"),
}
# The feed's secret URL is its only key (feed readers send no headers); rotating it is owner-scoped.
CAPABILITY = {("GET", "/feeds/{token}.atom")}
# The read-only web page: a rep's token sees only its owner's accounts' rows (test below).
WEB = {("GET", "/"), ("GET", "/segments/{name}.csv"), ("GET", "/segments/{name}")}

Recipe = Callable[[TestClient, str, str], httpx.Response]
SUB = "/api/v1/subscriptions"

# (method, path) -> how to call it on a subscription id / channel id.
OWNER_SCOPED: dict[tuple[str, str], Recipe] = {
    ("GET", SUB): lambda c, s, ch: c.get(SUB),
    ("POST", SUB): lambda c, s, ch: c.post(SUB, json={**SPEC, "name": f"new {uuid.uuid4()}", "owner": "ana"}),
    ("GET", SUB + "/{subscription_id}"): lambda c, s, ch: c.get(f"{SUB}/{s}"),
    ("PUT", SUB + "/{subscription_id}"): lambda c, s, ch: c.put(f"{SUB}/{s}", json={**SPEC, "owner": "ana"}),
    ("PATCH", SUB + "/{subscription_id}"): lambda c, s, ch: c.patch(f"{SUB}/{s}", json={"name": "renamed"}),
    ("DELETE", SUB + "/{subscription_id}"): lambda c, s, ch: c.delete(f"{SUB}/{s}"),
    ("POST", SUB + "/{subscription_id}/feed-token"): lambda c, s, ch: c.post(f"{SUB}/{s}/feed-token"),
    ("GET", SUB + "/{subscription_id}/deliveries"): lambda c, s, ch: c.get(f"{SUB}/{s}/deliveries"),
    ("POST", SUB + "/{subscription_id}/channels"): lambda c, s, ch: c.post(
        f"{SUB}/{s}/channels", json={"kind": "email", "target": "x@example.com"}
    ),
    ("GET", "/api/v1/channels"): lambda c, s, ch: c.get("/api/v1/channels"),
    ("DELETE", "/api/v1/channels/{channel_id}"): lambda c, s, ch: c.delete(f"/api/v1/channels/{ch}"),
    ("POST", "/api/v1/channels/{channel_id}/enable"): lambda c, s, ch: c.post(
        f"/api/v1/channels/{ch}/enable"
    ),
    ("POST", "/api/v1/channels/{channel_id}/disable"): lambda c, s, ch: c.post(
        f"/api/v1/channels/{ch}/disable", json={"reason": "testing"}
    ),
    ("POST", "/api/v1/channels/{channel_id}/replay"): lambda c, s, ch: c.post(
        f"/api/v1/channels/{ch}/replay"
    ),
}
# Listings answer 200 with only the caller's items; creating for another owner is 403.
LISTINGS = {("GET", SUB), ("GET", "/api/v1/channels")}
CREATE_FOR_OWNER = {("POST", SUB)}


def _routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers walked into."""

    def walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI keeps an included router whole
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute | Route):
                for method in route.methods or ():
                    if method != "HEAD":
                        yield method, prefix + route.path
            else:
                raise AssertionError(f"a route of a kind this test can't read: {route!r}")

    found = set(walk(app.routes))
    # Cross-check with the OpenAPI spec: every documented operation was found.
    spec = app.openapi()
    documented = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    assert documented <= found
    return found


def test_every_route_is_classified(world: World) -> None:
    routes = _routes(world.app)
    tables = [PUBLIC, CAPABILITY, WEB, set(OWNER_SCOPED)]
    unclassified = routes - set().union(*tables)
    assert not unclassified, f"classify these routes (and test their owner checks): {sorted(unclassified)}"
    assert not set(OWNER_SCOPED) - routes, "recipes for routes that no longer exist"
    # Everything under /api needs a token and is owner-scoped; nothing else is.
    assert {r for r in routes if r[1].startswith("/api/")} == set(OWNER_SCOPED)


def _ids(items: list[dict[str, Any]]) -> set[str]:
    return {i.get("subscription_id") or "" for i in items} | {
        (i.get("channel") or {}).get("channel_id", "") for i in items
    }


@pytest.mark.parametrize("route", sorted(OWNER_SCOPED), ids=lambda r: f"{r[0]} {r[1]}")
def test_another_reps_token_gets_nothing_of_anas(world: World, route: tuple[str, str]) -> None:
    recipe = OWNER_SCOPED[route]
    before = world.snapshot()
    response = recipe(world.client(world.ben), world.ana_sub, world.ana_channel)
    if route in LISTINGS:
        assert response.status_code == 200
        assert not _ids(response.json()) & {world.ana_sub, world.ana_channel}
        assert world.ben_sub in {i["subscription_id"] for i in response.json()}
    elif route in CREATE_FOR_OWNER:
        assert response.status_code == 403
    else:
        assert response.status_code == 404, response.text
        assert response.json() == {"detail": response.json()["detail"]} and "ana" not in response.text
    assert world.snapshot() == before  # nothing changed

    # The same call on her own things works for ana's token and for an admin token.
    for token in (world.ana, world.admin):
        own = recipe(world.client(token), world.ana_sub, world.ana_channel)
        assert 200 <= own.status_code < 300, (token == world.admin, own.text)
        if route in LISTINGS:
            assert world.ana_sub in {i["subscription_id"] for i in own.json()}
        if route == ("DELETE", SUB + "/{subscription_id}") or route == (
            "DELETE",
            "/api/v1/channels/{channel_id}",
        ):
            break  # gone now


def test_a_reps_token_cannot_hand_a_subscription_to_someone_else(world: World) -> None:
    ben = world.client(world.ben)
    own = f"{SUB}/{world.ben_sub}"
    assert ben.patch(own, json={"owner": "ana"}).status_code == 403
    assert ben.put(own, json={**SPEC, "name": "Bens", "owner": "ana"}).status_code == 403
    assert ben.post(SUB, json={**SPEC, "owner": "ana"}).status_code == 403
    assert ben.get(SUB, params={"owner": "ana"}).json() == []
    assert ben.get(own).json()["owner"] == "ben"
    # An admin may re-own.
    assert world.client(world.admin).patch(own, json={"owner": "ana"}).json()["owner"] == "ana"
    assert ben.get(own).status_code == 404


def test_a_revoked_reps_token_is_refused(world: World) -> None:
    with Store(world.store_url) as store:
        assert delivery.revoke_api_token(store, "ben's laptop")
    assert world.client(world.ben).get(SUB).status_code == 401


def test_the_web_page_shows_a_rep_their_own_accounts_only(world: World) -> None:
    def csv_owners(token: str) -> list[str]:
        response = TestClient(world.app, headers=auth(token)).get("/segments/funding_30d.csv")
        assert response.status_code == 200
        return sorted(row["owner"] for row in csv.DictReader(io.StringIO(response.text)))

    assert csv_owners(world.admin) == ["ana", "ben"]
    assert csv_owners(world.ana) == ["ana"]
    assert csv_owners(world.ben) == ["ben"]
    page = TestClient(world.app, headers=auth(world.ben)).get("/")
    assert page.status_code == 200
    assert "Bluebird" in page.text and "Acme" not in page.text and "Cobalt" not in page.text
    seg = TestClient(world.app, headers=auth(world.ben)).get("/segments/any_trigger_7d")
    assert seg.status_code == 200 and "Acme" not in seg.text
