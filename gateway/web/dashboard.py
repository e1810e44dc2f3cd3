"""The compliance dashboard, served on the operator listener under ``/dashboard/``.

Four views — carriers overview, one carrier's scorecard, one flight's timeline, one receipt's
findings — rendered on the server as plain HTML with inline SVG charts: no scripts at all (the
Content-Security-Policy forbids them), no CDN, nothing fetched from elsewhere.

Login: an operator signs in with the operator token the config already gives them (no second kind
of secret to issue, store, rotate or leak; a deployment that wants single sign-on puts its identity
proxy in front). The token is compared by SHA-256 digest, then forgotten; the browser gets a random
session id in a cookie that is HttpOnly, SameSite=Strict, Path=/dashboard and Secure when served
over HTTPS. Sessions live in this process's memory (a restart signs everyone out), expire after 30
idle minutes and 8 hours in all. Every POST carries the session's CSRF token in a form field and is
refused when the Origin header names another site; the login form uses a double-submit cookie.
Repeated failed logins from one address are slowed to a stop (429).

Roles: ``viewer`` (engagement staff) sees figures, flights, receipt metadata and finding codes with
the catalogue's explanation — never a traveller's data. ``admin`` may also read findings' own
messages (they can quote values from the message; each such view is audited) and certify carriers.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from aiohttp import web

from gateway.accounts import token_digest
from gateway.compliance.certification import EvidenceError, check_evidence
from gateway.compliance.flights import parse_stamp
from gateway.compliance.ledger import FlightLedger
from gateway.compliance.scorecards import Period, Scorecard, explain
from gateway.compliance.service import Compliance, PeriodError, parse_period
from gateway.store.base import Store
from gateway.web import charts

SESSION_COOKIE = "paxgate_session"
LOGIN_COOKIE = "paxgate_login"
IDLE = timedelta(minutes=30)
LIFETIME = timedelta(hours=8)
FAILURES, FAILURE_WINDOW_S = 5, 300.0
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'")
_STYLE = """body{font:14px system-ui,sans-serif;margin:0;color:#1c2833}header{background:#0d2c54;color:#fff;padding:8px 16px;
display:flex;gap:16px;align-items:center}header a{color:#fff}main{padding:16px;max-width:1100px}table{border-collapse:collapse;
margin:8px 0}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}.figure{display:inline-block;margin:0 24px 8px 0}
.figure b{display:block;font-size:22px}.status{padding:1px 6px;border-radius:3px;color:#fff}.error{color:#b71c1c}
form.inline{display:inline}textarea{width:100%;height:120px}"""


@dataclass
class Session:
    name: str
    role: str
    csrf: str
    created: float
    seen: float


@dataclass
class Sessions:
    """Signed-in operators by session id (random, 256 bits), in memory."""

    items: dict[str, Session] = field(default_factory=dict)
    failures: dict[str, list[float]] = field(default_factory=dict)

    def open(self, name: str, role: str) -> tuple[str, Session]:
        now = time.monotonic()
        self.items = {k: s for k, s in self.items.items() if not self._expired(s, now)}
        sid = secrets.token_urlsafe(32)
        session = self.items[sid] = Session(name, role, secrets.token_urlsafe(32), now, now)
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        session = self.items.get(sid or "")
        now = time.monotonic()
        if session is None or self._expired(session, now):
            self.items.pop(sid or "", None)
            return None
        session.seen = now
        return session

    @staticmethod
    def _expired(session: Session, now: float) -> bool:
        return now - session.seen > IDLE.total_seconds() or now - session.created > LIFETIME.total_seconds()

    def throttled(self, remote: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self.failures.get(remote, []) if now - t < FAILURE_WINDOW_S]
        self.failures[remote] = recent
        return len(recent) >= FAILURES

    def failed(self, remote: str) -> None:
        self.failures.setdefault(remote, []).append(time.monotonic())


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _status(status: str) -> str:
    return f'<span class="status {escape(status)}" style="background:{charts.colour(status)}">{escape(status)}</span>'


def _when(stamp: str | None) -> str:
    return escape(stamp[:16].replace("T", " ") + " UTC") if stamp else "—"


def _page(title: str, body: str, session: Session | None) -> web.Response:
    nav = ""
    if session is not None:
        nav = (f'<a href="/dashboard/">Carriers</a><span style="flex:1"></span><span>{escape(session.name)} '
               f'({escape(session.role)})</span><form class="inline" method="post" action="/dashboard/logout">'
               f'<input type="hidden" name="csrf" value="{escape(session.csrf)}"><button>Sign out</button></form>')
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · paxgate</title>'
            f'<meta name="viewport" content="width=device-width"><style>{_STYLE}</style></head><body>'
            f'<header><strong>paxgate compliance</strong>{nav}</header><main><h1>{escape(title)}</h1>{body}</main></body></html>')
    return web.Response(text=html, content_type="text/html", headers=_headers())


def _headers() -> dict[str, str]:
    """Referrer-Policy same-origin, not no-referrer: under no-referrer Chromium sends ``Origin: null``
    on our own form posts, which the CSRF check must refuse."""
    return {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store", "X-Frame-Options": "DENY"}


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None  # a form post without Origin (old browsers) relies on the CSRF token alone
    return origin.split("://", 1)[-1] == request.host


Page = Callable[[web.Request, Session], Awaitable[web.StreamResponse]]


class Dashboard:
    def __init__(self, store: Store, users: dict[str, tuple[str, str]], compliance: Compliance) -> None:
        self.store = store
        self.users = users  # token digest → (name, role), as the admin API's Operators
        self.compliance = compliance
        self.sessions = Sessions()

    def mount(self, app: web.Application) -> None:
        router = app.router
        router.add_get("/dashboard/login", self.login_form)
        router.add_post("/dashboard/login", self.login)
        router.add_post("/dashboard/logout", self._signed(self.logout, post=True))
        router.add_get("/dashboard/", self._signed(self.overview))
        router.add_get("/dashboard/carriers/{carrier}", self._signed(self.carrier))
        router.add_get("/dashboard/flights/{carrier}/{flight}", self._signed(self.flight))
        router.add_get("/dashboard/receipts/{receipt}", self._signed(self.receipt))
        router.add_post("/dashboard/accounts/{account}/certify", self._signed(self.certify, post=True, role="admin"))

    def _signed(self, page: Page, *, post: bool = False, role: str = "viewer") -> Callable[[web.Request], Awaitable[Any]]:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
            if session is None:
                if post:
                    return _page("Signed out", "<p>Your session ended. <a href='/dashboard/login'>Sign in</a>.</p>", None)
                raise web.HTTPSeeOther("/dashboard/login?" + urlencode({"next": request.path_qs}))
            if post:
                form = await request.post()
                if not _same_origin(request) or not secrets.compare_digest(str(form.get("csrf", "")), session.csrf):
                    return web.Response(status=403, text="cross-site request refused", headers=_headers())
            if role == "admin" and session.role != "admin":
                return web.Response(status=403, text=f"operator {session.name} has role {session.role}; this needs admin",
                                    headers=_headers())
            return await page(request, session)
        return wrapped

    # --- login ------------------------------------------------------------------------------------------------------
    async def login_form(self, request: web.Request, error: str = "") -> web.Response:
        nonce = secrets.token_urlsafe(24)
        target = request.query.get("next", "/dashboard/")
        body = (f'{f"<p class=error>{escape(error)}</p>" if error else ""}'
                '<form method="post" action="/dashboard/login"><label>Operator token '
                '<input type="password" name="token" autocomplete="current-password" required></label>'
                f'<input type="hidden" name="nonce" value="{nonce}"><input type="hidden" name="next" value="{escape(target)}">'
                ' <button>Sign in</button></form><p>Use the operator token your administrator issued '
                '(<code>[[operator.users]]</code> in the gateway config).</p>')
        response = _page("Sign in", body, None)
        response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="Strict", path="/dashboard", secure=request.secure,
                            max_age=600)
        return response

    async def login(self, request: web.Request) -> web.Response:
        remote = request.remote or "?"
        if self.sessions.throttled(remote):
            return web.Response(status=429, text="too many failed sign-ins; wait a few minutes", headers=_headers())
        form = await request.post()
        nonce = str(form.get("nonce", ""))
        if not _same_origin(request) or not nonce or not secrets.compare_digest(nonce, request.cookies.get(LOGIN_COOKIE, "")):
            return web.Response(status=403, text="cross-site request refused", headers=_headers())
        who = self.users.get(token_digest(str(form.get("token", "")).strip()))
        if who is None:
            self.sessions.failed(remote)
            await self.store.audit("dashboard", "dashboard_login_failed", None, {"remote": remote})
            return await self.login_form(request, "That token is not an operator's.")
        sid, _ = self.sessions.open(*who)
        await self.store.audit(f"operator:{who[0]}", "dashboard_login", None, {"role": who[1]})
        target = str(form.get("next", "/dashboard/"))
        if not target.startswith("/dashboard/") or target.startswith("//"):
            target = "/dashboard/"
        response = web.HTTPSeeOther(target, headers=_headers())
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Strict", path="/dashboard", secure=request.secure)
        response.del_cookie(LOGIN_COOKIE, path="/dashboard")
        raise response

    async def logout(self, request: web.Request, session: Session) -> web.Response:
        self.sessions.items.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        response = web.HTTPSeeOther("/dashboard/login", headers=_headers())
        response.del_cookie(SESSION_COOKIE, path="/dashboard")
        raise response

    # --- views ------------------------------------------------------------------------------------------------------
    def _period(self, request: web.Request) -> Period:
        text = request.query.get("period") or datetime.now(UTC).strftime("%Y-%m")
        try:
            return parse_period(text)
        except PeriodError as error:
            raise web.HTTPBadRequest(text=str(error)) from None

    async def overview(self, request: web.Request, session: Session) -> web.Response:
        period = self._period(request)
        cards = await self.compliance.scorecards(period)
        q = urlencode({"period": period.label})
        rows = "".join(
            f'<tr><td><a href="/dashboard/carriers/{quote(c.carrier)}?{q}">{escape(c.carrier)}</a></td>'
            f'<td>{escape(c.status or "—")}</td><td>{c.flights}</td><td>{_pct(c.timeliness)}</td><td>{_pct(c.rejection)}</td>'
            f'<td>{_pct(c.sufficiency)}</td><td>{c.outcomes["late"]}</td><td>{c.outcomes["missing"] + c.outcomes["incomplete"]}'
            f'</td><td>{escape(c.findings[0].code) if c.findings else "—"}</td></tr>' for c in cards)
        chart = charts.bars([(c.carrier, c.timeliness) for c in cards], title=f"Timeliness by carrier, {period.label}")
        body = (self._period_form(period, "/dashboard/") + chart +
                "<table><tr><th>Carrier</th><th>Status</th><th>Flights</th><th>Timeliness</th><th>Rejection</th>"
                f"<th>Sufficiency</th><th>Late</th><th>Missing/incomplete</th><th>Top finding</th></tr>{rows}</table>")
        return _page(f"Carriers — {period.label}", body, session)

    @staticmethod
    def _period_form(period: Period, action: str) -> str:
        return (f'<form method="get" action="{escape(action)}">Period <input name="period" value="{escape(period.label)}" '
                'size="24"> <button>Show</button> <small>YYYY-MM, YYYY-Www, YYYY-MM-DD or FROM..TO</small></form>')

    async def carrier(self, request: web.Request, session: Session) -> web.Response:
        carrier = request.match_info["carrier"].upper()
        period = self._period(request)
        card = await self.compliance.scorecard(carrier, period)
        ledgers = await self.compliance.ledger(period, datetime.now(UTC), carrier)
        certifications = [c for name in card.accounts for c in await self.store.certifications(name)]
        body = self._period_form(period, f"/dashboard/carriers/{quote(carrier)}") + self._figures(card)
        body += charts.stacked(card.outcomes, title="Obligations by outcome")
        body += charts.bars([(p.day, p.timeliness) for p in card.trend], title="Timeliness by day of departure")
        body += charts.hbars(list(card.elements.items()), title="Data-element sufficiency (travellers with the element valid)")
        body += "<h2>Recurring findings</h2><table><tr><th>Code</th><th>Severity</th><th>Receipts</th><th>Times</th>" \
                "<th>What it means</th><th>Examples</th></tr>"
        for f in card.findings:
            examples = " ".join(f'<a href="/dashboard/receipts/{quote(r)}">{escape(r)}</a>' for r in f.examples)
            body += (f"<tr><td>{escape(f.code)}</td><td>{escape(f.severity)}</td><td>{f.receipts}</td><td>{f.count}</td>"
                     f"<td>{escape(f.title)}</td><td>{examples}</td></tr>")
        body += "</table><h2>Flights</h2><table><tr><th>Flight</th><th>Departure (UTC)</th><th>Route</th><th>Schedule</th>" \
                "<th>Obligations</th></tr>"
        for flight in ledgers:
            states = " ".join(f"{escape(e.obligation)} {_status(e.status)}" for e in flight.expectations)
            link = f"/dashboard/flights/{quote(carrier)}/{quote(flight.key, safe='@')}"
            body += (f'<tr><td><a href="{link}">{escape(flight.flight)}</a></td>'
                     f"<td>{_when(flight.departure_utc)}</td><td>{escape(flight.departure_airport or '?')}–"
                     f"{escape(flight.arrival_airport or '?')}</td><td>{'scheduled' if flight.scheduled else 'seen in traffic'}"
                     f"</td><td>{states}</td></tr>")
        body += "</table>" + self._certification_section(card, certifications, session)
        return _page(f"{carrier} — {period.label}", body, session)

    @staticmethod
    def _figures(card: Scorecard) -> str:
        def trend(now: float | None, before: float | None) -> str:
            if now is None or before is None:
                return ""
            return f" <small>({now - before:+.1f} vs previous)</small>"
        figures = (("Status", escape(card.status or "no account")), ("Flights", str(card.flights)),
                   ("Timeliness", _pct(card.timeliness) + trend(card.timeliness, card.previous_timeliness)),
                   ("Rejection", _pct(card.rejection) + trend(card.rejection, card.previous_rejection)),
                   ("Sufficiency", _pct(card.sufficiency)), ("Receipts", str(card.receipts)),
                   ("Duplicates", str(card.duplicate_receipts)), ("Pending", str(card.obligations_pending)))
        return "<div>" + "".join(f'<span class="figure">{label}<b>{value}</b></span>' for label, value in figures) + "</div>"

    @staticmethod
    def _certification_section(card: Scorecard, certifications: list[Any], session: Session) -> str:
        html = "<h2>Certification</h2>"
        if certifications:
            html += "<table><tr><th>When</th><th>Account</th><th>By</th><th>Run</th><th>Scenario set</th><th>Versions</th></tr>"
            for c in certifications:
                versions = ", ".join(f"{escape(k)} {escape(v)}" for k, v in sorted(c.versions.items()))
                html += (f"<tr><td>{_when(c.certified_at)}</td><td>{escape(c.account)}</td><td>{escape(c.certified_by)}</td>"
                         f"<td>{escape(c.run_id)}</td><td>{escape(c.scenario_set)}</td><td>{versions}</td></tr>")
            html += "</table>"
        else:
            html += "<p>No certification recorded.</p>"
        if session.role == "admin":
            for account in card.accounts:
                html += (f'<form method="post" action="/dashboard/accounts/{quote(account)}/certify">'
                         f'<input type="hidden" name="csrf" value="{escape(session.csrf)}"><p>Certify account '
                         f'<b>{escape(account)}</b> with a conformance run\'s JSON report:</p>'
                         '<textarea name="report" required></textarea><button>Check evidence and certify</button></form>')
        return html

    async def flight(self, request: web.Request, session: Session) -> web.Response:
        carrier, key = request.match_info["carrier"].upper(), request.match_info["flight"]
        designator, _, when = key.partition("@")
        try:
            departure = datetime.strptime(when, "%Y-%m-%dT%H%M").replace(tzinfo=UTC)
        except ValueError:
            raise web.HTTPNotFound(text=f"no flight {key}") from None
        day = Period(key, departure - timedelta(hours=1), departure + timedelta(hours=1))
        found = [f for f in await self.compliance.ledger(day, datetime.now(UTC), carrier, designator) if f.key == key]
        if not found:
            raise web.HTTPNotFound(text=f"no flight {key}")
        flight = found[0]
        body = (f"<p>{escape(flight.departure_airport or '?')} → {escape(flight.arrival_airport or '?')}, departs "
                f"{escape(flight.departure_local or '?')} local ({_when(flight.departure_utc)}); "
                f"{'scheduled' if flight.scheduled else 'first seen in traffic (no schedule names it)'}.</p>")
        body += self._timeline(flight)
        for e in flight.expectations:
            missing = ", ".join(f"part {n}" for n in e.missing_parts)
            if e.final_missing:
                missing = ", ".join(filter(None, (missing, "the final part")))
            body += (f"<h2>{escape(e.obligation)} {_status(e.status)}</h2><p>{escape(e.description)} — window "
                     f"{_when(e.opens_at)} to {_when(e.due_at)}"
                     f"{f'; completed {_when(e.completed_at)}' if e.completed_at else ''}"
                     f"{f'; <b class=missing>missing: {escape(missing)}</b>' if missing else ''}.</p>")
            if e.parts:
                body += "<table><tr><th>Received</th><th>Part</th><th>Status</th><th>Minutes vs departure</th>" \
                        "<th>Travellers</th><th>Verdict</th><th>Receipt</th></tr>"
                for p in e.parts:
                    body += (f"<tr><td>{_when(p.received_at)}</td><td>{p.sequence or 1}{' (final)' if p.final else ''}</td>"
                             f"<td>{_status(p.status)}</td><td>{p.minutes:+d}</td><td>{p.travellers}</td>"
                             f"<td>{escape(p.verdict)}</td><td><a href='/dashboard/receipts/{quote(p.receipt)}'>"
                             f"{escape(p.receipt)}</a></td></tr>")
                body += "</table>"
        if flight.sufficiency:
            body += charts.hbars([(k, round(100 * v / c, 1) if c else None) for k, (c, v) in sorted(flight.sufficiency.items())],
                                 title=f"Sufficiency on this flight ({flight.travellers} travellers)")
        return _page(f"{flight.flight} {_when(flight.departure_utc)}", body, session)

    @staticmethod
    def _timeline(flight: FlightLedger) -> str:
        rows = []
        for e in flight.expectations:
            dots = [(parse_stamp(p.received_at), p.status, f"part {p.sequence or 1} {p.status}") for p in e.parts]
            due = parse_stamp(e.due_at)
            dots += [(due, "missing", f"part {n} missing") for n in e.missing_parts]
            if e.status == "missing":
                dots.append((due, "missing", "nothing received"))
            rows.append((e.obligation, parse_stamp(e.opens_at), due, dots))
        return charts.timeline(rows, parse_stamp(flight.departure_utc), title=f"Messages for {flight.flight}")

    async def receipt(self, request: web.Request, session: Session) -> web.Response:
        receipt_id = request.match_info["receipt"]
        receipt = await self.store.receipt(receipt_id)
        if receipt is None:
            raise web.HTTPNotFound(text=f"no receipt {receipt_id}")
        detail = session.role == "admin"  # finding messages may quote the message's values
        await self.store.audit(f"operator:{session.name}", "receipt_viewed", receipt_id,
                               {"via": "dashboard", "finding_messages": detail})
        result: dict[str, Any] = msgspec.json.decode(receipt.result) if receipt.result else {}
        facts = (("Account", receipt.account), ("Channel", receipt.channel), ("Received", _when(receipt.received_at)),
                 ("Format", receipt.format or "—"), ("Verdict", receipt.verdict or receipt.state),
                 ("Messages", str(receipt.messages)), ("Travellers", str(receipt.travellers)), ("Size", f"{receipt.size} bytes"),
                 ("Duplicate", f"{receipt.duplicate} of {receipt.duplicate_of}" if receipt.duplicate else "no"),
                 ("Test traffic", "yes" if receipt.test else "no"))
        body = "<table>" + "".join(f"<tr><th>{label}</th><td>{escape(value) if label != 'Received' else value}</td></tr>"
                                   for label, value in facts) + "</table>"
        body += "<h2>Findings</h2><table><tr><th>Code</th><th>Severity</th><th>Where</th><th>What it means</th>" \
                f"{'<th>Message</th>' if detail else ''}</tr>"
        for f in result.get("findings", []):
            where = f.get("location", {})
            place = " ".join(str(v) for v in (f"message {where.get('message')}" if where.get("message") else "",
                                              where.get("segment_tag") or "",
                                              f"#{where['segment_position']}" if where.get("segment_position") else "",
                                              f"element {where['element']}" if where.get("element") else "") if v)
            said = f"<td>{escape(str(f.get('message', '')))}</td>" if detail else ""
            body += (f"<tr><td>{escape(f.get('code', ''))}</td><td>{escape(f.get('severity', ''))}</td><td>{escape(place)}</td>"
                     f"<td>{escape(explain(f.get('code', '')))}</td>{said}</tr>")
        body += "</table>"
        if not detail:
            body += "<p><small>Finding messages can quote values from the message; your role shows codes only.</small></p>"
        return _page(f"Receipt {receipt_id}", body, session)

    async def certify(self, request: web.Request, session: Session) -> web.Response:
        account = request.match_info["account"]
        form = await request.post()
        report = str(form.get("report", "")).encode()
        record = await self.store.account(account)
        if record is None:
            raise web.HTTPNotFound(text=f"no account {account}")
        carrier = record.carriers[0] if record.carriers else account
        try:
            certification = await check_evidence(self.store, account, report, f"operator:{session.name}")
            stored = await self.store.certify(certification)
        except EvidenceError as error:
            items = "".join(f"<li>{escape(p)}</li>" for p in error.problems)
            return _page(f"{account} not certified", f"<p class=error>The evidence does not hold:</p><ul>{items}</ul>"
                         f"<p><a href='/dashboard/carriers/{quote(carrier)}'>Back</a></p>", session)
        except ValueError as error:
            return _page(f"{account} not certified", f"<p class=error>{escape(str(error))}</p>", session)
        assert stored is not None
        raise web.HTTPSeeOther(f"/dashboard/carriers/{quote(carrier)}", headers=_headers())
