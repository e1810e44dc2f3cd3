"""The carrier SFTP channel (DESIGN.md §2 step 1, §6.5, §6.6): carriers push files to paxgate's own
SFTP server (server mode), and paxgate fetches files from carriers' SFTP drops (client mode, pollers).

Thin like ``adapters/https.py``: it authenticates the account, enforces the transport's limits, hands
the bytes to ``Pipeline.submit`` and writes what the committed receipt says into ``outbox/``. It never
validates and never chooses an acknowledgement.

Server mode — decisions where the issue left room, so carriers and operators can rely on them:

- **Login**: the login name is the account name; the account's registered SSH keys are its only
  credentials. ``password_login = true`` lets an account use its HTTPS bearer token as the password
  (compared by digest, as HTTPS does), because accounts have no other secret to compare with.
- **Refusals**: an account whose ``channels`` lack ``sftp`` cannot log in at all (the channel is not
  its). A *suspended* account can still log in, so it can collect the acknowledgements of what it
  sent before, but every upload is refused when the file is opened, with SSH_FX_PERMISSION_DENIED
  and the refusal's detail as the message. If the status changes between open and close, the close
  answers the same way and ``outbox/<name>.error`` holds the refusal as RFC 9457 problem JSON.
- **Area**: each account sees a virtual root with ``/inbox`` (write-only: upload, rename and remove
  its own ``.part`` files, list; no reading), ``/outbox`` (acknowledgements: list, read, delete) and
  ``/archive`` (its taken files when ``archive_days > 0``: list and read). Nothing else exists: paths
  leaving the root (``..``), other absolute paths, sub-directories, links and symlinks are refused.
  Paths are resolved here and never handed to the file system as given.
- **Intake on close**: upload bytes go to a staging file outside the area. On the SFTP CLOSE the file
  is fsynced and renamed into ``inbox/`` (the transport's durable point), submitted, its
  acknowledgements written atomically to ``outbox/<name>.<kind>`` (several of one kind: one per
  line; none at all: the receipt as ``<name>.json``, like HTTPS), and only then removed from
  ``inbox/`` (moved to ``archive/<receipt>-<name>`` when ``archive_days > 0``). The CLOSE is
  answered after all that, so an upload that succeeded for the carrier is stored and acknowledged.
  A crash in between leaves the file in ``inbox/``; it is taken in at the next start (and by a
  sweep every minute), and the same bytes again only replay the receipt (DESIGN.md §6.1). A
  connection lost mid-upload (no CLOSE) discards the staging file: partial uploads are never taken.
- **.part convention**: a file named ``*.part`` (or WinSCP's ``*.filepart``) is kept in ``inbox/``
  when closed and taken in when renamed to its final name (the rename is answered after intake).
- **stat after upload**: paramiko's ``put`` stats the file it just wrote to confirm the size, and it
  ignores the status of a CLOSE and of pipelined writes. So the session that uploaded a file answers
  that stat from memory after the file left ``inbox/``: with its size when it was taken, with the
  upload's error (too large, quota, refused) when it was not, so a paramiko carrier learns why.
- **Limits**: ``max_file_bytes`` per file and ``quota_bytes`` per account (``inbox/`` and
  ``outbox/`` together, uploads in progress included) are enforced on every write, with an SFTP
  status whose message says which limit and what to do; nothing of such an upload is kept. An empty
  file is refused like an empty HTTPS body; a pipeline over ``max_in_flight`` makes the CLOSE fail
  with "busy, nothing was taken". Idle connections (no SFTP request for ``idle_timeout_seconds``,
  an intake in progress excepted) are disconnected.
- **Hardening**: SFTP only (no shell, exec, scp, port or agent forwarding, X11, pty); AEAD ciphers
  first (AES-GCM, chacha20-poly1305), then AES-CTR with SHA-2 MACs; no SHA-1 key exchange, MAC or
  ssh-rsa signature. The ed25519 host key is generated on first start; its SHA-256 fingerprint is
  logged at every start (``sftp_listening``).

Client mode: each ``[[sftp.pollers]]`` entry polls one remote drop every ``interval_seconds``,
submits each file in ``remote_inbox`` and, only after the local commit, uploads the
acknowledgements to ``remote_acks`` (``<name>.<kind>``, written as ``.part`` and renamed), then
deletes or moves the remote file (if the upload fails, the file stays and is answered again).
The remote host key is always checked against ``known_hosts``; an unknown or changed key stops
that poller (``sftp_poller_host_key_mismatch``, metric ``paxgate_sftp_poller_up`` 0).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import stat
import sys
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import asyncssh
import msgspec
import structlog
from prometheus_client import Gauge

from gateway.accounts import Refusal, authorize, token_digest
from gateway.answers import acknowledgement_bytes, receipt_document
from gateway.config import Config, SftpPoller
from gateway.metrics import Metrics
from gateway.pipeline import Overloaded, Pipeline, ProcessingFailed
from gateway.store import AccountRecord, Receipt, Store, StoredAck

log = structlog.get_logger("paxgate.sftp")

AREAS = ("inbox", "outbox", "archive")
IN_PROGRESS_SUFFIXES = (".part", ".filepart")  # the .part convention, and WinSCP's own suffix
MAX_NAME_BYTES = 200  # leaves room for ".<kind>" in outbox/ and "<receipt>-" in archive/
RECENTLY_TAKEN = 64  # names per session whose stat is answered after intake (paramiko's size check)
STOP_GRACE_SECONDS = 30.0
SWEEP_SECONDS = 60.0  # inbox leftovers older than this are taken in; archive retention is applied
RECOUNT_SECONDS = 60.0  # an account's usage is counted from disk again after this (between: kept up to date)
LOGIN_TIMEOUT_SECONDS = 30.0

# Preference order. Filtered against what this asyncssh build supports, so an older one still starts.
KEX_ALGS = ("mlkem768x25519-sha256", "curve25519-sha256", "curve25519-sha256@libssh.org", "curve448-sha512",
            "ecdh-sha2-nistp521", "ecdh-sha2-nistp384", "ecdh-sha2-nistp256", "diffie-hellman-group-exchange-sha256",
            "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256")
CIPHERS = ("aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com",
           "aes256-ctr", "aes192-ctr", "aes128-ctr")
MACS = ("hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "umac-128-etm@openssh.com",
        "hmac-sha2-256", "hmac-sha2-512", "umac-128@openssh.com")
SIGNATURES = ("ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
              "ecdsa-sha2-nistp521", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256")


def _algorithms(wanted: tuple[str, ...], available: list[bytes]) -> list[str]:
    return [name for name in wanted if name.encode() in available]


def algorithm_options() -> dict[str, list[str]]:
    """The SSH algorithms paxgate offers, server and client alike: modern first, no SHA-1."""
    return {"kex_algs": _algorithms(KEX_ALGS, asyncssh.kex.get_kex_algs()),
            "encryption_algs": _algorithms(CIPHERS, asyncssh.encryption.get_encryption_algs()),
            "mac_algs": _algorithms(MACS, asyncssh.mac.get_mac_algs()),
            "signature_algs": _algorithms(SIGNATURES, asyncssh.public_key.get_public_key_algs())}


def in_progress(name: str) -> bool:
    return name.endswith(IN_PROGRESS_SUFFIXES)


def _check_upload_name(name: str) -> None:
    """Names the carrier chooses become file names on our disk and in outbox/: keep them plain."""
    if name.startswith(".") or len(name.encode("utf-8")) > MAX_NAME_BYTES or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise asyncssh.SFTPPermissionDenied(
            f"file names must not start with '.', contain control characters or exceed {MAX_NAME_BYTES} bytes")


def _file_attrs(st: os.stat_result, *, permissions: int = 0o644) -> asyncssh.SFTPAttrs:
    """Size and times only: no owner or group (they would name accounts of the host, not the carrier's)."""
    return asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_REGULAR, size=st.st_size, permissions=stat.S_IFREG | permissions,
                              atime=int(st.st_atime), mtime=int(st.st_mtime))


def _dir_attrs(st: os.stat_result, permissions: int) -> asyncssh.SFTPAttrs:
    return asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_DIRECTORY, size=0, permissions=stat.S_IFDIR | permissions,
                              atime=int(st.st_atime), mtime=int(st.st_mtime))


# Directory modes as the carrier sees them: inbox/ write-only, outbox/ read and delete, archive/ read-only.
_AREA_MODES = {"inbox": 0o300, "outbox": 0o700, "archive": 0o500}


def _files(folder: Path) -> list[tuple[str, os.stat_result]]:
    """The regular files in ``folder`` with their stat, sorted by name; one that goes while it is read
    (taken in, deleted by its owner) is simply not listed."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    found.append((entry.name, st))
    return sorted(found, key=lambda item: item[0])


def _size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except FileNotFoundError:
        return 0


def _write_durably(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _problem(refusal: Refusal) -> bytes:
    return msgspec.json.encode({"type": f"urn:paxgate:problem:{refusal.kind}", "title": refusal.title,
                                "status": refusal.status, "detail": refusal.detail})


def acknowledgement_files(receipt: Receipt, acks: list[StoredAck]) -> dict[str, bytes]:
    """What ``outbox/<name>.<kind>`` holds for one receipt: the acknowledgements grouped by kind, one
    interchange per line; a receipt without any gets its JSON document (as HTTPS answers it)."""
    if not acks:
        return {"json": msgspec.json.encode(receipt_document(receipt, acks))}
    kinds: dict[str, list[StoredAck]] = {}
    for ack in acks:
        kinds.setdefault(ack.kind, []).append(ack)
    return {kind: acknowledgement_bytes(group) for kind, group in kinds.items()}


class _Upload:
    """One file being uploaded: bytes go to a staging file outside the carrier's area until CLOSE."""

    def __init__(self, account: str, name: str, staging: Path, base: int) -> None:
        self.account, self.name, self.staging, self.base = account, name, staging, base
        self.fd = os.open(staging, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o640)
        self.size = 0
        self.error: asyncssh.SFTPError | None = None
        self.mtime = int(time.time())

    def commit(self, target: Path) -> tuple[int, bytes]:
        """On disk, then under its name in inbox/: a crash from here on leaves a whole file there.
        Returns by how much the inbox grew (a file of that name may have been replaced) and the bytes."""
        payload = os.pread(self.fd, self.size, 0) if self.size else b""
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = -1
        replaced = _size(target)
        os.replace(self.staging, target)
        return self.size - replaced, payload

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.staging)

    def attrs(self) -> asyncssh.SFTPAttrs:
        return asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_REGULAR, size=self.size, permissions=stat.S_IFREG | 0o200,
                                  atime=self.mtime, mtime=self.mtime)


class _Download:
    def __init__(self, fd: int) -> None:
        self.fd = fd


class SftpTransport:
    """The SFTP channel: the server carriers push to and the pollers of carriers' drops."""

    def __init__(self, config: Config, pipeline: Pipeline, store: Store, metrics: Metrics) -> None:
        self.config = config
        self.settings = config.sftp
        self.pipeline, self.store, self.metrics = pipeline, store, metrics
        self.root = config.path(self.settings.root)
        self.staging_root = self.root / ".uploads"  # not inside any account's area (account names have no dot)
        self.port = 0
        self.fingerprint = ""
        self.pollers: list[Poller] = []
        self.poller_up = Gauge("paxgate_sftp_poller_up", "1 while an SFTP poller runs; 0 once it stopped (see its log)",
                               ["poller"], registry=metrics.registry)
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._connections: set[_Connection] = set()
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._staged: dict[str, int] = {}
        self._usage: dict[str, tuple[float, int]] = {}  # account → (when counted from disk, bytes in inbox/ + outbox/)
        self._inflight = 0
        self._drained = asyncio.Event()
        self._drained.set()
        self._stopping = False
        self._sweeper: asyncio.Task[None] | None = None

    # --- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        if self.settings.enabled:
            host_key = self._host_key()
            self.fingerprint = host_key.get_fingerprint("sha256")
            self._prepare()
            await self._prepare_accounts()
            await self._take_leftovers()
            self._acceptor = await asyncssh.create_server(
                lambda: _Connection(self), self.settings.host, self.settings.port, server_host_keys=[host_key],
                sftp_factory=lambda chan: _Session(chan, self), sftp_version=3, allow_scp=False, allow_pty=False,
                x11_forwarding=False, agent_forwarding=False, line_editor=False, config=None,
                login_timeout=min(LOGIN_TIMEOUT_SECONDS, self.settings.idle_timeout_seconds),
                keepalive_interval=0, backlog=256, **algorithm_options())
            self.port = self._acceptor.get_port()
            self._sweeper = asyncio.create_task(self._sweep(), name="paxgate-sftp-sweep")
            log.info("sftp_listening", host=self.settings.host, port=self.port, fingerprint=self.fingerprint,
                     listener="carrier-sftp")
        for index, poller in enumerate(self.settings.pollers):
            runner = Poller(self, poller, index)
            runner.start()
            self.pollers.append(runner)

    def status(self) -> dict[str, bool]:
        parts = {"sftp_listening": self._acceptor is not None} if self.settings.enabled else {}
        parts.update({f"sftp_poller {p.name}": p.state != "stopped" for p in self.pollers})
        return parts

    async def stop(self) -> None:
        """Stop accepting, let intakes in flight finish (their CLOSE is answered), then disconnect."""
        self._stopping = True
        for poller in self.pollers:
            await poller.stop()
        if self._acceptor is not None:
            self._acceptor.close()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), STOP_GRACE_SECONDS)
        for connection in list(self._connections):
            connection.close()
        for connection in list(self._connections):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connection.closed(), 5)
        if self._acceptor is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._acceptor.wait_closed(), 5)
            self._acceptor = None
        log.info("sftp_stopped", listener="carrier-sftp")

    def hint(self) -> str:
        """One line for ``paxgate serve``'s greeting: where to upload, the host key, the demo command."""
        if not self.port:
            return ""
        line = f"carriers' SFTP on sftp://{self.settings.host}:{self.port} (host key {self.fingerprint})"
        demo = next((a for a in self.config.accounts if a.create_ssh_key and "sftp" in a.channels), None)
        if demo is not None:
            key = self.config.path(demo.ssh_key_file or f"{demo.name}.key")
            line += f"; try: sftp -i {key} -P {self.port} {demo.name}@{self.settings.host} (then: put FILE inbox/)"
        return line

    def _host_key(self) -> asyncssh.SSHKey:
        path = self.config.path(self.settings.host_key)
        if path.exists():
            return asyncssh.read_private_key(str(path))
        key = asyncssh.generate_private_key("ssh-ed25519", comment="paxgate-host")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(key.export_private_key())
        key.write_public_key(str(path) + ".pub")
        log.info("sftp_host_key_created", path=str(path), fingerprint=key.get_fingerprint("sha256"))
        return key

    def _prepare(self) -> None:
        """Create the staging folder and drop what a crash left in it: those uploads never closed."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.staging_root.mkdir(exist_ok=True)
        dropped = 0
        for entry in self.staging_root.rglob("*"):
            if entry.is_file():
                entry.unlink()
                dropped += 1
        if dropped:
            log.info("sftp_partial_uploads_dropped", count=dropped)

    async def _prepare_accounts(self) -> None:
        for account in await self.store.accounts():
            if "sftp" in account.channels:
                self.area(account.name)

    def area(self, account: str) -> Path:
        """The account's area (created on first use): DATA_DIR/<root>/<ACCOUNT>/{inbox,outbox,archive}."""
        base = self.root / account
        for name in AREAS:
            (base / name).mkdir(parents=True, exist_ok=True)
        (self.staging_root / account).mkdir(parents=True, exist_ok=True)
        return base

    # --- admission, limits -----------------------------------------------------------------------

    async def admit(self, account: str) -> AccountRecord:
        """The account as the store has it now; raises Refusal when it may not submit over SFTP."""
        record = await self.store.account(account)
        if record is None:
            raise Refusal(403, "unknown-account", "Unknown account", f"account {account} no longer exists")
        authorize(record, "sftp")
        return record

    def refused(self, account: str, refusal: Refusal) -> None:
        self.metrics.refused.labels("sftp", refusal.kind).inc()
        log.warning("submission_refused", channel="sftp", account=account, status=refusal.status, reason=refusal.kind)

    def usage(self, account: str) -> int:
        """Bytes in the account's inbox/ and outbox/. Counted from disk once a minute and kept up to date
        in between (``counted``): counting a full outbox on every upload would cost O(files) each time."""
        now = time.monotonic()
        entry = self._usage.get(account)
        if entry is None or now - entry[0] > RECOUNT_SECONDS:
            total = sum(st.st_size for name in ("inbox", "outbox") for _, st in _files(self.root / account / name))
            entry = self._usage[account] = (now, total)
        return entry[1]

    def counted(self, account: str, delta: int) -> None:
        entry = self._usage.get(account)
        if entry is not None:
            self._usage[account] = (entry[0], max(0, entry[1] + delta))

    def begin_upload(self, account: str, name: str) -> _Upload:
        staging = self.staging_root / account / secrets.token_hex(8)
        return _Upload(account, name, staging, self.usage(account))

    def write(self, upload: _Upload, offset: int, data: bytes) -> int:
        if upload.error is not None:
            raise upload.error
        end = offset + len(data)
        limit = self.settings.max_file_bytes
        if end > limit:
            upload.error = asyncssh.SFTPFailure(f"file too large: the limit is {limit} bytes per file; nothing was taken")
            self.metrics.refused.labels("sftp", "too-large").inc()
            log.warning("submission_refused", channel="sftp", account=upload.account, reason="too-large", limit=limit)
            raise upload.error
        grow = max(0, end - upload.size)
        if grow:
            quota = self.settings.quota_bytes
            staged = self._staged.get(upload.account, 0)
            if upload.base + staged + grow > quota:
                upload.error = asyncssh.SFTPQuotaExceeded(
                    f"quota exceeded: inbox and outbox may hold {quota} bytes; collect and delete acknowledgements "
                    f"in /outbox, then upload again")
                self.metrics.refused.labels("sftp", "quota").inc()
                log.warning("submission_refused", channel="sftp", account=upload.account, reason="quota", limit=quota)
                raise upload.error
            self._staged[upload.account] = staged + grow
            upload.size += grow
        os.pwrite(upload.fd, data, offset)
        return len(data)

    def _release(self, upload: _Upload) -> None:
        self._staged[upload.account] = max(0, self._staged.get(upload.account, 0) - upload.size)

    def _lock(self, account: str, name: str) -> asyncio.Lock:
        """One intake per inbox name at a time: a second upload of the same name waits for the first."""
        return self._locks.setdefault((account, name), asyncio.Lock())

    def _forget_lock(self, account: str, name: str) -> None:
        lock = self._locks.get((account, name))
        if lock is not None and not lock.locked():
            del self._locks[(account, name)]

    @contextlib.asynccontextmanager
    async def _busy(self) -> AsyncIterator[None]:
        self._inflight += 1
        self._drained.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if not self._inflight:
                self._drained.set()

    # --- intake ----------------------------------------------------------------------------------

    async def finish_upload(self, upload: _Upload) -> asyncssh.SFTPAttrs | None:
        """The CLOSE of an upload: commit it to inbox/ and take it in before the CLOSE is answered.
        Returns the attributes the session keeps for a stat of the taken file."""
        try:
            if upload.error is not None:
                raise upload.error
            if self._stopping:
                raise asyncssh.SFTPFailure("paxgate is shutting down; nothing was taken: upload the file again shortly")
            inbox = self.root / upload.account / "inbox"
            async with self._lock(upload.account, upload.name), self._busy():
                try:
                    grown, payload = await asyncio.to_thread(upload.commit, inbox / upload.name)
                except OSError:  # a full disk, say: the carrier must know nothing was taken
                    log.exception("sftp_upload_commit_failed", account=upload.account)
                    raise asyncssh.SFTPFailure("the upload could not be stored; nothing was taken: upload it again") from None
                self.counted(upload.account, grown)
                if in_progress(upload.name):
                    return None
                await self._take_or_answer(upload.account, upload.name, payload)
            return upload.attrs()
        finally:
            self._forget_lock(upload.account, upload.name)
            self._release(upload)
            if upload.fd >= 0:  # not committed: the staging file goes
                await asyncio.to_thread(upload.discard)

    def abandon_upload(self, upload: _Upload) -> None:
        """The connection ended without a CLOSE: the bytes may be partial, so they are never taken."""
        self._release(upload)
        upload.discard()
        log.info("sftp_upload_abandoned", account=upload.account, size=upload.size)

    async def rename_in_inbox(self, account: str, old: str, new: str) -> bool:
        """A rename inside inbox/ (the .part convention). True when the renamed file was taken in."""
        _check_upload_name(new)
        inbox = self.root / account / "inbox"
        if not (inbox / old).is_file():
            raise asyncssh.SFTPNoSuchFile(f"no file {old} in /inbox")
        if not in_progress(new):
            await self.admit_or_deny(account)
        if self._stopping:
            raise asyncssh.SFTPFailure("paxgate is shutting down; nothing was taken: rename the file again shortly")
        try:
            async with self._lock(account, new), self._busy():
                self.counted(account, -_size(inbox / new) if old != new else 0)
                os.replace(inbox / old, inbox / new)
                if in_progress(new):
                    return False
                await self._take_or_answer(account, new)
                return True
        finally:
            self._forget_lock(account, new)

    async def admit_or_deny(self, account: str) -> AccountRecord:
        try:
            return await self.admit(account)
        except Refusal as refusal:
            self.refused(account, refusal)
            raise asyncssh.SFTPPermissionDenied(refusal.detail) from None

    async def _take_or_answer(self, account: str, name: str, payload: bytes | None = None) -> None:
        """Take a file in for a waiting client: a refusal or a failure becomes an SFTP status."""
        try:
            await self.take_in(account, name, payload)
        except Refusal as refusal:
            if refusal.status in (401, 403):
                raise asyncssh.SFTPPermissionDenied(refusal.detail) from None
            raise asyncssh.SFTPFailure(refusal.detail) from None
        except Overloaded:
            # nothing was stored and the client is told so: the file must not be taken in later either
            with contextlib.suppress(FileNotFoundError):
                self.remove(account, self.root / account / "inbox" / name)
            raise asyncssh.SFTPFailure("paxgate is busy; nothing was taken: upload the file again shortly") from None
        except asyncssh.SFTPError:
            raise
        except Exception:
            log.exception("sftp_intake_failed", account=account)
            raise asyncssh.SFTPFailure("the file was received but could not be stored now; it stays in /inbox and "
                                       "is taken in again automatically") from None

    async def take_in(self, account: str, name: str, payload: bytes | None = None) -> Receipt:
        """Submit ``inbox/<name>`` (whose bytes the caller may have read already), write its
        acknowledgements to ``outbox/``, then let it leave inbox/. The caller holds the name's lock.
        Raises Refusal (file removed, ``outbox/<name>.error`` written) or ``Overloaded`` (nothing
        stored, the file stays)."""
        if payload is None:
            payload = await asyncio.to_thread((self.root / account / "inbox" / name).read_bytes)
        try:
            if not payload:
                raise Refusal(400, "empty-body", "Empty message", "the file is empty; nothing was taken")
            record = await self.admit(account)
            submitted = await self.pipeline.submit(record, "sftp", payload, filename=name)
        except Refusal as refusal:
            self.refused(account, refusal)
            self.counted(account, await asyncio.to_thread(self._refuse_file, account, name, refusal))
            raise
        receipt, new = submitted.receipt, submitted.new
        files = acknowledgement_files(receipt, list(submitted.acks))
        self.counted(account, await asyncio.to_thread(self._deliver, account, name, files, receipt.id))
        log.info("sftp_acknowledged", receipt=receipt.id, account=account, channel="sftp", count=len(files),
                 duplicate=receipt.duplicate, status="new" if new else "replayed")
        return receipt

    def _refuse_file(self, account: str, name: str, refusal: Refusal) -> int:
        """``outbox/<name>.error`` says why, the file leaves inbox/; returns the change in usage."""
        inbox = self.root / account / "inbox" / name
        delta = self._put_outbox(account, f"{name}.error", _problem(refusal)) - _size(inbox)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(inbox)
        return delta

    def _deliver(self, account: str, name: str, files: dict[str, bytes], receipt: str) -> int:
        """Acknowledgements first, then the inbox file goes: a crash between them only replays.
        Returns the change in the account's usage."""
        delta = sum(self._put_outbox(account, f"{name}.{kind}", data) for kind, data in files.items())
        inbox = self.root / account / "inbox" / name
        delta -= _size(inbox)
        with contextlib.suppress(FileNotFoundError):
            if self.settings.archive_days > 0:
                os.replace(inbox, self.root / account / "archive" / f"{receipt}-{name}")
            else:
                os.unlink(inbox)
        return delta

    def _put_outbox(self, account: str, name: str, data: bytes) -> int:
        """Write a file whole into outbox/ (staged and renamed): a carrier never reads half of one.
        Returns by how much the outbox grew."""
        staging = self.staging_root / account / f"{secrets.token_hex(8)}.out"
        staging.parent.mkdir(parents=True, exist_ok=True)
        _write_durably(staging, data)
        target = self.root / account / "outbox" / name
        replaced = _size(target)
        os.replace(staging, target)
        return len(data) - replaced

    def remove(self, account: str, path: Path) -> None:
        """Remove a file of the account's inbox/ or outbox/, keeping its usage count."""
        size = _size(path)
        os.unlink(path)
        self.counted(account, -size)

    async def _take_leftovers(self, older_than: float | None = None) -> int:
        """Take in the files a crash (or a failed intake) left in any inbox; ``.part`` files wait."""
        taken = 0
        if not self.root.is_dir():
            return 0
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            inbox = folder / "inbox"
            if not inbox.is_dir():
                continue
            names = [name for name, st in _files(inbox) if not name.startswith(".") and not in_progress(name)
                     and (older_than is None or st.st_mtime < older_than)]
            if not names:
                continue
            if await self.store.account(folder.name) is None:
                log.warning("sftp_inbox_orphaned", account=folder.name, count=len(names))
                continue
            self.area(folder.name)
            count = 0
            for name in names:
                if self._stopping:
                    break
                lock = self._lock(folder.name, name)
                if lock.locked():
                    continue  # being taken in right now
                try:
                    async with lock, self._busy():
                        if (inbox / name).is_file():
                            await self.take_in(folder.name, name)
                            count += 1
                except Refusal:
                    pass  # logged, and outbox/<name>.error says why
                except Overloaded:
                    log.warning("sftp_intake_deferred", account=folder.name, reason="pipeline overloaded")
                    break  # the next sweep tries again
                except Exception:
                    log.exception("sftp_intake_failed", account=folder.name)
                finally:
                    self._forget_lock(folder.name, name)
            taken += count
            if count:
                log.info("sftp_inbox_resumed", account=folder.name, count=count)
        return taken

    async def _sweep(self) -> None:
        """Every minute: inbox leftovers older than a minute, and archive retention."""
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self._take_leftovers(older_than=time.time() - SWEEP_SECONDS)
                if self.settings.archive_days > 0:
                    await asyncio.to_thread(self._expire_archive, time.time() - self.settings.archive_days * 86400)
            except Exception:
                log.exception("sftp_sweep_failed")

    def _expire_archive(self, before: float) -> None:
        removed = 0
        for archive in self.root.glob("*/archive"):
            for name, st in _files(archive):
                if st.st_mtime < before:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(archive / name)
                    removed += 1
        if removed:
            log.info("sftp_archive_expired", count=removed)


class _Connection(asyncssh.SSHServer):
    """One carrier's SSH connection: authentication against the store, and the idle timeout."""

    def __init__(self, transport: SftpTransport) -> None:
        self.transport = transport
        self.conn: asyncssh.SSHServerConnection | None = None
        self.last_active = time.monotonic()
        self.busy = 0
        self._timer: asyncio.TimerHandle | None = None
        self._closed = asyncio.Event()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.transport._connections.add(self)
        self._arm(self.transport.settings.idle_timeout_seconds)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport._connections.discard(self)
        if self._timer is not None:
            self._timer.cancel()
        self._closed.set()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    async def closed(self) -> None:
        await self._closed.wait()

    def touch(self) -> None:
        self.last_active = time.monotonic()

    def _arm(self, delay: float) -> None:
        self._timer = asyncio.get_running_loop().call_later(delay, self._check_idle)

    def _check_idle(self) -> None:
        idle = self.transport.settings.idle_timeout_seconds
        quiet = time.monotonic() - self.last_active
        if self.busy or quiet < idle:
            self._arm(idle if self.busy else idle - quiet)
            return
        log.info("sftp_idle_timeout", account=self.conn.get_extra_info("username") if self.conn else None,
                 seconds=round(quiet))
        if self.conn is not None:
            self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, "idle timeout")

    def begin_auth(self, username: str) -> bool:
        return True  # always ask for credentials, so nothing tells which login names exist

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self.transport.settings.password_login

    def kbdint_auth_supported(self) -> bool:
        return False

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        record = await self._loginable(username)
        if record is None:
            return False
        for text in record.ssh_keys:
            try:
                known = asyncssh.import_public_key(text)
            except (asyncssh.KeyImportError, ValueError):
                log.warning("sftp_account_key_invalid", account=record.name)
                continue
            if known.public_data == key.public_data:
                return True
        return False

    async def validate_password(self, username: str, password: str) -> bool:
        if not self.transport.settings.password_login:
            return False
        record = await self._loginable(username)
        return record is not None and record.token_sha256 is not None and record.token_sha256 == token_digest(password)

    async def _loginable(self, username: str) -> AccountRecord | None:
        record = await self.transport.store.account(username)
        if record is None:
            return None
        if "sftp" not in record.channels:
            self.transport.metrics.refused.labels("sftp", "channel-not-allowed").inc()
            log.warning("sftp_login_refused", account=record.name, reason="channel-not-allowed")
            return None
        return record

    def auth_completed(self) -> None:
        if self.conn is not None:
            log.info("sftp_login", account=self.conn.get_extra_info("username"), listener="carrier-sftp")

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        return False  # no port forwarding

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        return False  # no remote forwarding


class _Session(asyncssh.SFTPServer):
    """One SFTP session: a virtual file system of /inbox, /outbox and /archive over the account's area.
    Every path is resolved here; ``map_path`` refuses, so no inherited method touches the real disk."""

    def __init__(self, chan: asyncssh.SSHServerChannel, transport: SftpTransport) -> None:
        super().__init__(chan)
        self.transport = transport
        self.account: str = chan.get_extra_info("username")
        self.base = transport.area(self.account)
        owner = chan.get_connection().get_owner()
        self.peer = owner if isinstance(owner, _Connection) else None
        self._taken: OrderedDict[str, asyncssh.SFTPAttrs | asyncssh.SFTPError] = OrderedDict()

    # -- paths

    def map_path(self, path: bytes) -> bytes:
        raise asyncssh.SFTPPermissionDenied("not available")

    def _resolve(self, path: bytes) -> tuple[str | None, str | None]:
        """(area, name) of a client path; (None, None) is the root. Refuses anything outside."""
        if self.peer is not None:
            self.peer.touch()
        try:
            text = path.decode("utf-8")
        except UnicodeDecodeError:
            raise asyncssh.SFTPNoSuchFile("file names are UTF-8") from None
        if "\x00" in text:
            raise asyncssh.SFTPNoSuchFile("file names cannot contain NUL")
        parts: list[str] = []
        for part in text.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    raise asyncssh.SFTPPermissionDenied("outside your area: only /inbox, /outbox and /archive exist")
                parts.pop()
            else:
                parts.append(part)
        if not parts:
            return None, None
        if parts[0] not in AREAS:
            raise asyncssh.SFTPPermissionDenied("outside your area: only /inbox, /outbox and /archive exist")
        if len(parts) > 2:
            raise asyncssh.SFTPPermissionDenied(f"/{parts[0]} has no sub-directories")
        return parts[0], parts[1] if len(parts) == 2 else None

    def _file(self, area: str, name: str) -> Path:
        return self.base / area / name

    def _stat(self, area: str | None, name: str | None) -> asyncssh.SFTPAttrs:
        if area is None:
            return _dir_attrs(os.stat(self.base), 0o500)
        if name is None:
            return _dir_attrs(os.stat(self.base / area), _AREA_MODES[area])
        try:
            st = os.lstat(self._file(area, name))
        except FileNotFoundError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            outcome = self._taken.get(name) if area == "inbox" else None
            if isinstance(outcome, asyncssh.SFTPError):
                raise outcome
            if outcome is not None:
                return outcome
            raise asyncssh.SFTPNoSuchFile(f"no file {name} in /{area}")
        return _file_attrs(st, permissions=0o200 if area == "inbox" else 0o600 if area == "outbox" else 0o400)

    def realpath(self, path: bytes) -> bytes:
        area, name = self._resolve(path)
        return "/".join(["", *(p for p in (area, name) if p)]).encode("utf-8") or b"/"

    def stat(self, path: bytes) -> asyncssh.SFTPAttrs:
        return self._stat(*self._resolve(path))

    def lstat(self, path: bytes) -> asyncssh.SFTPAttrs:
        return self._stat(*self._resolve(path))

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._stat(*self._resolve(path))  # exists: accepted and ignored (clients set times after upload)

    def lsetstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self.setstat(path, attrs)

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
        area, name = self._resolve(path)
        if name is not None:
            raise asyncssh.SFTPNoSuchFile(f"/{area}/{name} is not a directory")
        if area is None:
            for child in AREAS:
                yield asyncssh.SFTPName(child.encode(), attrs=self._stat(child, None))
            return
        for filename, st in _files(self.base / area):
            yield asyncssh.SFTPName(filename.encode("utf-8", "surrogateescape"), attrs=_file_attrs(st))

    # -- files

    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> _Upload | _Download:
        area, name = self._resolve(path)
        if area is None or name is None:
            raise asyncssh.SFTPPermissionDenied("upload into /inbox; acknowledgements are in /outbox")
        writing = bool(pflags & (asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC))
        if writing:
            if area != "inbox":
                raise asyncssh.SFTPPermissionDenied(f"/{area} is read-only: upload into /inbox")
            if pflags & asyncssh.FXF_READ:
                raise asyncssh.SFTPPermissionDenied("/inbox is write-only: open the file for writing only")
            if pflags & asyncssh.FXF_APPEND:
                raise asyncssh.SFTPOpUnsupported("resuming an upload is not supported: upload the whole file again")
            _check_upload_name(name)
            self._taken.pop(name, None)
            await self.transport.admit_or_deny(self.account)
            return self.transport.begin_upload(self.account, name)
        if area == "inbox":
            raise asyncssh.SFTPPermissionDenied("/inbox is write-only: acknowledgements are in /outbox")
        try:
            fd = os.open(self._file(area, name), os.O_RDONLY | os.O_NOFOLLOW)
        except (FileNotFoundError, OSError):
            raise asyncssh.SFTPNoSuchFile(f"no file {name} in /{area}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise asyncssh.SFTPNoSuchFile(f"no file {name} in /{area}")
        return _Download(fd)

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        if self.peer is not None:
            self.peer.touch()
        if not isinstance(file_obj, _Download):
            raise asyncssh.SFTPPermissionDenied("/inbox is write-only")
        return os.pread(file_obj.fd, size, offset)

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        if self.peer is not None:
            self.peer.touch()
        if not isinstance(file_obj, _Upload):
            raise asyncssh.SFTPPermissionDenied("this file was opened for reading")
        return self.transport.write(file_obj, offset, data)

    def close(self, file_obj: object) -> Awaitable[None] | None:
        """asyncssh calls this for a client's CLOSE (``_process_close``) and for every handle still open
        when the session ends (``_cleanup``). Only the first means the upload is complete, and asyncssh
        has no other way to tell them apart than its caller, so the caller's name is checked: an
        upload is taken in only on a real CLOSE (tests/adapters/test_sftp.py proves both ways)."""
        if isinstance(file_obj, _Download):
            os.close(file_obj.fd)
            return None
        if not isinstance(file_obj, _Upload):
            return None
        if sys._getframe(1).f_code.co_name != "_process_close":
            self.transport.abandon_upload(file_obj)
            return None
        return self._finish(file_obj)

    async def _finish(self, upload: _Upload) -> None:
        if self.peer is not None:
            self.peer.busy += 1
        try:
            attrs = await self.transport.finish_upload(upload)
        except asyncssh.SFTPError as error:
            # paramiko ignores a CLOSE's status and pipelines its writes: the stat its put() makes next
            # is where such a client learns what went wrong, so it answers with this error
            self._remember(upload.name, error)
            raise
        finally:
            if self.peer is not None:
                self.peer.busy -= 1
                self.peer.touch()
        if attrs is not None:
            self._remember(upload.name, attrs)

    def _remember(self, name: str, attrs: asyncssh.SFTPAttrs | asyncssh.SFTPError) -> None:
        self._taken[name] = attrs
        self._taken.move_to_end(name)
        while len(self._taken) > RECENTLY_TAKEN:
            self._taken.popitem(last=False)

    def fstat(self, file_obj: object) -> asyncssh.SFTPAttrs:
        if isinstance(file_obj, _Upload):
            return file_obj.attrs()
        if isinstance(file_obj, _Download):
            return _file_attrs(os.fstat(file_obj.fd), permissions=0o400)
        raise asyncssh.SFTPInvalidHandle("unknown handle")

    def fsetstat(self, file_obj: object, attrs: asyncssh.SFTPAttrs) -> None:
        return None  # accepted and ignored: a file's mode and times are ours to keep

    def fsync(self, file_obj: object) -> None:
        return None  # every upload is fsynced when it closes

    async def remove(self, path: bytes) -> None:
        area, name = self._resolve(path)
        if name is None:
            raise asyncssh.SFTPPermissionDenied("directories cannot be removed")
        if area == "outbox" or (area == "inbox" and in_progress(name)):
            try:
                self.transport.remove(self.account, self._file(area, name))  # type: ignore[arg-type]
            except FileNotFoundError:
                raise asyncssh.SFTPNoSuchFile(f"no file {name} in /{area}") from None
            return
        raise asyncssh.SFTPPermissionDenied(
            f"/{area} files cannot be removed" if area == "archive" else "only your unfinished .part files can be removed")

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        old_area, old = self._resolve(oldpath)
        new_area, new = self._resolve(newpath)
        if old_area != "inbox" or new_area != "inbox" or old is None or new is None:
            raise asyncssh.SFTPPermissionDenied("only files in /inbox can be renamed, within /inbox (x.part → x)")
        if self.peer is not None:
            self.peer.busy += 1
        try:
            size = os.lstat(self._file("inbox", old)).st_size if self._file("inbox", old).is_file() else 0
            if await self.transport.rename_in_inbox(self.account, old, new):
                now = int(time.time())
                self._remember(new, asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_REGULAR, size=size,
                                                       permissions=stat.S_IFREG | 0o200, atime=now, mtime=now))
        finally:
            if self.peer is not None:
                self.peer.busy -= 1
                self.peer.touch()

    async def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        await self.rename(oldpath, newpath)

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        self._resolve(path)
        raise asyncssh.SFTPPermissionDenied("no new directories: upload into /inbox")

    def rmdir(self, path: bytes) -> None:
        self._resolve(path)
        raise asyncssh.SFTPPermissionDenied("directories cannot be removed")

    def readlink(self, path: bytes) -> bytes:
        self._resolve(path)
        raise asyncssh.SFTPNoSuchFile("there are no links")

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links cannot be created")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links cannot be created")

    def statvfs(self, path: bytes) -> asyncssh.SFTPVFSAttrs:
        raise asyncssh.SFTPOpUnsupported("statvfs is not available")

    def fstatvfs(self, file_obj: object) -> asyncssh.SFTPVFSAttrs:
        raise asyncssh.SFTPOpUnsupported("statvfs is not available")


class Poller:
    """Client mode: fetch a carrier's files from its SFTP drop, submit them, return acknowledgements."""

    def __init__(self, transport: SftpTransport, settings: SftpPoller, index: int) -> None:
        self.transport, self.settings, self.index = transport, settings, index
        self.name = f"{settings.account}/{settings.username or 'paxgate'}@{settings.host}:{settings.port}"
        self.state = "starting"  # starting → running → stopped
        self.reason = ""
        self.taken = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.transport.poller_up.labels(self.name).set(1)
        self._task = asyncio.create_task(self._run(), name=f"paxgate-sftp-poller-{self.index}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.state != "stopped":
            self._stopped("gateway-stopping", quiet=True)

    def _stopped(self, reason: str, *, quiet: bool = False) -> None:
        self.state, self.reason = "stopped", reason
        self.transport.poller_up.labels(self.name).set(0)
        if not quiet:
            log.error("sftp_poller_stopped", account=self.settings.account, host=self.settings.host,
                      port=self.settings.port, reason=reason)

    def _log_fields(self) -> dict[str, object]:
        return {"account": self.settings.account, "host": self.settings.host, "port": self.settings.port}

    async def _run(self) -> None:
        config, settings = self.transport.config, self.settings
        key_path = config.path(settings.key_file) if settings.key_file else None
        known_hosts = config.path(settings.known_hosts) if settings.known_hosts else None
        if key_path is None or not key_path.is_file():
            log.error("sftp_poller_misconfigured", reason="key_file missing", **self._log_fields())
            self._stopped("no key_file")
            return
        if known_hosts is None or not known_hosts.is_file():
            log.error("sftp_poller_misconfigured", reason="known_hosts missing: host key checking is always on",
                      **self._log_fields())
            self._stopped("no known_hosts")
            return
        if await self.transport.store.account(settings.account) is None:
            log.error("sftp_poller_misconfigured", reason="unknown account", **self._log_fields())
            self._stopped("unknown account")
            return
        self.state = "running"
        while True:
            try:
                await self.poll_once(str(key_path), str(known_hosts))
            except asyncssh.HostKeyNotVerifiable:
                log.error("sftp_poller_host_key_mismatch", **self._log_fields(),
                          reason="the drop's host key is unknown or changed; check it, then fix known_hosts")
                self._stopped("host key mismatch")
                return
            except asyncio.CancelledError:
                raise
            except (OSError, asyncssh.Error, TimeoutError) as error:
                log.warning("sftp_poller_failed", error=error, **self._log_fields())
            except Exception:
                log.exception("sftp_poller_failed", **self._log_fields())
            await asyncio.sleep(settings.interval_seconds)

    async def poll_once(self, key_file: str, known_hosts: str) -> int:
        settings = self.settings
        options = algorithm_options()
        options.pop("signature_algs")  # the drop's host key may be of any modern type; SHA-1 is still excluded
        async with asyncssh.connect(settings.host, settings.port, username=settings.username or "paxgate",
                                    client_keys=[key_file], known_hosts=known_hosts, agent_path=None, config=None,
                                    connect_timeout=30, login_timeout=30, **options) as conn, \
                conn.start_sftp_client() as sftp:
            taken = 0
            for name in sorted(await sftp.listdir(settings.remote_inbox)):
                if name.startswith(".") or in_progress(name):
                    continue
                if await self._take(sftp, name):
                    taken += 1
            self.taken += taken
            return taken

    async def _take(self, sftp: asyncssh.SFTPClient, name: str) -> bool:
        settings, transport = self.settings, self.transport
        remote = f"{settings.remote_inbox}/{name}"
        attrs = await sftp.lstat(remote)
        if attrs.type != asyncssh.FILEXFER_TYPE_REGULAR:
            return False
        limit = transport.settings.max_file_bytes
        if attrs.size is not None and attrs.size > limit:
            transport.metrics.refused.labels("sftp", "too-large").inc()
            log.warning("submission_refused", channel="sftp", reason="too-large", limit=limit, size=attrs.size,
                        **self._log_fields())
            return False
        async with sftp.open(remote, "rb") as file:
            payload = await file.read()
        try:
            if not payload:
                raise Refusal(400, "empty-body", "Empty message", "the file is empty")
            record = await transport.admit(settings.account)
            submitted = await transport.pipeline.submit(record, "sftp", payload, filename=name)
        except Refusal as refusal:
            transport.refused(settings.account, refusal)
            return False
        except (Overloaded, ProcessingFailed):
            return False  # not answered now: the file stays and the next poll fetches it again
        receipt, new = submitted.receipt, submitted.new
        # committed here. The acknowledgement goes up first: if that fails, the file stays, the next poll
        # fetches it again and the store answers it (same bytes), so the carrier always gets its answer
        if settings.remote_acks:
            files = acknowledgement_files(receipt, list(submitted.acks))
            for kind, data in files.items():
                target = f"{settings.remote_acks}/{name}.{kind}"
                async with sftp.open(f"{target}.part", "wb") as file:
                    await file.write(data)
                await _replace(sftp, f"{target}.part", target)
        if settings.after == "move":
            await _replace(sftp, remote, f"{settings.move_to}/{name}")
        else:
            await sftp.remove(remote)
        log.info("sftp_acknowledged", receipt=receipt.id, channel="sftp", status="new" if new else "replayed",
                 **self._log_fields())
        return True


async def _replace(sftp: asyncssh.SFTPClient, source: str, target: str) -> None:
    """Rename over an existing file: posix-rename where the server has it, else remove, then rename."""
    try:
        await sftp.posix_rename(source, target)
    except asyncssh.SFTPOpUnsupported:
        with contextlib.suppress(asyncssh.SFTPNoSuchFile):
            await sftp.remove(target)
        await sftp.rename(source, target)
