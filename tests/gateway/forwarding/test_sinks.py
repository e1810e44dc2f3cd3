"""Sinks against real peers: an aiohttp server on 127.0.0.1 and real directories.

The recording server deduplicates by ``Idempotency-Key`` the way a well-behaved sink does, which is
how these tests show the contract: at-least-once on the wire, exactly-once as counted by the sink.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
import trustme
from aiohttp import web

from gateway.forwarding.sinks import Delivery, DeliveryError, DirectorySink, Sink, WebhookSink, file_name_for_key

SECRET = "SECRETSURNAME"
BODY = ('{"unit":"r_01JTEST:1","travellers":[{"surname":"' + SECRET + '","given":"ÅSA"}]}').encode()


def _delivery(key: str = "r_01JTEST:1", body: bytes = BODY, *, test: bool = False) -> Delivery:
    return Delivery(key=key, receipt=key.partition(":")[0], body=body, test=test)


# --- the recording webhook peer ----------------------------------------------------------------


@dataclass
class Seen:
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """Records every request; accepts each idempotency key once (a repeat gets 200, counted once)."""

    requests: list[Seen] = field(default_factory=list)
    accepted: dict[str, bytes] = field(default_factory=dict)
    status: int | None = None  # force this answer
    extra_headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append(Seen(dict(request.headers), body))
        if self.delay_s:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), self.delay_s)
        if self.status is not None:
            return web.Response(status=self.status, headers=self.extra_headers, text=body.decode())  # echoes the body
        key = request.headers["Idempotency-Key"]
        if key in self.accepted:
            return web.json_response({"duplicate": True})
        self.accepted[key] = body
        return web.json_response({"accepted": True}, status=201)


async def _serve(recorder: Recorder, ssl_context: ssl.SSLContext | None = None) -> tuple[web.AppRunner, int]:
    app = web.Application()
    app.router.add_post("/hook", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    return runner, runner.addresses[0][1]


@pytest_asyncio.fixture
async def peer() -> AsyncIterator[tuple[Recorder, str]]:
    recorder = Recorder()
    runner, port = await _serve(recorder)
    try:
        yield recorder, f"http://127.0.0.1:{port}/hook"
    finally:
        recorder.release.set()
        await runner.cleanup()


@pytest_asyncio.fixture
async def tls_peer() -> AsyncIterator[tuple[Recorder, str, trustme.CA]]:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    recorder = Recorder()
    runner, port = await _serve(recorder, server_context)
    try:
        yield recorder, f"https://127.0.0.1:{port}/hook", ca
    finally:
        await runner.cleanup()


async def _deliver_once(url: str, delivery: Delivery, **options: object) -> None:
    sink = WebhookSink("hook", url, **options)  # type: ignore[arg-type]
    try:
        await sink.deliver(delivery)
    finally:
        await sink.close()


def _assert_clean(error: DeliveryError) -> None:
    assert SECRET not in error.reason
    assert SECRET not in str(error)


# --- webhook -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_webhook_delivers_body_and_headers(peer: tuple[Recorder, str]) -> None:
    recorder, url = peer
    sink = WebhookSink("hook", url, headers={"Authorization": "Bearer s3cret"})
    assert isinstance(sink, Sink)
    try:
        await sink.deliver(_delivery(test=True))
    finally:
        await sink.close()
    [seen] = recorder.requests
    assert seen.body == BODY
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["Idempotency-Key"] == "r_01JTEST:1"
    assert seen.headers["X-Paxgate-Receipt"] == "r_01JTEST"
    assert seen.headers["X-Paxgate-Test"] == "true"
    assert seen.headers["Authorization"] == "Bearer s3cret"
    assert "s3cret" not in repr(sink)


@pytest.mark.asyncio
async def test_webhook_test_header_false_by_default(peer: tuple[Recorder, str]) -> None:
    recorder, url = peer
    await _deliver_once(url, _delivery())
    assert recorder.requests[0].headers["X-Paxgate-Test"] == "false"


@pytest.mark.asyncio
async def test_webhook_redelivery_is_exactly_once_by_key(peer: tuple[Recorder, str]) -> None:
    recorder, url = peer
    sink = WebhookSink("hook", url)
    try:
        await sink.deliver(_delivery("r_A:1"))
        await sink.deliver(_delivery("r_A:1"))  # e.g. the dispatcher crashed before marking the row done
        await sink.deliver(_delivery("r_A:2"))
    finally:
        await sink.close()
    assert [seen.headers["Idempotency-Key"] for seen in recorder.requests] == ["r_A:1", "r_A:1", "r_A:2"]  # at-least-once
    assert list(recorder.accepted) == ["r_A:1", "r_A:2"]  # exactly-once as the sink counts


@pytest.mark.asyncio
async def test_webhook_409_already_have_it_is_success(peer: tuple[Recorder, str]) -> None:
    recorder, url = peer
    recorder.status = 409
    await _deliver_once(url, _delivery())
    assert len(recorder.requests) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [503, 500, 502, 408, 425, 429])
async def test_webhook_outage_statuses_are_retryable(peer: tuple[Recorder, str], status: int) -> None:
    recorder, url = peer
    recorder.status = status
    with pytest.raises(DeliveryError) as caught:
        await _deliver_once(url, _delivery())
    assert caught.value.retryable
    assert str(status) in caught.value.reason
    _assert_clean(caught.value)


@pytest.mark.asyncio
async def test_webhook_retry_after_is_passed_on(peer: tuple[Recorder, str]) -> None:
    recorder, url = peer
    recorder.status = 429
    recorder.extra_headers = {"Retry-After": "7"}
    with pytest.raises(DeliveryError) as caught:
        await _deliver_once(url, _delivery())
    assert caught.value.retryable
    assert caught.value.retry_after_s == 7.0


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [400, 401, 403, 413, 422])
async def test_webhook_refusal_is_not_retryable(peer: tuple[Recorder, str], status: int) -> None:
    recorder, url = peer
    recorder.status = status
    with pytest.raises(DeliveryError) as caught:
        await _deliver_once(url, _delivery())
    assert not caught.value.retryable
    assert str(status) in caught.value.reason
    assert "refused" in caught.value.reason
    _assert_clean(caught.value)


@pytest.mark.asyncio
async def test_webhook_redirect_is_not_followed(peer: tuple[Recorder, str]) -> None:
    recorder, url = peer
    recorder.status = 307
    recorder.extra_headers = {"Location": "http://127.0.0.1:9/elsewhere"}
    with pytest.raises(DeliveryError) as caught:
        await _deliver_once(url, _delivery())
    assert not caught.value.retryable
    assert "307" in caught.value.reason
    assert len(recorder.requests) == 1


@pytest.mark.asyncio
async def test_webhook_closed_port_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        await _deliver_once(f"http://127.0.0.1:{port}/hook", _delivery())
    assert caught.value.retryable
    assert "Connect" in caught.value.reason
    _assert_clean(caught.value)


@pytest.mark.asyncio
async def test_webhook_slow_sink_times_out_retryable(peer: tuple[Recorder, str]) -> None:
    recorder, url = peer
    recorder.delay_s = 5.0
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(DeliveryError) as caught:
        await _deliver_once(url, _delivery(), timeout_s=0.3)
    assert loop.time() - started < 3.0
    assert caught.value.retryable
    assert "Timeout" in caught.value.reason
    _assert_clean(caught.value)


@pytest.mark.asyncio
async def test_webhook_untrusted_certificate_is_retryable(tls_peer: tuple[Recorder, str, trustme.CA]) -> None:
    recorder, url, _ca = tls_peer
    with pytest.raises(DeliveryError) as caught:
        await _deliver_once(url, _delivery(), ssl=ssl.create_default_context())  # system CAs do not know the test CA
    assert caught.value.retryable
    assert recorder.requests == []
    _assert_clean(caught.value)


@pytest.mark.asyncio
async def test_webhook_tls_with_configured_ca(tls_peer: tuple[Recorder, str, trustme.CA]) -> None:
    recorder, url, ca = tls_peer
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    await _deliver_once(url, _delivery(), ssl=client_context)
    assert recorder.requests[0].body == BODY


def test_webhook_protocol_headers_cannot_be_configured() -> None:
    with pytest.raises(ValueError, match="Idempotency-Key"):
        WebhookSink("hook", "http://127.0.0.1:1/", headers={"Idempotency-Key": "mine"})
    with pytest.raises(ValueError, match="content-type"):
        WebhookSink("hook", "http://127.0.0.1:1/", headers={"content-type": "text/plain"})


# --- directory ---------------------------------------------------------------------------------


def _files(directory: Path) -> list[str]:
    return sorted(entry.name for entry in directory.iterdir())


@pytest.mark.asyncio
async def test_directory_writes_exact_bytes_and_no_temp_files(tmp_path: Path) -> None:
    sink = DirectorySink("dir", tmp_path)
    assert isinstance(sink, Sink)
    await sink.deliver(_delivery("r_01JTEST:1"))
    assert _files(tmp_path) == ["r_01JTEST%3A1.json"]
    assert (tmp_path / "r_01JTEST%3A1.json").read_bytes() == BODY
    assert stat.S_IMODE((tmp_path / "r_01JTEST%3A1.json").stat().st_mode) == 0o600
    await sink.close()


@pytest.mark.asyncio
async def test_directory_same_key_same_bytes_is_a_no_op(tmp_path: Path) -> None:
    sink = DirectorySink("dir", tmp_path)
    await sink.deliver(_delivery())
    first = (tmp_path / file_name_for_key("r_01JTEST:1")).stat()
    await sink.deliver(_delivery())
    second = (tmp_path / file_name_for_key("r_01JTEST:1")).stat()
    assert (first.st_ino, first.st_mtime_ns) == (second.st_ino, second.st_mtime_ns)  # not rewritten
    assert _files(tmp_path) == [file_name_for_key("r_01JTEST:1")]


@pytest.mark.asyncio
async def test_directory_same_key_new_bytes_replaces(tmp_path: Path) -> None:
    sink = DirectorySink("dir", tmp_path)
    await sink.deliver(_delivery())
    await sink.deliver(_delivery(body=b'{"version":2}'))
    assert _files(tmp_path) == [file_name_for_key("r_01JTEST:1")]
    assert (tmp_path / file_name_for_key("r_01JTEST:1")).read_bytes() == b'{"version":2}'


@pytest.mark.asyncio
async def test_directory_unwritable_is_retryable(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permission bits; a directory path running through a regular file fails for anyone
        (tmp_path / "plain-file").write_bytes(b"")
        target = tmp_path / "plain-file" / "out"
    else:
        target = tmp_path / "locked"
        target.mkdir()
        target.chmod(0o500)
    try:
        with pytest.raises(DeliveryError) as caught:
            await DirectorySink("dir", target).deliver(_delivery())
    finally:
        if target.is_dir():
            target.chmod(0o700)
    assert caught.value.retryable
    assert "OSError" in caught.value.reason or "Error" in caught.value.reason
    _assert_clean(caught.value)
    assert _files(tmp_path) in (["plain-file"], ["locked"])
    if target.is_dir():
        assert _files(target) == []


@pytest.mark.asyncio
async def test_directory_missing_is_retryable_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError) as caught:
        await DirectorySink("dir", tmp_path / "not-mounted").deliver(_delivery())
    assert caught.value.retryable
    assert not (tmp_path / "not-mounted").exists()


@pytest.mark.asyncio
async def test_directory_key_cannot_escape_the_directory(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    await DirectorySink("dir", inner).deliver(_delivery("../escape"))
    assert _files(tmp_path) == ["inner"]
    assert _files(inner) == ["%2E.%2Fescape.json"]


def test_file_names_are_distinct_per_key() -> None:
    keys = ["a:1", "a%3A1", "a_1", ".hidden", "%2Ehidden", "ÅSA:1", "x" * 400, "x" * 399 + "y", "x" * 200]
    names = [file_name_for_key(key) for key in keys]
    assert len(set(names)) == len(names)
    assert all(len(name.encode()) <= 200 for name in names)
    assert all("/" not in name and not name.startswith(".") for name in names)
    assert file_name_for_key("r_01J:1") == "r_01J%3A1.json"
