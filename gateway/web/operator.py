"""The operator listener: ``/healthz``, ``/readyz``, ``/metrics`` and the admin API.

It listens apart from carriers (127.0.0.1:8080 by default) and every admin route needs an operator
token; ``viewer`` may read, ``admin`` may also change (reprocess, redrive, account status). Each
read of a receipt and each change is written to the audit table with the operator's name: receipts
lead to personal data, and who looked at what must be answerable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import msgspec
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.accounts import token_digest
from gateway.answers import receipt_document
from gateway.metrics import Metrics
from gateway.store import Store
from gateway.web.openapi import openapi_document

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATUSES = ("testing", "certified", "suspended")


class Operators:
    """Operator tokens (by SHA-256 digest) → (name, role)."""

    def __init__(self, users: dict[str, tuple[str, str]]) -> None:
        self.users = users

    def identify(self, request: web.Request) -> tuple[str, str] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.users.get(token_digest(token.strip()))


def _problem(status: int, kind: str, detail: str) -> web.Response:
    body = {"type": f"urn:paxgate:problem:{kind}", "title": kind.replace("-", " ").capitalize(), "status": status,
            "detail": detail}
    return web.Response(status=status, content_type="application/problem+json", body=msgspec.json.encode(body))


def _json(value: object) -> web.Response:
    return web.Response(body=msgspec.json.encode(value), content_type="application/json")


def operator_app(store: Store, metrics: Metrics, operators: Operators, *, ready: Callable[[], Awaitable[dict[str, bool]]],
                 channels: Callable[[], dict[str, bool]], reprocess: Callable[[str, str], Awaitable[bool]]) -> web.Application:
    app = web.Application()

    def guarded(role: str, handler: Callable[[web.Request, str], Awaitable[web.StreamResponse]]) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            who = operators.identify(request)
            if who is None:
                return _problem(401, "unauthenticated", "send 'Authorization: Bearer <operator token>'")
            name, has = who
            if role == "admin" and has != "admin":
                return _problem(403, "forbidden", f"operator {name} has role {has}; this needs admin")
            return await handler(request, name)
        return wrapped

    async def healthz(request: web.Request) -> web.Response:
        return _json({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        checks = await ready()
        body = {"status": "ready" if all(checks.values()) else "not_ready", "checks": checks, "channels": channels()}
        return web.Response(status=200 if all(checks.values()) else 503, body=msgspec.json.encode(body),
                            content_type="application/json")

    async def metrics_view(request: web.Request) -> web.Response:
        for state, count in (await store.outbox_depth()).items():
            metrics.outbox.labels(state).set(count)
        return web.Response(body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def list_receipts(request: web.Request, operator: str) -> web.Response:
        try:
            limit = max(1, min(int(request.query.get("limit", "100")), 1000))
        except ValueError:
            return _problem(400, "bad-request", "limit must be a whole number")
        receipts = await store.receipts(account=request.query.get("account"), state=request.query.get("state"), limit=limit)
        return _json([{k: v for k, v in receipt_document(r, []).items() if k not in ("findings", "acknowledgements")}
                      for r in receipts])

    async def show_receipt(request: web.Request, operator: str) -> web.Response:
        receipt_id = request.match_info["receipt"]
        receipt = await store.receipt(receipt_id)
        if receipt is None:
            return _problem(404, "not-found", f"no receipt {receipt_id}")
        await store.audit(f"operator:{operator}", "receipt_viewed", receipt_id, {})
        acks, events, deliveries = await asyncio.gather(store.acknowledgements(receipt_id), store.events(receipt_id),
                                                        store.deliveries(receipt_id))
        return _json(receipt_document(receipt, acks, events=events, deliveries=deliveries))

    async def reprocess_receipt(request: web.Request, operator: str) -> web.Response:
        receipt_id = request.match_info["receipt"]
        if await store.receipt(receipt_id) is None:
            return _problem(404, "not-found", f"no receipt {receipt_id}")
        done = await reprocess(receipt_id, f"operator:{operator}")
        return _json({"receipt": receipt_id, "reprocessed": done})

    async def redrive_receipt(request: web.Request, operator: str) -> web.Response:
        count = await store.redrive(request.match_info["receipt"], f"operator:{operator}")
        return _json({"redriven": count})

    async def redrive_all(request: web.Request, operator: str) -> web.Response:
        return _json({"redriven": await store.redrive(None, f"operator:{operator}")})

    async def list_accounts(request: web.Request, operator: str) -> web.Response:
        accounts = await store.accounts()
        return _json([{k: v for k, v in msgspec.structs.asdict(a).items() if k != "token_sha256"} for a in accounts])

    async def set_status(request: web.Request, operator: str) -> web.Response:
        try:
            body = msgspec.json.decode(await request.read())
            status = body["status"]
        except (msgspec.DecodeError, KeyError, TypeError):
            return _problem(400, "bad-request", 'send {"status": "testing" | "certified" | "suspended"}')
        if status not in STATUSES:
            return _problem(400, "bad-request", f"status must be one of {', '.join(STATUSES)}")
        account = await store.set_account_status(request.match_info["account"], status, f"operator:{operator}")
        if account is None:
            return _problem(404, "not-found", f"no account {request.match_info['account']}")
        return _json({"account": account.name, "status": account.status})

    document = openapi_document("operator")

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(body=document, content_type="application/json")

    app.router.add_get("/v1/openapi.json", openapi)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)
    app.router.add_get("/v1/receipts", guarded("viewer", list_receipts))
    app.router.add_get("/v1/receipts/{receipt}", guarded("viewer", show_receipt))
    app.router.add_post("/v1/receipts/{receipt}/reprocess", guarded("admin", reprocess_receipt))
    app.router.add_post("/v1/receipts/{receipt}/redrive", guarded("admin", redrive_receipt))
    app.router.add_post("/v1/outbox/redrive", guarded("admin", redrive_all))
    app.router.add_get("/v1/accounts", guarded("viewer", list_accounts))
    app.router.add_post("/v1/accounts/{account}/status", guarded("admin", set_status))
    return app
