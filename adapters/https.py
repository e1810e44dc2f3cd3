"""The carrier HTTPS listener: ``POST /v1/messages`` in, the acknowledgement out (DESIGN.md §6.6, §6.10).

Thin by design: it authenticates the caller (bearer token or TLS client certificate), enforces the
transport limits (type, size, slow bodies, rate) and hands the bytes to the pipeline. Everything the
answer says comes from the pipeline's committed receipt. HTTP status rules: a stored message gets
200 with its acknowledgement, even a rejecting one or a duplicate's; 4xx only when nothing was
stored (401/403 auth, 408 slow body, 413 size, 415 type, 429 rate), as RFC 9457 problem details.
"""

from __future__ import annotations

import asyncio
import ssl

import msgspec
import structlog
from aiohttp import web

from gateway.accounts import Refusal, token_digest
from gateway.answers import ACK_MEDIA_TYPE, acknowledgement_bytes, receipt_document
from gateway.config import HttpsConfig
from gateway.limits import RateLimiter
from gateway.pipeline import Overloaded, Pipeline, ProcessingFailed
from gateway.store import AccountRecord, Store
from gateway.tls import der_fingerprint
from gateway.web.openapi import openapi_document

log = structlog.get_logger("paxgate.https")

ACCEPTED_TYPES = frozenset({"application/edifact", "application/edi-x12", "text/plain", "application/octet-stream",
                            "application/xml", "text/xml"})
_ACCOUNT = web.AppKey("account", AccountRecord)


def problem(status: int, kind: str, title: str, detail: str, **extra: object) -> web.Response:
    body = {"type": f"urn:paxgate:problem:{kind}", "title": title, "status": status, "detail": detail, **extra}
    return web.Response(status=status, body=msgspec.json.encode(body), content_type="application/problem+json")


def carrier_app(pipeline: Pipeline, store: Store, config: HttpsConfig, limiter: RateLimiter) -> web.Application:
    app = web.Application(client_max_size=config.max_body_bytes)
    handler = _Handlers(pipeline, store, config, limiter)
    app.router.add_post("/v1/messages", handler.submit)
    app.router.add_get("/v1/messages/{receipt}", handler.show)
    app.router.add_get("/healthz", handler.health)
    app.router.add_get("/v1/openapi.json", handler.openapi)
    return app


class _Handlers:
    def __init__(self, pipeline: Pipeline, store: Store, config: HttpsConfig, limiter: RateLimiter) -> None:
        self.pipeline, self.store, self.config, self.limiter = pipeline, store, config, limiter
        self.document = openapi_document("carrier")

    async def openapi(self, request: web.Request) -> web.Response:
        return web.Response(body=self.document, content_type="application/json")

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _authenticate(self, request: web.Request) -> AccountRecord:
        header = request.headers.get("Authorization", "")
        by_token = by_certificate = None
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Refusal(401, "unauthenticated", "Authentication required", "use 'Authorization: Bearer <token>'")
            by_token = await self.store.account_by_token(token_digest(token.strip()))
            if by_token is None:
                raise Refusal(401, "unauthenticated", "Authentication failed", "the bearer token is not known")
        transport = request.transport
        tls = transport.get_extra_info("ssl_object") if transport is not None else None
        der = tls.getpeercert(binary_form=True) if isinstance(tls, ssl.SSLObject) else None
        if der:
            by_certificate = await self.store.account_by_certificate(der_fingerprint(der))
            if by_certificate is None and by_token is None:
                raise Refusal(401, "unauthenticated", "Authentication failed",
                              "the client certificate is valid but belongs to no account")
        if by_token and by_certificate and by_token.name != by_certificate.name:
            raise Refusal(401, "unauthenticated", "Authentication failed",
                          "the bearer token and the client certificate belong to different accounts")
        account = by_token or by_certificate
        if account is None:
            raise Refusal(401, "unauthenticated", "Authentication required",
                          "send 'Authorization: Bearer <token>' or a client certificate registered for your account")
        return account

    async def submit(self, request: web.Request) -> web.StreamResponse:
        try:
            account = await self._authenticate(request)
            wait = self.limiter.allow(account.name)
            if wait is not None:
                self.pipeline.metrics.refused.labels("https", "rate").inc()
                response = problem(429, "rate-limited", "Too many submissions",
                                   f"account {account.name} may send {self.config.rate_per_minute} messages per minute")
                response.headers["Retry-After"] = str(max(1, round(wait)))
                return response
            media = request.content_type
            if media not in ACCEPTED_TYPES:
                raise Refusal(415, "unsupported-media-type", "Unsupported media type",
                              f"send EDIFACT as application/edifact or text/plain, XML as application/xml, not {media}")
            if request.content_length is not None and request.content_length > self.config.max_body_bytes:
                raise Refusal(413, "too-large", "Message too large",
                              f"{request.content_length} bytes; the limit is {self.config.max_body_bytes}")
            try:
                async with asyncio.timeout(self.config.body_timeout_seconds):
                    payload = await request.read()
            except TimeoutError:
                raise Refusal(408, "body-timeout", "Request body too slow",
                              f"the whole body must arrive within {self.config.body_timeout_seconds:g} s") from None
            except web.HTTPRequestEntityTooLarge:
                raise Refusal(413, "too-large", "Message too large",
                              f"the body exceeds the limit of {self.config.max_body_bytes} bytes") from None
            if not payload:
                raise Refusal(400, "empty-body", "Empty message", "the request body holds no message")
            submitted = await self.pipeline.submit(account, "https", payload)
        except ProcessingFailed as failed:
            response = problem(503, "processing-failed", "Stored, not yet processed",
                               "the message was stored but could not be processed now; send the same bytes again to "
                               "get its acknowledgement (it will not be processed twice)", receipt=failed.receipt)
            response.headers["Retry-After"] = "5"
            return response
        except Overloaded:
            response = problem(503, "overloaded", "Too busy", "too many submissions are being processed; try again shortly")
            response.headers["Retry-After"] = "1"
            return response
        except Refusal as refusal:
            self.pipeline.metrics.refused.labels("https", refusal.kind).inc()
            log.warning("submission_refused", channel="https", status=refusal.status, reason=refusal.kind)
            return problem(refusal.status, refusal.kind, refusal.title, refusal.detail)
        receipt, new, acks = submitted.receipt, submitted.new, list(submitted.acks)
        headers = {"X-Paxgate-Receipt": receipt.id, "Location": f"/v1/messages/{receipt.id}",
                   "X-Paxgate-Verdict": receipt.verdict or "", "X-Paxgate-Replayed": "false" if new else "true"}
        if _wants_json(request) or not acks:
            document = receipt_document(receipt, acks, replayed=not new)
            return web.Response(body=msgspec.json.encode(document), content_type="application/json", headers=headers)
        # an interactive request waits for its CUSRES (the directive); its CONTRL stays in GET and JSON
        answer = [a for a in acks if a.kind == "cusres"] or acks
        return web.Response(body=acknowledgement_bytes(answer), content_type=ACK_MEDIA_TYPE, headers=headers)

    async def show(self, request: web.Request) -> web.Response:
        try:
            account = await self._authenticate(request)
        except Refusal as refusal:
            return problem(refusal.status, refusal.kind, refusal.title, refusal.detail)
        receipt = await self.store.receipt(request.match_info["receipt"])
        if receipt is None or receipt.account != account.name:  # another account's receipt does not exist for you
            return problem(404, "not-found", "No such receipt", "no receipt with this id belongs to your account")
        await self.store.audit(f"carrier:{account.name}", "receipt_viewed", receipt.id, {"channel": "https"})
        acks = await self.store.acknowledgements(receipt.id)
        events = await self.store.events(receipt.id)
        return web.Response(body=msgspec.json.encode(receipt_document(receipt, acks, events=events)),
                            content_type="application/json")


def _wants_json(request: web.Request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept or "application/problem+json" in accept
