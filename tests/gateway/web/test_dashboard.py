"""The compliance dashboard and admin routes on a real operator listener: sign-in, sessions and
CSRF over real HTTP, certification on evidence, and the four views in headless Chromium."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from dashboard_scenario import Scenario, build, load
from gateway_harness import ADMIN, VIEWER, Running, start

pytestmark = pytest.mark.asyncio(loop_scope="module")
CHROMIUM = "/usr/bin/chromium"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory):
    running = await start(tmp_path_factory.mktemp("dashboard"))
    scenario, sends = build()
    async with aiohttp.ClientSession() as session, session.post(
            f"{running.operator_url}/v1/compliance/schedules?carrier=ZZ", data=scenario.schedule_csv,
            headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "text/csv"}) as r:
        assert r.status == 200, await r.text()
        assert (await r.json())["imported"] == 3
    await load(running, scenario, sends)
    running.extra["scenario"] = scenario
    yield running
    await running.gateway.stop()


async def sign_in(session: aiohttp.ClientSession, base: str, token: str) -> str:
    """Sign in like the browser does; returns the CSRF token of the new session."""
    async with session.get(f"{base}/dashboard/login") as r:
        nonce = re.search(r'name="nonce" value="([^"]+)"', await r.text()).group(1)
    async with session.post(f"{base}/dashboard/login", data={"token": token, "nonce": nonce, "next": "/dashboard/"},
                            headers={"Origin": base}) as r:
        assert r.status == 200 and r.url.path == "/dashboard/"
        return re.search(r'name="csrf" value="([^"]+)"', await r.text()).group(1)


async def test_pages_need_a_session_and_a_wrong_token_gets_none(gw: Running):
    base = gw.operator_url
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{base}/dashboard/carriers/ZZ", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"].startswith("/dashboard/login?next=")
        async with session.get(f"{base}/dashboard/login") as r:
            nonce = re.search(r'name="nonce" value="([^"]+)"', await r.text()).group(1)
            assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")  # no scripts, nothing from elsewhere
        async with session.post(f"{base}/dashboard/login", data={"token": "not-a-token", "nonce": nonce}) as r:
            assert "not an operator" in await r.text()
        assert not [c for c in session.cookie_jar if c.key == "paxgate_session"]
    trail = await gw.gateway.store.audit_trail()
    assert any(e.action == "dashboard_login_failed" for e in trail)


async def test_session_cookie_flags_csrf_and_roles(gw: Running):
    base = gw.operator_url
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        csrf = await sign_in(session, base, VIEWER)
        cookie = next(c for c in session.cookie_jar if c.key == "paxgate_session")
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/dashboard"
        # a post without the session's CSRF token, or from another origin, is refused
        async with session.post(f"{base}/dashboard/logout", data={"csrf": "forged"}, allow_redirects=False) as r:
            assert r.status == 403
        async with session.post(f"{base}/dashboard/logout", data={"csrf": csrf}, headers={"Origin": "http://evil.test"},
                                allow_redirects=False) as r:
            assert r.status == 403
        # engagement staff read, but may not certify
        async with session.post(f"{base}/dashboard/accounts/ZZ/certify", data={"csrf": csrf, "report": "{}"},
                                headers={"Origin": base}) as r:
            assert r.status == 403
        async with session.post(f"{base}/dashboard/logout", data={"csrf": csrf}, headers={"Origin": base}) as r:
            assert r.url.path == "/dashboard/login"
        async with session.get(f"{base}/dashboard/", allow_redirects=False) as r:
            assert r.status == 303  # the session is gone on the server, not only in the browser


async def test_scorecard_api_and_exports(gw: Running):
    scenario: Scenario = gw.extra["scenario"]
    period = f"{scenario.day:%Y-%m-%d}..{scenario.day:%Y-%m-%d}"
    headers = {"Authorization": f"Bearer {VIEWER}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(f"{gw.operator_url}/v1/compliance/scorecards", params={"period": period, "carrier": "ZZ"}) as r:
            card = (await r.json())[0]
        async with session.get(f"{gw.operator_url}/v1/compliance/scorecards",
                               params={"period": period, "carrier": "ZZ", "format": "csv"}) as r:
            assert r.content_type == "text/csv"
            header, row = (await r.text()).splitlines()
        async with session.get(f"{gw.operator_url}/v1/compliance/flights", params={"period": period, "carrier": "ZZ"}) as r:
            flights = {f["key"]: f for f in await r.json()}
    assert card["flights"] == 3 and card["obligations_due"] == 3
    assert card["outcomes"]["incomplete"] == 1 and card["outcomes"]["missing"] == 1 and card["outcomes"]["rejected"] == 1
    assert card["timeliness"] == 0.0 and card["receipts"] == 4 and card["rejected_receipts"] == 1
    assert dict(zip(header.split(","), row.split(","), strict=True))["rejection_pct"] == "25.0"
    api = flights[scenario.incomplete_key]["expectations"][0]
    assert api["missing_parts"] == [3] and [p["status"] for p in api["parts"]] == ["on_time", "on_time", "late"]


async def test_certification_on_evidence(gw: Running):
    scenario: Scenario = gw.extra["scenario"]
    part1, rejected = scenario.receipts["part1"], scenario.receipts["rejected"]
    report = {"run_id": "run-42", "scenario_set": "certification", "versions": {"kit": "0.1", "paxgate": "0.1"},
              "scenarios": [{"id": "api-clean", "verdict": "passed", "receipts": [{"id": part1, "verdict": "accepted"}]},
                            {"id": "api-broken-unt", "verdict": "passed", "receipts": [rejected]}]}
    headers = {"Authorization": f"Bearer {ADMIN}"}
    base = gw.operator_url
    async with aiohttp.ClientSession(headers=headers) as session:
        wrong = {**report, "scenarios": [{"id": "x", "verdict": "passed", "receipts": [{"id": part1, "verdict": "rejected"}]},
                                         {"id": "y", "verdict": "failed", "receipts": ["r-nope"]}]}
        async with session.post(f"{base}/v1/accounts/ZZ/certify", data=msgspec.json.encode(wrong)) as r:
            assert r.status == 422
            problems = (await r.json())["problems"]
        assert any("the report says rejected" in p for p in problems)
        assert any("did not pass" in p for p in problems) and any("does not exist" in p for p in problems)
        async with session.post(f"{base}/v1/accounts/ZZ/certify",
                                data=msgspec.json.encode({**report, "scenario_set": "defects"})) as r:
            assert r.status == 422  # the defects set shows what is caught; it certifies nothing
            assert any("does not certify" in p for p in (await r.json())["problems"])
        async with session.post(f"{base}/v1/accounts/XX/certify", data=msgspec.json.encode(report)) as r:
            assert r.status == 422  # ZZ's receipts are no evidence for account XX
        async with session.post(f"{base}/v1/accounts/ZZ/certify", data=msgspec.json.encode(report),
                                headers={"Authorization": f"Bearer {VIEWER}"}) as r:
            assert r.status == 403
        async with session.post(f"{base}/v1/accounts/ZZ/certify", data=msgspec.json.encode(report)) as r:
            assert r.status == 200, await r.text()
            done = await r.json()
        assert done["certified_by"] == "operator:ada" and done["previous_status"] == "testing"
        async with session.post(f"{base}/v1/accounts/ZZ/certify", data=msgspec.json.encode(report)) as r:
            assert r.status == 409  # one run certifies once
        # the kit's own report shape (conformance/reports/json.py) is read too
        kit = {"kit": "paxgate conformance", "format": 1, "run_id": "run-43", "mode": "online", "carrier": "ZZ",
               "profile": "baseline", "scenario_set": "certification", "gateway_version": "0.1", "passed": True,
               "cases": [{"id": "clean", "status": "passed", "messages": [{"receipt": part1, "verdict": "accepted"}]},
                         {"id": "no-token", "status": "passed", "messages": [{"receipt": None, "verdict": None}]}]}
        async with session.post(f"{base}/v1/accounts/ZZ/certify", data=msgspec.json.encode({**kit, "mode": "offline"})) as r:
            assert r.status == 422
        async with session.post(f"{base}/v1/accounts/ZZ/certify", data=msgspec.json.encode(kit)) as r:
            assert r.status == 200, await r.text()
            assert (await r.json())["versions"] == {"gateway": "0.1", "profile": "baseline", "report_format": "1"}
        async with session.get(f"{base}/v1/accounts/ZZ/certifications") as r:
            assert [c["run_id"] for c in await r.json()] == ["run-43", "run-42"]
        async with session.post(f"{base}/v1/accounts/ZZ/status", data=msgspec.json.encode({"status": "testing"})) as r:
            assert r.status == 200  # the plain status route stays (the dashboard offers the evidence path)
    assert any(e.action == "account_certified" and e.actor == "operator:ada" for e in await gw.gateway.store.audit_trail())


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}: install the distribution's chromium")
async def test_dashboard_in_headless_chromium(gw: Running, tmp_path: Path):
    from playwright.async_api import async_playwright  # noqa: PLC0415 - only this test needs a browser

    scenario: Scenario = gw.extra["scenario"]
    base = gw.operator_url
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            context = await browser.new_context()
            page = await context.new_page()
            page.set_default_timeout(10_000)
            external = []
            page.on("request", lambda request: external.append(request.url) if not request.url.startswith(base) else None)
            await page.goto(f"{base}/dashboard/carriers/ZZ")
            assert "/dashboard/login" in page.url  # sent to sign in first, and back afterwards
            await page.fill("input[name=token]", VIEWER)
            async with page.expect_navigation():
                await page.click("button:has-text('Sign in')")
            assert page.url.endswith("/dashboard/carriers/ZZ"), await page.inner_text("body")
            cookie = next(c for c in await context.cookies() if c["name"] == "paxgate_session")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            async with page.expect_navigation():
                await page.click("text=Carriers")
            assert await page.locator("svg.chart rect.bar").count() > 0  # the overview's chart
            async with page.expect_navigation():
                await page.click("a:has-text('ZZ')")
            assert await page.locator("svg.chart").count() >= 3  # outcomes, trend, sufficiency
            await page.screenshot(path=str(tmp_path / "carrier.png"), full_page=True)
            async with page.expect_navigation():
                await page.click(f"a[href$='{scenario.incomplete_key}']")
            timeline = page.locator("svg.timeline")
            assert await timeline.count() == 1
            assert await timeline.locator("circle.part.late").count() == 1
            assert await timeline.locator("circle.part.missing").count() == 1
            text = await page.inner_text("main")
            assert "part 2 late" in await timeline.inner_html() and "part 3 missing" in await timeline.inner_html()
            assert "incomplete" in text and "missing: part 3" in text
            await page.screenshot(path=str(tmp_path / "flight.png"), full_page=True)
            async with page.expect_navigation():
                await page.click(f"a:has-text('{scenario.receipts['part2']}')")
            assert "Receipt" in await page.inner_text("h1")
            await page.goto(f"{base}/dashboard/receipts/{scenario.receipts['rejected']}")
            receipt_text = await page.inner_text("main")
            assert "EDI-UNT-COUNT" in receipt_text and "your role shows codes only" in receipt_text
            assert "UNT says …" in receipt_text  # the catalogue's explanation, its values elided
            assert not re.search(r"UNT says \d", receipt_text)  # the finding's own message (with values) is for admins
            assert not external  # no CDN, nothing fetched from elsewhere
        finally:
            await browser.close()
    assert (tmp_path / "flight.png").stat().st_size > 0
    viewed = [e for e in await gw.gateway.store.audit_trail() if e.action == "receipt_viewed" and e.actor == "operator:vic"]
    assert viewed
