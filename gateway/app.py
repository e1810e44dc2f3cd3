"""The composition root: the one place that wires config, store, pool, pipeline, adapters and
listeners together (DESIGN.md §1: only here does ``gateway`` import ``adapters``).

Start-up order makes "nothing lost" hold across restarts: the store opens first, accounts are
seeded, the validation pool is warmed up, receipts a previous run left unfinished are processed,
and only then do listeners accept new work. Shutdown runs the other way round: stop accepting,
let in-flight requests finish (they are committed before they are answered), stop the outbox
(what is left stays in the store), then close the pool and the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import signal
import ssl
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import structlog
from aiohttp import web

from adapters.https import carrier_app
from gateway.accounts import ensure_token, seed_accounts, token_digest
from gateway.compliance.service import Compliance
from gateway.config import Config, read_secret
from gateway.forwarding.outbox import Dispatcher
from gateway.forwarding.sinks import DirectorySink, Sink, WebhookSink
from gateway.iapi import DecisionHook
from gateway.limits import RateLimiter
from gateway.logs import configure_logging
from gateway.metrics import Metrics
from gateway.pipeline import Pipeline, default_workers
from gateway.processing import init_worker, ping
from gateway.screening.lists import ListError
from gateway.screening.screener import AllowList, Screener, specs_from_config
from gateway.store.base import iso
from gateway.store.sqlite import SqliteStore
from gateway.tls import certificate_fingerprint, development_certificate, server_context
from gateway.web.operator import Operators, operator_app

log = structlog.get_logger("paxgate.app")


class StartError(Exception):
    """The gateway could not start (the message says why); nothing was accepted."""


class Transport(Protocol):
    """A carrier channel adapter the composition root starts after the pipeline and stops first."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def status(self) -> dict[str, bool]:
        """Each part of the channel and whether it works now (shown on /readyz, informational)."""
        ...
SHUTDOWN_GRACE_SECONDS = 30.0
HOUSEKEEPING_SECONDS = 5.0
STALE_RECEIPT_SECONDS = 60.0


class Gateway:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.data_dir = Path(config.data_dir)
        self.metrics = Metrics()
        self.store = SqliteStore(config.path(config.store.path))
        self.sinks: dict[str, Sink] = {}
        self.pipeline: Pipeline | None = None
        self.hook: DecisionHook | None = None
        self.dispatcher: Dispatcher | None = None
        self._runners: list[web.AppRunner] = []
        self._timer: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self.transports: list[Transport] = []
        self.carrier_port = 0
        self.operator_port = 0
        self.certificate: Path | None = None

    async def start(self) -> None:
        config = self.config
        self.data_dir.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        await seed_accounts(config, self.store)
        self.sinks = self._sinks()
        self.dispatcher = Dispatcher(self.store, self.sinks, config.forwarding, self.metrics)
        self.hook = self._hook()
        self.pipeline = Pipeline(config, self.store, self._new_pool, self.metrics, self.hook, on_outbox=self.dispatcher.wake)
        for account in config.accounts:  # a profile that cannot be read stops the start, not a carrier's message
            self.pipeline.profile(account.profile)
        await self._load_watchlists()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self.pipeline.pool, ping) for _ in range(default_workers(config))))
        resumed = await self.pipeline.resume()
        self.dispatcher.start()
        self._timer = asyncio.create_task(self._housekeeping(), name="paxgate-housekeeping")
        await self._listen()
        for transport in self._transports():
            await transport.start()
            self.transports.append(transport)
        log.info("gateway_started", data_dir=str(self.data_dir), port=self.carrier_port, listener="carrier-https",
                 fingerprint=certificate_fingerprint(self.certificate) if self.certificate else None, count=resumed)
        log.info("operator_listening", port=self.operator_port, host=config.operator.host, listener="operator")

    async def _load_watchlists(self) -> None:
        """The configured watchlists, indexed once in this process (screening runs in a thread here,
        not in the validation workers), the analysts' allow-list from the store, and the poller that
        swaps in a changed list. A list that cannot be read stops the start: screening that silently
        did nothing would be worse than no gateway."""
        assert self.pipeline is not None
        specs = specs_from_config(self.config)
        if not specs:
            return
        try:
            screener = await Screener.load_async(specs)
        except (ListError, OSError) as error:
            raise StartError(f"cannot start: watchlist: {error}") from None
        self.pipeline.screener = screener
        self.pipeline.allow = AllowList((s.identity, s.list, s.entry_id) for s in await self.store.suppressions())
        self._watch = asyncio.create_task(screener.watch(self.config.screening.reload_seconds), name="paxgate-watchlists")
        log.info("watchlists_loaded", count=sum(s.entries for s in screener.stats()), lists=len(specs))

    def _new_pool(self) -> ProcessPoolExecutor:
        """The validation pool (one worker per core; workers end with the gateway, see init_worker)."""
        return ProcessPoolExecutor(default_workers(self.config), mp_context=multiprocessing.get_context("spawn"),
                                   initializer=init_worker, initargs=(os.getpid(),))

    def _sinks(self) -> dict[str, Sink]:
        sinks: dict[str, Sink] = {}
        for sink in self.config.sinks:
            if sink.type == "directory":
                path = self.config.path(sink.path)
                path.mkdir(parents=True, exist_ok=True)
                sinks[sink.name] = DirectorySink(sink.name, path)
            elif sink.type == "amqp":
                from gateway.forwarding.amqp_sink import AmqpSink  # noqa: PLC0415 - aio-pika loads only when a broker is configured

                url = read_secret(self.config, file="", env=sink.url_env, what=f"sink {sink.name} url") or sink.url
                sinks[sink.name] = AmqpSink(sink.name, url, exchange=sink.exchange, routing_key=sink.routing_key,
                                            timeout_s=sink.timeout_seconds)
            else:
                headers = self._auth_header(sink.auth_header, sink.auth_value_file, sink.auth_value_env, f"sink {sink.name}")
                sinks[sink.name] = WebhookSink(sink.name, sink.url, headers=headers, timeout_s=sink.timeout_seconds,
                                               ssl=self._trust(sink.ca_file))
        return sinks

    def _hook(self) -> DecisionHook:
        iapi = self.config.iapi
        headers = self._auth_header(iapi.auth_header, iapi.auth_value_file, iapi.auth_value_env, "iapi hook")
        return DecisionHook(iapi, headers, self._trust(iapi.ca_file))

    def _auth_header(self, name: str, file: str, env: str, what: str) -> dict[str, str]:
        if not name:
            return {}
        value = read_secret(self.config, file=file, env=env, what=f"{what} {name}")
        return {name: value} if value is not None else {}

    def _trust(self, ca_file: str) -> ssl.SSLContext | None:
        """The CA an outgoing HTTPS call trusts instead of the system's, when one is configured."""
        return ssl.create_default_context(cafile=str(self.config.path(ca_file))) if ca_file else None

    def _operators(self) -> Operators:
        users = {}
        for user in self.config.operator.users:
            if user.create_token:
                ensure_token(self.config, user.token_file, f"operator {user.name}")
            token = read_secret(self.config, file=user.token_file, env=user.token_env, what=f"operator {user.name} token")
            if token:
                users[token_digest(token)] = (user.name, user.role)
        return Operators(users)

    async def _listen(self) -> None:
        config = self.config
        assert self.pipeline is not None
        https = config.https
        if https.certificate:
            certificate, key = config.path(https.certificate), config.path(https.private_key)
        else:
            certificate, key, created = development_certificate(self.data_dir / "tls")
            if created:
                log.info("tls_certificate_created", path=str(certificate), fingerprint=certificate_fingerprint(certificate))
        self.certificate = certificate
        context = server_context(certificate, key, config.path(https.client_ca) if https.client_ca else None)
        limiter = RateLimiter(https.rate_per_minute, https.rate_burst)
        # keepalive_timeout also bounds the wait for a request head (aiohttp arms it when a connection
        # opens): a client dribbling header bytes (slowloris) is closed after idle_timeout_seconds
        carrier = web.AppRunner(carrier_app(self.pipeline, self.store, https, limiter), access_log=None,
                                shutdown_timeout=SHUTDOWN_GRACE_SECONDS, keepalive_timeout=https.idle_timeout_seconds)
        await carrier.setup()
        site = web.TCPSite(carrier, https.host, https.port, ssl_context=context, backlog=512)
        await site.start()
        self.carrier_port = _bound_port(site)
        operator = web.AppRunner(operator_app(self.store, self.metrics, self._operators(), ready=self.ready,
                                              channels=self.channels, reprocess=self.reprocess,
                                              compliance=Compliance(self.store, self.pipeline.profile),
                                              allow=self.pipeline.allow), access_log=None)
        await operator.setup()
        operator_site = web.TCPSite(operator, config.operator.host, config.operator.port)
        await operator_site.start()
        self.operator_port = _bound_port(operator_site)
        self._runners = [carrier, operator]

    async def _housekeeping(self) -> None:
        """Every few seconds: forward multi-part units whose completeness timer fired, process any
        receipt left ``received`` for a minute (a processing step that failed after intake), and
        forget personal data past its retention."""
        assert self.pipeline is not None
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            stale = iso(datetime.now(UTC) - timedelta(seconds=STALE_RECEIPT_SECONDS))
            resume = functools.partial(self.pipeline.resume, older_than=stale)
            for job in (self.pipeline.expire_units, resume, self.apply_retention):
                try:  # each on its own: a failing one must not stop the others (retention is a privacy duty)
                    await job()
                except Exception:
                    log.exception("housekeeping_failed")

    def _transports(self) -> list[Transport]:
        """The carrier channels besides HTTPS, as the config enables them (SFTP, AMQP)."""
        transports: list[Transport] = []
        amqp = self.config.amqp
        if amqp.url or amqp.url_env:  # off until a broker is configured
            from adapters.amqp import AmqpTransport  # noqa: PLC0415 - aio-pika loads only when a broker is configured

            assert self.pipeline is not None
            url = read_secret(self.config, file="", env=amqp.url_env, what="amqp url") or amqp.url
            transports.append(AmqpTransport(amqp, url, self.pipeline, self.store))
        sftp = self.config.sftp
        if sftp.enabled or sftp.pollers:  # the server carriers push to, and/or the pollers of their drops
            from adapters.sftp import SftpTransport  # noqa: PLC0415 - asyncssh loads only when SFTP is configured

            assert self.pipeline is not None
            transports.append(SftpTransport(self.config, self.pipeline, self.store, self.metrics))
        return transports

    async def apply_retention(self, now: datetime | None = None) -> dict[str, int]:
        """Forget personal data past the configured retention (runs with the housekeeping)."""
        now = now or datetime.now(UTC)
        keep = self.config.retention
        forgotten = await self.store.forget(payloads_before=iso(now - timedelta(days=keep.payload_days)),
                                            delivered_before=iso(now - timedelta(days=keep.delivered_days)),
                                            parts_before=iso(now - timedelta(days=keep.parts_days)))
        if any(forgotten.values()):
            log.info("retention_applied", counts=forgotten)
        return forgotten

    def channels(self) -> dict[str, bool]:
        """The carrier channels besides HTTPS and whether each works now; a broken one (broker down,
        a poller stopped on a changed host key) does not make the instance unready for the others."""
        return {name: up for transport in self.transports for name, up in transport.status().items()}

    async def ready(self) -> dict[str, bool]:
        pool_alive = False
        if self.pipeline is not None:
            try:
                await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(self.pipeline.pool, ping), timeout=5)
                pool_alive = True
            except Exception:
                pool_alive = False
        return {"store_writable": await self.store.writable(), "validation_pool": pool_alive}

    async def reprocess(self, receipt_id: str, actor: str) -> bool:
        assert self.pipeline is not None
        payload = await self.store.payload(receipt_id)  # gone once retention forgot it: nothing to validate
        if payload is None or not await self.store.reopen(receipt_id, actor):
            return False
        receipt = await self.store.receipt(receipt_id)
        account = await self.store.account(receipt.account) if receipt is not None else None
        if receipt is None or account is None:
            return False
        await self.pipeline.process(receipt, payload, account)
        return True

    async def stop(self) -> None:
        log.info("gateway_stopping")
        for transport in reversed(self.transports):  # stop taking in, finish what is in flight
            await transport.stop()
        self.transports = []
        for runner in self._runners:  # stops accepting, lets in-flight requests finish
            await runner.cleanup()
        self._runners = []
        for task in (self._timer, self._watch):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.dispatcher is not None:
            await self.dispatcher.stop()
        for sink in self.sinks.values():
            await sink.close()
        if self.hook is not None:
            await self.hook.close()
        if self.pipeline is not None:
            self.pipeline.pool.shutdown(wait=True, cancel_futures=False)
        await self.store.close()
        log.info("gateway_stopped")


def _bound_port(site: web.TCPSite) -> int:
    server = site._server  # aiohttp keeps the asyncio server here; the port is only known after binding
    sockets = getattr(server, "sockets", None) or []
    return sockets[0].getsockname()[1] if sockets else 0


async def run(config: Config) -> None:
    """``paxgate serve``: run until SIGTERM or SIGINT, then shut down gracefully."""
    configure_logging(config.logging.level)
    gateway = Gateway(config)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await gateway.start()
    except Exception as error:  # a port taken, a key or certificate unreadable: say which, stop what had started
        await gateway.stop()
        reason = (error.strerror or str(error)) if isinstance(error, OSError) else f"{type(error).__name__}: {error}"
        where = f" ({error.filename})" if isinstance(error, OSError) and error.filename else ""
        raise StartError(f"cannot start: {reason}{where}") from None
    _announce(gateway)
    await stopping.wait()
    await gateway.stop()


def _announce(gateway: Gateway) -> None:
    """Where to send a message, for the person who just typed ``paxgate serve`` (stdout, not the log)."""
    config = gateway.config
    token = next((config.path(a.token_file) for a in config.accounts if a.token_file and a.create_token), None)
    lines = [f"paxgate is serving carriers on https://{config.https.host}:{gateway.carrier_port}/v1/messages",
             f"operators on http://{config.operator.host}:{gateway.operator_port}/ (healthz, readyz, metrics, admin API)"]
    if token is not None and gateway.certificate is not None:
        lines.append(f"try: curl --cacert {gateway.certificate} -H \"Authorization: Bearer $(cat {token})\" "
                     f"-H 'Content-Type: application/edifact' --data-binary @tests/fixtures/edifact/paxlst-d05b-clean.edi "
                     f"https://{config.https.host}:{gateway.carrier_port}/v1/messages")
    lines += [hint for t in gateway.transports if (hint := getattr(t, "hint", lambda: "")())]  # e.g. SFTP's address
    print("\n".join(lines), flush=True)
