"""The HTTP server: the subscriptions API (OpenAPI at /openapi.json), private Atom feeds, and the
marketers' web page. Built by `create_app(ServeSettings(...))`; `buysignal serve` runs it with uvicorn.

Subscriptions, channels, feeds and tokens are `sinks.delivery.api`'s; this module only speaks HTTP.
See `pipelines.commands.serve.security` for who may see what.

Every API route takes the caller (`Caller`: the principal of the Bearer token) and reaches a
subscription or channel only through `_visible_subscription` / `_visible_channel`, which answer 404
for one the token may not see (a rep's token sees only its owner's; an admin token sees all), the
same answer as for one that does not exist. tests/pipelines/test_serve_access.py walks the app's
route table, so a new route without such a check fails there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.commands.serve import web
from pipelines.commands.serve.merge_patch import MEDIA_TYPE as MERGE_PATCH
from pipelines.commands.serve.merge_patch import merge_patch
from pipelines.commands.serve.security import (
    DEFAULT_MAX_BODY_BYTES,
    TOKEN_COOKIE,
    bearer_token,
    is_local_browser,
)
from schemas import Segment
from schemas.errors import ConfigError
from sinks.campaigns import render_csv
from sinks.delivery import api as delivery
from sinks.delivery.sink import DeliverySettings
from sinks.store import Store

_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_COOKIE_MAX_AGE = 7 * 24 * 3600


@dataclass
class ServeSettings:
    """How `buysignal serve` is set up (the `[serve]` config table, overridden by command-line options)."""

    store_url: str
    segments: Sequence[Segment] = field(default_factory=list)
    public_url: str | None = None
    trust_localhost: bool = True
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    latest_triggers: int = 50
    feed_entries: int = 50
    # Send due alerts from the server every N seconds (None: leave delivery to `buysignal run`).
    deliver_every: float | None = None
    # The [delivery] table: SMTP relay, retries, deadlines, and `allow_private` / `allowed_hosts`, the
    # one setting for webhook targets on private networks, for what the API accepts and what the
    # delivery loop sends alike (`serve --allow-private-targets` sets allow_private).
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    # Extra DeliveryService keyword arguments over those settings (tests: a clock, a client).
    delivery_options: dict[str, Any] = field(default_factory=dict)

    def targets(self) -> dict[str, Any]:
        """The private-targets setting as `sinks.delivery.api` functions take it."""
        return {"allow_private": self.delivery.allow_private, "allowed_hosts": self.delivery.allowed_hosts}


class SubscriptionOut(delivery.Subscription):
    """A subscription as the API returns it; `feed_url` (with its secret token) only in the answer to
    the call that created the subscription or rotated its feed token."""

    feed_url: str | None = None


class ChannelHealth(BaseModel):
    """A delivery channel with its subscription: is it working, and if it was disabled, why."""

    subscription_id: str
    subscription_name: str
    owner: str
    channel: delivery.Channel


class DisableRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="why the channel is switched off")


class SubscriptionPatch(BaseModel):
    """A JSON Merge Patch (RFC 7396) of a subscription: the members sent change, `filters` merges
    key by key (`{"filters": {"types": ["ipo"]}}` keeps every other filter), `null` resets a member
    to its default, and `channels`, if sent, replaces all channels (listings show targets redacted,
    so they can't be sent back as read; leave `channels` out to keep them). Documents the body only:
    the handler applies the patch to the stored subscription and validates the result."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    owner: str | None = Field(default=None, min_length=1, max_length=200)
    filters: dict[str, Any] | None = Field(default=None, description="members of SubscriptionFilters")
    channels: list[delivery.ChannelSpec] | None = None


def _patch_body_schema() -> dict[str, Any]:
    schema = SubscriptionPatch.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {
        "required": True,
        "content": {media: {"schema": schema} for media in (MERGE_PATCH, "application/json")},
    }


class Replayed(BaseModel):
    channel_id: str
    requeued: int = Field(description="dead deliveries given another set of attempts")


class FeedToken(BaseModel):
    feed_token: str
    feed_url: str


_bearer = HTTPBearer(auto_error=False, description="an API token from `buysignal serve --create-token NAME`")


def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def _settings(request: Request) -> ServeSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def require_api_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> delivery.Principal:
    """The management API's guard: a live API token in `Authorization: Bearer`, nothing else.
    Returns whom the token speaks for (a rep, or an admin)."""
    token = credentials.credentials if credentials and credentials.scheme.lower() == "bearer" else None
    principal = delivery.authenticate_api_token(_store(request), token) if token else None
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=(
                "a valid API token is required in 'Authorization: Bearer <token>'; "
                "create one with `buysignal serve --create-token NAME --owner REP` (or --admin)"
            ),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


Caller = Annotated[delivery.Principal, Depends(require_api_token)]


def _visible_subscription(
    request: Request, caller: delivery.Principal, subscription_id: str
) -> delivery.Subscription:
    """The subscription, if this token may see it; else 404 (as if there were none: a rep's token
    can't even learn that another rep's subscription exists)."""
    sub = delivery.get_subscription(_store(request), subscription_id)
    if sub is None or not caller.may_see(sub.owner):
        raise _not_found("subscription", subscription_id)
    return sub


def _visible_channel(request: Request, caller: delivery.Principal, channel_id: str) -> delivery.Subscription:
    """The subscription a channel belongs to, if this token may see it; else 404."""
    sub = delivery.subscription_for_channel(_store(request), channel_id)
    if sub is None or not caller.may_see(sub.owner):
        raise _not_found("channel", channel_id)
    return sub


def _may_own(caller: delivery.Principal, owner: str) -> None:
    """403 when the token would give a subscription to an owner it may not act for."""
    if not caller.may_see(owner):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"this token is {caller.owner!r}'s: its subscriptions must have owner {caller.owner!r}",
        )


def _feed_url(request: Request, token: str) -> str:
    base = _settings(request).public_url or str(request.base_url)
    return f"{base.rstrip('/')}/feeds/{token}.atom"


def _out(request: Request, sub: delivery.Subscription) -> SubscriptionOut:
    data = sub.model_dump()
    feed_url = _feed_url(request, sub.feed_token) if sub.feed_token else None
    return SubscriptionOut(**data, feed_url=feed_url)


def _rejected(exc: Exception) -> HTTPException:
    """A 422 for a spec the delivery layer refused, its message redacted (it may quote a URL)."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=delivery.redact(str(exc)))


def _not_found(what: str, ident: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no {what} {ident!r}")


def _api_router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_token)], tags=["subscriptions"])

    @api.get("/subscriptions", response_model=list[SubscriptionOut])
    def list_subscriptions(
        request: Request,
        caller: Caller,
        owner: Annotated[str | None, Query(description="only this rep's")] = None,
    ) -> list[SubscriptionOut]:
        """Every subscription this token may see (a rep's token: its owner's; admin: all, or one
        owner's), with its channels and their health."""
        if not caller.admin:
            if owner is not None and owner != caller.owner:
                return []
            owner = caller.owner
        return [_out(request, s) for s in delivery.list_subscriptions(_store(request), owner=owner)]

    @api.post("/subscriptions", response_model=SubscriptionOut, status_code=status.HTTP_201_CREATED)
    def create_subscription(
        request: Request, caller: Caller, spec: delivery.SubscriptionSpec
    ) -> SubscriptionOut:
        """Create a subscription. The answer shows its private feed URL and any generated webhook
        secret once; keep them, later reads never show them. A rep's token creates its owner's only."""
        _may_own(caller, spec.owner)
        try:
            sub = delivery.create_subscription(_store(request), spec, **_settings(request).targets())
        except (ValueError, ConfigError) as exc:
            raise _rejected(exc) from None
        return _out(request, sub)

    @api.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
    def get_subscription(request: Request, caller: Caller, subscription_id: str) -> SubscriptionOut:
        """One subscription with its channels (secrets hidden)."""
        return _out(request, _visible_subscription(request, caller, subscription_id))

    @api.put("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
    def replace_subscription(
        request: Request, caller: Caller, subscription_id: str, spec: delivery.SubscriptionSpec
    ) -> SubscriptionOut:
        """Replace a subscription's name, owner, filters and channels. Channels are matched on kind,
        target and period: one that is sent again keeps its id and state."""
        store = _store(request)
        _visible_subscription(request, caller, subscription_id)
        _may_own(caller, spec.owner)
        try:
            sub = delivery.update_subscription(store, subscription_id, spec, **_settings(request).targets())
        except KeyError:
            raise _not_found("subscription", subscription_id) from None
        except (ValueError, ConfigError) as exc:
            raise _rejected(exc) from None
        return _out(request, sub)

    @api.patch(
        "/subscriptions/{subscription_id}",
        response_model=SubscriptionOut,
        openapi_extra={"requestBody": _patch_body_schema()},
    )
    def update_subscription(
        request: Request,
        caller: Caller,
        subscription_id: str,
        patch: Annotated[dict[str, Any], Body(media_type=MERGE_PATCH, include_in_schema=False)],
    ) -> SubscriptionOut:
        """Change a subscription with a JSON Merge Patch (RFC 7396, `application/merge-patch+json`;
        `application/json` is read the same way): members sent change, `filters` merges key by key,
        `null` resets a member, `channels` (if sent) replaces all channels."""
        store = _store(request)
        current = _visible_subscription(request, caller, subscription_id)
        document = {
            "name": current.name,
            "owner": current.owner,
            "filters": current.filters.model_dump(mode="json"),
        }
        merged = merge_patch(document, {k: v for k, v in patch.items() if k != "channels"})
        if "channels" in patch:
            merged["channels"] = patch["channels"] if patch["channels"] is not None else []
        try:
            spec = delivery.SubscriptionSpec.model_validate(merged)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
            ) from None
        _may_own(caller, spec.owner)
        try:
            if "channels" not in patch:
                sub = delivery.update_filters(
                    store, subscription_id, spec.filters, name=spec.name, owner=spec.owner
                )
            else:
                sub = delivery.update_subscription(
                    store, subscription_id, spec, **_settings(request).targets()
                )
        except KeyError:
            raise _not_found("subscription", subscription_id) from None
        except (ValueError, ConfigError) as exc:
            raise _rejected(exc) from None
        return _out(request, sub)

    @api.delete("/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
    def delete_subscription(request: Request, caller: Caller, subscription_id: str) -> Response:
        """Delete a subscription with its channels and pending deliveries."""
        _visible_subscription(request, caller, subscription_id)
        if not delivery.delete_subscription(_store(request), subscription_id):
            raise _not_found("subscription", subscription_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @api.post("/subscriptions/{subscription_id}/feed-token", response_model=FeedToken)
    def rotate_feed_token(request: Request, caller: Caller, subscription_id: str) -> FeedToken:
        """A new private feed URL for the subscription; the old one stops working."""
        store = _store(request)
        _visible_subscription(request, caller, subscription_id)
        token = delivery.rotate_feed_token(store, subscription_id)
        return FeedToken(feed_token=token, feed_url=_feed_url(request, token))

    @api.get("/subscriptions/{subscription_id}/deliveries", response_model=list[delivery.Delivery])
    def list_deliveries(
        request: Request,
        caller: Caller,
        subscription_id: str,
        delivery_status: Annotated[delivery.DeliveryStatus | None, Query(alias="status")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[delivery.Delivery]:
        """What was sent (or is waiting, or gave up) for this subscription, newest first."""
        store = _store(request)
        _visible_subscription(request, caller, subscription_id)
        return delivery.list_deliveries(
            store, subscription_id=subscription_id, status=delivery_status, limit=limit
        )

    @api.post(
        "/subscriptions/{subscription_id}/channels",
        response_model=delivery.Channel,
        status_code=status.HTTP_201_CREATED,
    )
    def add_channel(
        request: Request, caller: Caller, subscription_id: str, spec: delivery.ChannelSpec
    ) -> delivery.Channel:
        """Add a channel (Slack webhook, signed JSON webhook or email digest) to a subscription."""
        store = _store(request)
        _visible_subscription(request, caller, subscription_id)
        try:
            return delivery.add_channel(store, subscription_id, spec, **_settings(request).targets())
        except KeyError:
            raise _not_found("subscription", subscription_id) from None
        except (ValueError, ConfigError) as exc:
            raise _rejected(exc) from None

    @api.get("/channels", response_model=list[ChannelHealth])
    def channel_health(
        request: Request,
        caller: Caller,
        disabled: Annotated[bool | None, Query(description="only disabled (true) or enabled (false)")] = None,
    ) -> list[ChannelHealth]:
        """The health of every channel this token may see: disabled endpoints, why and since when,
        and failure counts."""
        out = []
        owner = None if caller.admin else caller.owner
        for sub in delivery.list_subscriptions(_store(request), owner=owner):
            for channel in sub.channels:
                if disabled is None or channel.disabled == disabled:
                    out.append(
                        ChannelHealth(
                            subscription_id=sub.subscription_id,
                            subscription_name=sub.name,
                            owner=sub.owner,
                            channel=channel,
                        )
                    )
        return out

    @api.delete("/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
    def remove_channel(request: Request, caller: Caller, channel_id: str) -> Response:
        """Remove a channel and its pending deliveries."""
        _visible_channel(request, caller, channel_id)
        if not delivery.remove_channel(_store(request), channel_id):
            raise _not_found("channel", channel_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @api.post("/channels/{channel_id}/enable", response_model=delivery.Channel)
    def enable_channel(request: Request, caller: Caller, channel_id: str) -> delivery.Channel:
        """Switch a channel back on (e.g. after the endpoint was fixed) and reset its failure counts."""
        _visible_channel(request, caller, channel_id)
        try:
            return delivery.enable_channel(_store(request), channel_id)
        except (KeyError, LookupError):
            raise _not_found("channel", channel_id) from None

    @api.post("/channels/{channel_id}/disable", response_model=delivery.Channel)
    def disable_channel(
        request: Request, caller: Caller, channel_id: str, body: DisableRequest
    ) -> delivery.Channel:
        """Switch a channel off by hand; its deliveries wait until it is enabled again."""
        _visible_channel(request, caller, channel_id)
        try:
            return delivery.disable_channel(_store(request), channel_id, body.reason)
        except (KeyError, LookupError):
            raise _not_found("channel", channel_id) from None

    @api.post("/channels/{channel_id}/replay", response_model=Replayed)
    def replay_channel(
        request: Request,
        caller: Caller,
        channel_id: str,
        since: Annotated[
            datetime | None, Query(description="only deliveries created at or after this time (ISO 8601)")
        ] = None,
    ) -> Replayed:
        """Send a channel's dead deliveries again (each with a fresh set of attempts, the same
        Idempotency-Key); the delivery loop or the next run sends them. 409 if the channel is
        disabled: enable it first."""
        _visible_channel(request, caller, channel_id)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        try:
            count = delivery.replay_dead(_store(request), channel_id, since=since)
        except KeyError:
            raise _not_found("channel", channel_id) from None
        except ValueError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, detail=delivery.redact(str(exc))) from None
        return Replayed(channel_id=channel_id, requeued=count)

    return api


def _feeds_router() -> APIRouter:
    feeds = APIRouter(tags=["feeds"])

    @feeds.get(
        "/feeds/{token}.atom",
        response_class=Response,
        responses={200: {"content": {"application/atom+xml": {}}}, 404: {"description": "no such feed"}},
    )
    def subscription_feed(request: Request, token: str) -> Response:
        """A subscription's private Atom feed; the secret token in the URL is its only authorisation."""
        store = _store(request)
        sub = delivery.subscription_for_feed_token(store, token)
        if sub is None:
            # The same answer for a wrong and a revoked token; nothing about the token is echoed.
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such feed")
        alerts = delivery.feed_alerts(store, sub, limit=_settings(request).feed_entries)
        body = delivery.render_atom(sub, alerts, feed_url=_feed_url(request, token))
        return Response(
            content=body,
            media_type="application/atom+xml; charset=utf-8",
            headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
        )

    return feeds


# -- the web page ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class WebViewer:
    """Who looks at the web page: `owner` None sees every row (a local browser, an admin token); a
    rep's token sees the rows of its owner's accounts only."""

    owner: str | None = None


def _web_viewer(request: Request) -> WebViewer | None:
    """Who may see the web page: a local browser (if trusted), or a live API token; None: nobody."""
    if _settings(request).trust_localhost and is_local_browser(request):
        return WebViewer()
    token = bearer_token(request) or request.cookies.get(TOKEN_COOKIE)
    principal = delivery.authenticate_api_token(_store(request), token) if token else None
    if principal is None:
        return None
    return WebViewer(owner=None if principal.admin else principal.owner)


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=_PAGE_HEADERS)


def _login_page(request: Request, error: str | None = None, status_code: int = 401) -> HTMLResponse:
    path = request.url.path
    return _page(request, "login.html", status_code=status_code, error=error, next=path)


def _known_segment(request: Request, name: str) -> Segment:
    settings = _settings(request)
    for segment in settings.segments:
        if segment.name == name:
            return segment
    if any(s.name == name for s in web.segment_summaries(_store(request), [])):
        return Segment(name=name, days=1)
    raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no segment {name!r}")


def _web_router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/", response_class=HTMLResponse)
    def index(request: Request) -> Response:
        viewer = _web_viewer(request)
        if viewer is None:
            return _login_page(request)
        store = _store(request)
        segments = web.segment_summaries(store, _settings(request).segments, owner=viewer.owner)
        triggers = web.latest_triggers(store, _settings(request).latest_triggers, owner=viewer.owner)
        return _page(
            request,
            "index.html",
            segments=segments,
            triggers=triggers,
            total_rows=sum(s.count for s in segments),
        )

    # Registered before /segments/{name} so "x.csv" is the download, not a segment called "x.csv".
    @pages.get("/segments/{name}.csv")
    def segment_csv(request: Request, name: str) -> Response:
        viewer = _web_viewer(request)
        if viewer is None:
            return _login_page(request)
        segment = _known_segment(request, name)
        text = render_csv(web.segment_rows(_store(request), segment.name, owner=viewer.owner))
        return Response(
            content=text.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{segment.name}.csv"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @pages.get("/segments/{name}", response_class=HTMLResponse)
    def segment_page(request: Request, name: str) -> Response:
        viewer = _web_viewer(request)
        if viewer is None:
            return _login_page(request)
        segment = _known_segment(request, name)
        rows = web.segment_rows(_store(request), segment.name, owner=viewer.owner)
        return _page(request, "segment.html", segment=segment, rows=rows)

    @pages.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return _page(request, "login.html", error=None, next="/")

    @pages.post("/login")
    async def login(request: Request) -> Response:
        # A urlencoded form, parsed here: one field, and no multipart parser needed.
        form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=10)
        token = (form.get("token") or [""])[0].strip()
        target = (form.get("next") or ["/"])[0]
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = "/"  # never an open redirect
        if not token or delivery.authenticate_api_token(_store(request), token) is None:
            return _login_page(request, error="That token is not valid (or was revoked).")
        response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
        secure = request.url.scheme == "https" or (_settings(request).public_url or "").startswith("https:")
        response.set_cookie(
            TOKEN_COOKIE,
            token,
            max_age=_COOKIE_MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/",
        )
        return response

    @pages.get("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
        response.delete_cookie(TOKEN_COOKIE, path="/")
        return response

    return pages


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 with where and what is wrong, but never the submitted values (they may hold secrets)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors
    ]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def create_app(settings: ServeSettings, store: Store | None = None) -> FastAPI:
    """The server as an ASGI app. Opens (and migrates) the store unless one is given; closes what it opened."""
    opened = store or Store(settings.store_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task: asyncio.Task[None] | None = None
        if settings.deliver_every:
            service = settings.delivery.service(opened, **settings.delivery_options)
            task = asyncio.create_task(service.run_forever(settings.deliver_every, stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task  # the pass in progress finishes; the loop then sees `stop`
            if store is None:
                opened.close()

    app = FastAPI(
        title="buysignal",
        summary="Subscriptions to buying-trigger alerts, private Atom feeds and campaign segments.",
        version="1",
        lifespan=lifespan,
        exception_handlers={RequestValidationError: _validation_error},
        # Over the limit -> 413 before the body is parsed (a declared Content-Length is refused unread).
        max_body_size=settings.max_body_bytes,
    )
    # The store's engine hides statement parameters (a webhook secret, a token hash) from errors.
    app.state.store = opened
    app.state.settings = settings
    app.state.templates = web.template_environment()

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the server answers (no authentication, no data)."""
        return {"status": "ok"}

    app.include_router(_api_router())
    app.include_router(_feeds_router())
    app.include_router(_web_router())
    return app
