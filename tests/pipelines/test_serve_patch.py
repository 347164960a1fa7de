"""PATCH is JSON Merge Patch (RFC 7396); account filters must name a column the CRM export fills;
one setting for private webhook targets."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_serve import SPEC, auth, seed_store

from pipelines.commands.serve.app import ServeSettings, create_app
from pipelines.commands.serve.merge_patch import merge_patch
from pipelines.config import ServeConfig, config_from_dict
from schemas.errors import ConfigError
from sinks.delivery import api as delivery
from sinks.store import Store

MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [  # RFC 7396, appendix A (a selection) and the cases that matter here
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
        ({"a": "b"}, ["c"], ["c"]),
    ],
)
def test_merge_patch_follows_rfc_7396(target: Any, patch: Any, result: Any) -> None:
    assert merge_patch(target, patch) == result


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    segments, token = seed_store(url)
    app = create_app(
        ServeSettings(
            store_url=url, segments=segments, delivery=delivery.DeliverySettings(allow_private=True)
        )
    )
    yield TestClient(app, headers=auth(token))
    app.state.store.close()


def _create(client: TestClient, **filters: Any) -> dict[str, Any]:
    spec = {**SPEC, "filters": {**SPEC["filters"], "owners": ["ana"], **filters}}
    response = client.post("/api/v1/subscriptions", json=spec)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_patching_types_keeps_the_owner_filter(client: TestClient) -> None:
    """The bug: PATCH with filters replaced the whole object, so setting types wiped the owner
    filter and the rep got everyone's rounds."""
    sub = _create(client)
    path = f"/api/v1/subscriptions/{sub['subscription_id']}"
    patched = client.patch(path, json={"filters": {"types": ["ipo", "acquisition"]}}, headers=MERGE)
    assert patched.status_code == 200, patched.text
    filters = patched.json()["filters"]
    assert filters["types"] == ["ipo", "acquisition"] and filters["owners"] == ["ana"]
    assert filters["territories"] == ["EMEA"] and patched.json()["name"] == "EMEA funding"
    # null resets a member to its default; plain application/json reads the same way.
    cleared = client.patch(path, json={"filters": {"owners": None, "min_confidence": 0.7}})
    assert cleared.json()["filters"]["owners"] == [] and cleared.json()["filters"]["types"] == [
        "ipo",
        "acquisition",
    ]
    assert cleared.json()["filters"]["min_confidence"] == 0.7
    # Channels stay unless sent; sent, they replace all (arrays replace).
    assert [c["kind"] for c in client.patch(path, json={"name": "renamed"}).json()["channels"]] == ["email"]
    swapped = client.patch(path, json={"channels": [{"kind": "email", "target": "ana@example.org"}]})
    assert [c["target"] for c in swapped.json()["channels"]] == ["ana@example.org"]
    assert client.patch(path, json={"channels": None}).json()["channels"] == []


@pytest.mark.parametrize(
    "patch",
    [
        {"name": None},  # a required member can't be removed
        {"filters": {"types": ["not_a_type"]}},
        {"filters": {"colour": ["red"]}},
        {"subscription_id": "x"},
        {"name": "two\nlines"},
    ],
)
def test_a_patch_whose_result_is_invalid_is_refused_whole(client: TestClient, patch: dict[str, Any]) -> None:
    sub = _create(client)
    path = f"/api/v1/subscriptions/{sub['subscription_id']}"
    response = client.patch(path, json=patch, headers=MERGE)
    assert response.status_code == 422
    assert all(e["loc"][0] == "body" for e in response.json()["detail"])
    after = client.get(path).json()
    assert (after["name"], after["filters"]) == (sub["name"], sub["filters"])


def test_a_patch_must_be_an_object(client: TestClient) -> None:
    sub = _create(client)
    response = client.patch(f"/api/v1/subscriptions/{sub['subscription_id']}", json=["x"], headers=MERGE)
    assert response.status_code == 422


def test_the_openapi_spec_documents_the_merge_patch(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/v1/subscriptions/{subscription_id}"]["patch"]["requestBody"]
    assert "application/merge-patch+json" in body["content"]
    assert "RFC 7396" in spec["paths"]["/api/v1/subscriptions/{subscription_id}"]["patch"]["description"]


# -- account filters against the CRM export's columns -------------------------------------------------


def test_a_filter_on_a_column_the_export_lacks_is_refused(client: TestClient) -> None:
    # The seed's CRM export has owner, industry, country and territory, but no account type.
    response = client.post("/api/v1/subscriptions", json={**SPEC, "filters": {"account_types": ["Customer"]}})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert (
        "filters.account_types can never match" in detail
        and "no CRM account in the store has a type" in detail
    )
    assert "territories (territory)" in detail  # what can match
    sub = _create(client)
    patched = client.patch(
        f"/api/v1/subscriptions/{sub['subscription_id']}", json={"filters": {"account_types": ["Prospect"]}}
    )
    assert patched.status_code == 422


def test_before_any_crm_is_loaded_every_filter_is_accepted(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'b.db'}") as store:
        spec = delivery.SubscriptionSpec(
            name="n",
            owner="o",
            filters=delivery.SubscriptionFilters(territories=["EMEA"], account_types=["x"]),
        )
        assert delivery.create_subscription(store, spec).filters.account_types == ["x"]


def test_config_subscriptions_are_checked_against_the_crm_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    seed_store(url)
    with (
        Store(url) as store,
        pytest.raises(ConfigError, match=r"subscriptions\[0\].*account_types can never"),
    ):
        delivery.sync_from_config(store, [{"name": "n", "owner": "ana", "account_type": "Customer"}])


# -- one private-targets setting ------------------------------------------------------------------


def test_delivery_allow_private_is_the_one_setting(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert config_from_dict({"delivery": {"allow_private": True}}).delivery.allow_private
    # The older [serve] key still counts, with a warning, when it is the only one.
    with caplog.at_level(logging.WARNING, logger="buysignal.config"):
        cfg = config_from_dict({"serve": {"allow_private_targets": True}})
    assert cfg.delivery.allow_private and "move it there" in caplog.text
    # Both, agreeing: fine. Disagreeing: refused, naming the one to keep.
    assert config_from_dict({"serve": {"allow_private_targets": True}, "delivery": {"allow_private": True}})
    with pytest.raises(ConfigError, match="disagree.*keep \\[delivery\\] allow_private"):
        config_from_dict({"serve": {"allow_private_targets": True}, "delivery": {"allow_private": False}})
    assert ServeConfig().allow_private_targets is None


def test_the_server_uses_the_delivery_setting_for_the_api_and_the_loop(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    _segments, token = seed_store(url)
    hook = {**SPEC, "channels": [{"kind": "webhook", "target": "http://127.0.0.1:9/hook"}]}
    for settings, expected in [
        (delivery.DeliverySettings(), 422),
        (delivery.DeliverySettings(allowed_hosts=["127.0.0.1:9"]), 201),
        (delivery.DeliverySettings(allow_private=True), 201),
    ]:
        app = create_app(ServeSettings(store_url=url, delivery=settings))
        try:
            answer = TestClient(app, headers=auth(token)).post(
                "/api/v1/subscriptions", json={**hook, "name": f"hook {expected} {settings.allowed_hosts}"}
            )
            assert answer.status_code == expected, answer.text
        finally:
            app.state.store.close()


def test_a_subscription_takes_at_most_twenty_channels(client: TestClient) -> None:
    sub = _create(client)
    path = f"/api/v1/subscriptions/{sub['subscription_id']}/channels"
    for i in range(19):  # it has one already
        assert client.post(path, json={"kind": "email", "target": f"rep{i}@example.com"}).status_code == 201
    refused = client.post(path, json={"kind": "email", "target": "one-more@example.com"})
    assert refused.status_code == 422 and "already has 20 channels" in refused.json()["detail"]
    assert len(client.get(f"/api/v1/subscriptions/{sub['subscription_id']}").json()["channels"]) == 20
