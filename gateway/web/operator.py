"""The operator listener: ``/healthz``, ``/readyz``, ``/metrics`` and the admin API.

It listens apart from carriers (127.0.0.1:8080 by default) and every admin route needs an operator
token; ``viewer`` may read, ``admin`` may also change (reprocess, redrive, account status). Each
read of a receipt and each change is written to the audit table with the operator's name: receipts
lead to personal data, and who looked at what must be answerable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.accounts import token_digest
from gateway.answers import receipt_document
from gateway.compliance.certification import EvidenceError, check_evidence
from gateway.compliance.exports import scorecards_csv, scorecards_json
from gateway.compliance.schedule import ScheduleError, parse_schedule
from gateway.compliance.scorecards import Period
from gateway.compliance.service import Compliance, PeriodError, parse_period
from gateway.metrics import Metrics
from gateway.profiles import load_profile
from gateway.screening.screener import AllowList
from gateway.store import Store
from gateway.web.dashboard import Dashboard
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
                 channels: Callable[[], dict[str, bool]], reprocess: Callable[[str, str], Awaitable[bool]],
                 compliance: Compliance | None = None, allow: AllowList | None = None) -> web.Application:
    app = web.Application()
    compliance = compliance or Compliance(store, load_profile)

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
    add_compliance_routes(app, store, compliance, guarded)
    add_screening_routes(app, store, allow if allow is not None else AllowList(), guarded)
    Dashboard(store, operators.users, compliance).mount(app)
    return app


class _SuppressionRequest(msgspec.Struct, forbid_unknown_fields=True):
    identity: str  # the traveller's identity digest, as a hit carries it (never a name)
    list: str
    entry_id: str
    reason: str


def add_screening_routes(app: web.Application, store: Store, allow: AllowList,
                         guarded: Callable[[str, Callable[[web.Request, str], Awaitable[web.StreamResponse]]], Handler]) -> None:
    """The analysts' allow-list: "this traveller is not this listed person", keyed by the traveller's
    identity digest and the list entry, stored and audited in one commit, effective at once."""

    async def add(request: web.Request, operator: str) -> web.Response:
        try:
            body = msgspec.json.decode(await request.read(), type=_SuppressionRequest)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            return _problem(400, "bad-request", f'send {{"identity", "list", "entry_id", "reason"}}: {error}')
        if not (body.identity and body.list and body.entry_id and body.reason.strip()):
            return _problem(400, "bad-request", "identity, list, entry_id and a reason are all required")
        created = await store.suppress(body.identity, body.list, body.entry_id, f"operator:{operator}", body.reason)
        allow.add(body.identity, body.list, body.entry_id)
        return web.Response(status=201 if created else 200, body=msgspec.json.encode(
            {"identity": body.identity, "list": body.list, "entry_id": body.entry_id, "created": created}),
            content_type="application/json")

    async def listed(request: web.Request, operator: str) -> web.Response:
        return _json(await store.suppressions())

    app.router.add_post("/v1/screening/suppressions", guarded("admin", add))
    app.router.add_get("/v1/screening/suppressions", guarded("viewer", listed))


def add_compliance_routes(app: web.Application, store: Store, compliance: Compliance,
                          guarded: Callable[[str, Callable[[web.Request, str], Awaitable[web.StreamResponse]]], Handler]) -> None:
    """Scorecards, flight ledgers, schedule imports and certification on evidence (gateway.compliance)."""

    def period_of(request: web.Request) -> Period:
        return parse_period(request.query.get("period") or datetime.now(UTC).strftime("%Y-%m"))

    async def scorecards(request: web.Request, operator: str) -> web.Response:
        try:
            period = period_of(request)
        except PeriodError as error:
            return _problem(400, "bad-request", str(error))
        carrier = request.query.get("carrier")
        cards = await compliance.scorecards(period, carrier=carrier.upper() if carrier else None)
        if request.query.get("format") == "csv":
            return web.Response(text=scorecards_csv(cards), content_type="text/csv")
        return web.Response(body=scorecards_json(cards), content_type="application/json")

    async def flights(request: web.Request, operator: str) -> web.Response:
        try:
            period = period_of(request)
        except PeriodError as error:
            return _problem(400, "bad-request", str(error))
        carrier = request.query.get("carrier")
        ledgers = await compliance.ledger(period, datetime.now(UTC), carrier.upper() if carrier else None)
        return _json([{"key": f.key, **msgspec.structs.asdict(f)} for f in ledgers])

    async def import_schedule(request: web.Request, operator: str) -> web.Response:
        carrier = (request.query.get("carrier") or "").upper()
        if not carrier:
            return _problem(400, "bad-request", "name the carrier: ?carrier=XX")
        try:
            parsed = parse_schedule((await request.read()).decode("utf-8"), carrier=carrier, source="api")
        except (ScheduleError, UnicodeDecodeError, ValueError) as error:
            return _problem(400, "bad-request", str(error))
        return _json({"carrier": carrier, "imported": await store.save_schedule(parsed, f"operator:{operator}")})

    async def certify(request: web.Request, operator: str) -> web.Response:
        account = request.match_info["account"]
        if await store.account(account) is None:
            return _problem(404, "not-found", f"no account {account}")
        try:
            evidence = await check_evidence(store, account, await request.read(), f"operator:{operator}")
            recorded = await store.certify(evidence)
        except EvidenceError as error:
            body = {"type": "urn:paxgate:problem:evidence-rejected", "title": "Evidence rejected", "status": 422,
                    "detail": str(error), "problems": error.problems}
            return web.Response(status=422, content_type="application/problem+json", body=msgspec.json.encode(body))
        except ValueError as error:  # the run was used before
            return _problem(409, "conflict", str(error))
        if recorded is None:
            return _problem(404, "not-found", f"no account {account}")
        return _json(msgspec.structs.asdict(recorded))

    async def certifications(request: web.Request, operator: str) -> web.Response:
        account = request.match_info["account"]
        if await store.account(account) is None:
            return _problem(404, "not-found", f"no account {account}")
        return _json([msgspec.structs.asdict(c) for c in await store.certifications(account)])

    app.router.add_get("/v1/compliance/scorecards", guarded("viewer", scorecards))
    app.router.add_get("/v1/compliance/flights", guarded("viewer", flights))
    app.router.add_post("/v1/compliance/schedules", guarded("admin", import_schedule))
    app.router.add_post("/v1/accounts/{account}/certify", guarded("admin", certify))
    app.router.add_get("/v1/accounts/{account}/certifications", guarded("viewer", certifications))
