"""The carrier SFTP channel end to end, with real peers only: the OpenSSH ``sftp``/``ssh`` command-line
clients and paramiko upload as carriers would, asyncssh servers play carriers' drops for the pollers,
and the in-process gateway runs with its validation pool and store.

What is checked (adapters/sftp.py): an upload is acknowledged in ``outbox/<name>.contrl`` with the
right CONTRL and its receipt says channel sftp and the file name; the CLOSE is answered only after the
file is stored; a wrong key, a password, an account without the sftp channel cannot log in; chroot
escapes, links and reading the inbox are refused; a partial upload is taken only when it closes and
never when the connection drops; the ``.part`` rename convention; size and quota limits with their
messages; a suspended account's upload is refused (at open, and at close when suspended meanwhile);
files left in an inbox are taken in at start; no shell, exec or forwarding, no weak algorithms; the
idle timeout; the host key is persisted and its fingerprint logged; pollers fetch, delete or move,
upload acknowledgements, and stop on a changed host key.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import stat
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import paramiko
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))
from gateway_harness import wait_for

from adapters.sftp import Poller, SftpTransport
from conformance.builders import PaxlstSpec, paxlst
from gateway.app import Gateway
from gateway.config import load_config
from gateway.logs import configure_logging
from gateway.store import Receipt

pytestmark = pytest.mark.asyncio(loop_scope="module")

OPENSSH = shutil.which("sftp") and shutil.which("ssh") and shutil.which("ssh-keygen")
needs_openssh = pytest.mark.skipif(not OPENSSH, reason="the OpenSSH clients (sftp, ssh, ssh-keygen) are not installed: "
                                                       "apt-get install openssh-client")
MAX_FILE = 16 * 1024
QUOTA = 64 * 1024
IDLE = 2.0
ZZ_TOKEN = "zz-token-0123456789"
_serial = iter(range(1, 10_000))


def message(tag: str = "SF") -> tuple[bytes, str]:
    """A PAXLST of its own (reference, flight, travellers): never a duplicate of another test's."""
    n = next(_serial)
    reference = f"{tag}{n:08d}"
    return paxlst(PaxlstSpec(seed=n, flight=f"ZZ{2000 + n}", reference=reference)), reference


def contrl_accepts(ack: bytes, reference: str) -> bool:
    return f"UCI+{reference}+ZZ:ZZ+PAXGATE:ZZ+7'".encode() in ack


# --- carriers' drops for the pollers (asyncssh servers with their own host keys) ----------------------


class DropServer(asyncssh.SFTPServer):
    def __init__(self, chan: asyncssh.SSHServerChannel, root: Path) -> None:
        super().__init__(chan, chroot=str(root / chan.get_extra_info("username")))


@dataclass
class Drop:
    acceptor: asyncssh.SSHAcceptor
    root: Path
    port: int
    host_key: asyncssh.SSHKey

    def dir(self, user: str, name: str) -> Path:
        return self.root / user / name


async def start_drop(root: Path, users: dict[str, tuple[str, ...]], client_public: str) -> Drop:
    for user, folders in users.items():
        for folder in folders:
            (root / user / folder).mkdir(parents=True, exist_ok=True)
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    acceptor = await asyncssh.create_server(
        asyncssh.SSHServer, "127.0.0.1", 0, server_host_keys=[host_key],
        authorized_client_keys=asyncssh.import_authorized_keys(client_public), sftp_factory=lambda chan: DropServer(chan, root))
    return Drop(acceptor, root, acceptor.get_port(), host_key)


# --- the gateway ----------------------------------------------------------------------------------------


@dataclass
class Sftp:
    gateway: Gateway
    data: Path
    log: io.StringIO
    keys: dict[str, Path]
    known_hosts: Path
    drops: dict[str, Drop] = field(default_factory=dict)

    @property
    def transport(self) -> SftpTransport:
        return next(t for t in self.gateway.transports if isinstance(t, SftpTransport))

    @property
    def port(self) -> int:
        return self.transport.port

    def area(self, account: str = "ZZ") -> Path:
        return self.data / "sftp" / account

    def poller(self, user: str) -> Poller:
        return next(p for p in self.transport.pollers if p.settings.username == user)

    async def receipt(self, filename: str, account: str = "ZZ") -> Receipt | None:
        receipts = await self.gateway.store.receipts(account=account, limit=10_000)
        return next((r for r in receipts if r.filename == filename), None)

    # paramiko, as a carrier's script would use it (blocking: call through asyncio.to_thread)

    def connect(self, account: str = "ZZ", key: Path | None = None, **options: object) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        client.load_host_keys(str(self.known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        pkey = None
        if options.get("password") is None:
            pkey = paramiko.Ed25519Key.from_private_key_file(str(key or self.keys[account]))
        client.connect("127.0.0.1", self.port, username=account, pkey=pkey, look_for_keys=False, allow_agent=False,
                       timeout=10, banner_timeout=10, auth_timeout=10, **options)  # type: ignore[arg-type]
        return client

    def put(self, data: bytes, remote: str, account: str = "ZZ") -> paramiko.SFTPAttributes:
        client = self.connect(account)
        try:
            with client.open_sftp() as sftp:
                return sftp.putfo(io.BytesIO(data), remote)  # confirm=True: paramiko stats the file afterwards
        finally:
            client.close()

    async def openssh(self, *commands: str, account: str = "ZZ", key: Path | None = None,
                      options: tuple[str, ...] = ()) -> tuple[int, str]:
        """Run the OpenSSH ``sftp`` client in batch mode; returns its exit status and output."""
        batch = self.data / f"batch-{next(_serial)}"
        batch.write_text("\n".join(commands) + "\n")
        process = await asyncio.create_subprocess_exec(
            "sftp", "-F", "/dev/null", "-i", str(key or self.keys[account]), "-P", str(self.port),
            "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", *options, "-b", str(batch), f"{account}@127.0.0.1",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            cwd=self.data)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
        return process.returncode or 0, output.decode(errors="replace")


def _write_key(path: Path) -> str:
    key = asyncssh.generate_private_key("ssh-ed25519")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(key.export_private_key())
    path.chmod(0o600)
    return key.export_public_key().decode().strip()


CONFIG = """
data_dir = "{data}"
[https]
port = 0
[operator]
port = 0
[pipeline]
workers = 1
[logging]
level = "info"
[sftp]
enabled = true
port = 0
max_file_bytes = {max_file}
quota_bytes = {quota}
idle_timeout_seconds = {idle}
[[sftp.pollers]]
account = "PD"
host = "127.0.0.1"
port = {drop_a}
username = "p1"
key_file = "poller.key"
known_hosts = "drop-a.known_hosts"
remote_inbox = "out"
remote_acks = "in"
interval_seconds = 0.2
[[sftp.pollers]]
account = "PD"
host = "127.0.0.1"
port = {drop_a}
username = "p2"
key_file = "poller.key"
known_hosts = "drop-a.known_hosts"
remote_inbox = "out"
remote_acks = "in"
after = "move"
move_to = "done"
interval_seconds = 0.2
[[sftp.pollers]]
account = "PD"
host = "127.0.0.1"
port = {drop_b}
username = "p3"
key_file = "poller.key"
known_hosts = "drop-b.known_hosts"
remote_inbox = "out"
remote_acks = ""
interval_seconds = 0.2
[[sftp.pollers]]
account = "PD"
host = "127.0.0.1"
port = {drop_b}
username = "p4"
key_file = "poller.key"
known_hosts = "drop-a.known_hosts"
interval_seconds = 0.2
[[accounts]]
name = "ZZ"
senders = ["ZZ", "ZZAIR"]
carriers = ["ZZ"]
channels = ["https", "sftp"]
token_file = "ZZ.token"
create_ssh_key = true
ssh_key_file = "keys/zz.key"
[[accounts]]
name = "SU"
status = "suspended"
senders = ["ZZ"]
carriers = ["ZZ"]
channels = ["sftp"]
ssh_keys = ["{SU}"]
[[accounts]]
name = "HT"
senders = ["ZZ"]
carriers = ["ZZ"]
channels = ["https"]
ssh_keys = ["{HT}"]
[[accounts]]
name = "QZ"
senders = ["ZZ"]
carriers = ["ZZ"]
channels = ["sftp"]
ssh_keys = ["{QZ}"]
[[accounts]]
name = "SW"
senders = ["ZZ"]
carriers = ["ZZ"]
channels = ["sftp"]
ssh_keys = ["{SW}"]
[[accounts]]
name = "PD"
senders = ["ZZ"]
carriers = ["ZZ"]
channels = ["sftp"]
"""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sftp]:
    tmp = tmp_path_factory.mktemp("sftp")
    data = tmp / "data"
    keys = {"ZZ": data / "keys" / "zz.key"}
    publics = {}
    for account in ("SU", "HT", "QZ", "SW", "STRANGER"):
        keys[account] = data / "keys" / f"{account.lower()}.key"
        publics[account] = _write_key(keys[account])
    poller_public = _write_key(data / "poller.key")
    drop_a = await start_drop(tmp / "drop-a", {"p1": ("out", "in"), "p2": ("out", "in", "done")}, poller_public)
    drop_b = await start_drop(tmp / "drop-b", {"p3": ("out",), "p4": ("out", "in")}, poller_public)
    for name, drop in (("drop-a", drop_a), ("drop-b", drop_b)):
        (data / f"{name}.known_hosts").write_text(
            f"[127.0.0.1]:{drop.port} {drop.host_key.export_public_key().decode().strip()}\n")
    (data / "ZZ.token").write_text(ZZ_TOKEN + "\n")
    # what a crash left behind: a whole file in an inbox, a .part waiting for its rename, a half upload
    left, _ = message("LEFT")
    (data / "sftp" / "ZZ" / "inbox").mkdir(parents=True)
    (data / "sftp" / "ZZ" / "inbox" / "left-1.edi").write_bytes(left)
    (data / "sftp" / "ZZ" / "inbox" / "left-2.edi.part").write_bytes(left[:100])
    (data / "sftp" / ".uploads" / "ZZ").mkdir(parents=True)
    (data / "sftp" / ".uploads" / "ZZ" / "999-1").write_bytes(left[:50])
    config_path = tmp / "paxgate.toml"
    config_path.write_text(CONFIG.format(data=data, max_file=MAX_FILE, quota=QUOTA, idle=IDLE, drop_a=drop_a.port,
                                         drop_b=drop_b.port, **publics))
    log = io.StringIO()
    configure_logging("info", log)
    gateway = Gateway(load_config(config_path))
    await gateway.start()
    transport = next(t for t in gateway.transports if isinstance(t, SftpTransport))
    known_hosts = data / "gateway.known_hosts"
    host_public = (data / "ssh" / "host_ed25519_key.pub").read_text().strip()
    known_hosts.write_text(f"[127.0.0.1]:{transport.port} {host_public}\n")
    running = Sftp(gateway, data, log, keys, known_hosts, {"a": drop_a, "b": drop_b})
    yield running
    await gateway.stop()
    for drop in (drop_a, drop_b):
        drop.acceptor.close()
        await drop.acceptor.wait_closed()


# --- server mode ------------------------------------------------------------------------------------------


@needs_openssh
async def test_openssh_sftp_upload_is_acknowledged_in_outbox(gw: Sftp):
    payload, reference = message()
    (gw.data / "api-001.edi").write_bytes(payload)
    status, output = await gw.openssh("cd inbox", "put api-001.edi", "cd ../outbox", "ls -1", "get api-001.edi.contrl got.contrl")
    assert status == 0, output
    assert "api-001.edi.contrl" in output
    ack = (gw.data / "got.contrl").read_bytes()
    assert ack.startswith(b"UNA:+.? 'UNB+UNOA:4+PAXGATE:ZZ+ZZ:ZZ+") and contrl_accepts(ack, reference)
    receipt = await gw.receipt("api-001.edi")
    assert receipt is not None and receipt.channel == "sftp" and receipt.account == "ZZ"
    assert receipt.state == "processed" and receipt.verdict == "accepted" and receipt.size == len(payload)
    assert not any((gw.area() / "inbox").glob("api-001*")), "a taken file leaves the inbox"
    assert "api-001" not in gw.log.getvalue(), "carrier file names are not logged"


async def test_paramiko_put_returns_after_the_file_is_stored(gw: Sftp):
    payload, reference = message()
    attrs = await asyncio.to_thread(gw.put, payload, "inbox/pm-001.edi")
    assert attrs.st_size == len(payload)  # paramiko's own size check after put passed
    # no waiting: the CLOSE was answered after the commit and the acknowledgement
    receipt = await gw.receipt("pm-001.edi")
    assert receipt is not None and receipt.channel == "sftp" and receipt.state == "processed"
    assert contrl_accepts((gw.area() / "outbox" / "pm-001.edi.contrl").read_bytes(), reference)


async def test_same_bytes_under_another_name_replay_the_first_receipt(gw: Sftp):
    payload, reference = message()
    await asyncio.to_thread(gw.put, payload, "inbox/first.edi")
    await asyncio.to_thread(gw.put, payload, "inbox/again.edi")
    first = await gw.receipt("first.edi")
    assert first is not None and await gw.receipt("again.edi") is None  # one receipt, not two
    outbox = gw.area() / "outbox"
    assert (outbox / "again.edi.contrl").read_bytes() == (outbox / "first.edi.contrl").read_bytes()
    assert contrl_accepts((outbox / "again.edi.contrl").read_bytes(), reference)


async def test_outbox_can_be_read_and_cleaned_by_the_carrier(gw: Sftp):
    payload, _ = message()
    await asyncio.to_thread(gw.put, payload, "inbox/clean-me.edi")

    def collect() -> tuple[bytes, list[str]]:
        client = gw.connect()
        try:
            with client.open_sftp() as sftp:
                body = sftp.open("outbox/clean-me.edi.contrl").read()
                sftp.remove("outbox/clean-me.edi.contrl")
                return body, sftp.listdir("outbox")
        finally:
            client.close()

    body, left = await asyncio.to_thread(collect)
    assert body.startswith(b"UNA") and "clean-me.edi.contrl" not in left


async def test_a_wrong_key_cannot_log_in(gw: Sftp):
    with pytest.raises(paramiko.AuthenticationException):
        await asyncio.to_thread(gw.connect, "ZZ", gw.keys["STRANGER"])
    with pytest.raises(paramiko.AuthenticationException):  # another account's key is not ZZ's
        await asyncio.to_thread(gw.connect, "ZZ", gw.keys["QZ"])
    with pytest.raises(paramiko.AuthenticationException):
        await asyncio.to_thread(gw.connect, "NOBODY", gw.keys["STRANGER"])


@needs_openssh
async def test_a_wrong_key_is_refused_to_the_openssh_client_too(gw: Sftp):
    status, output = await gw.openssh("ls", key=gw.keys["STRANGER"])
    assert status != 0 and "Permission denied" in output


async def test_password_login_is_off_even_with_the_right_token(gw: Sftp):
    with pytest.raises(paramiko.AuthenticationException):
        await asyncio.to_thread(gw.connect, "ZZ", password=ZZ_TOKEN)


async def test_an_account_without_the_sftp_channel_cannot_log_in(gw: Sftp):
    with pytest.raises(paramiko.AuthenticationException):
        await asyncio.to_thread(gw.connect, "HT")
    assert '"event":"sftp_login_refused"' in gw.log.getvalue()


async def test_a_suspended_account_logs_in_but_its_upload_is_refused(gw: Sftp):
    payload, _ = message()

    def attempt() -> tuple[str, list[str]]:
        client = gw.connect("SU")
        try:
            with client.open_sftp() as sftp:
                with pytest.raises(PermissionError) as refused:
                    sftp.putfo(io.BytesIO(payload), "inbox/su-1.edi")
                return str(refused.value), sftp.listdir("outbox")  # its acknowledgements stay reachable
        finally:
            client.close()

    reason, outbox = await asyncio.to_thread(attempt)
    assert "suspended" in reason and outbox == []
    assert await gw.receipt("su-1.edi", account="SU") is None
    assert not any((gw.area("SU") / "inbox").iterdir())


async def test_suspended_between_open_and_close_the_close_is_refused_and_says_why(gw: Sftp):
    payload, _ = message()
    client = await asyncio.to_thread(gw.connect, "SW")
    try:
        sftp = await asyncio.to_thread(client.open_sftp)
        handle = await asyncio.to_thread(sftp.open, "inbox/sw-1.edi", "wb")
        await asyncio.to_thread(handle.write, payload)
        await gw.gateway.store.set_account_status("SW", "suspended", "test")
        # paramiko ignores the status of a CLOSE; what its put() sees is the stat that follows it
        await asyncio.to_thread(handle.close)
        with pytest.raises(PermissionError, match="suspended"):
            await asyncio.to_thread(sftp.stat, "inbox/sw-1.edi")
        with pytest.raises(PermissionError, match="suspended"):  # and any further upload is refused at open
            await asyncio.to_thread(sftp.open, "inbox/sw-2.edi", "wb")
    finally:
        await asyncio.to_thread(client.close)
    assert await gw.receipt("sw-1.edi", account="SW") is None
    problem = (gw.area("SW") / "outbox" / "sw-1.edi.error").read_text()
    assert '"urn:paxgate:problem:account-suspended"' in problem and '"status":403' in problem
    assert not (gw.area("SW") / "inbox" / "sw-1.edi").exists()


async def test_chroot_escapes_links_and_reading_the_inbox_are_refused(gw: Sftp):
    outside_before = sorted(p.name for p in gw.data.iterdir())

    def probe() -> dict[str, object]:
        client = gw.connect()
        results: dict[str, object] = {}
        try:
            with client.open_sftp() as sftp:
                results["root"] = sorted(sftp.listdir("/"))
                results["realpath"] = sftp.normalize(".")
                for name, attempt in {
                    "parent": lambda: sftp.listdir(".."),
                    "parent_of_inbox": lambda: sftp.listdir("inbox/../.."),
                    "etc": lambda: sftp.stat("/etc/passwd"),
                    "absolute_data_dir": lambda: sftp.listdir(str(gw.data)),
                    "write_parent": lambda: sftp.open("../../escape.edi", "wb").close(),
                    "write_outbox": lambda: sftp.open("inbox/../outbox/forged.contrl", "wb").close(),
                    "write_root": lambda: sftp.open("/escape.edi", "wb").close(),
                    "symlink": lambda: sftp.symlink("/etc/passwd", "inbox/link"),
                    "symlink_outbox": lambda: sftp.symlink("../..", "outbox/up"),
                    "mkdir": lambda: sftp.mkdir("inbox/sub"),
                    "subdir": lambda: sftp.open("inbox/sub/x.edi", "wb").close(),
                    "read_inbox": lambda: sftp.open("inbox/left-2.edi.part", "rb").read(),
                    "hidden_name": lambda: sftp.open("inbox/.hidden", "wb").close(),
                    "staging": lambda: sftp.listdir("/../.uploads"),
                }.items():
                    try:
                        attempt()
                        results[name] = "allowed"
                    except OSError as error:
                        results[name] = type(error).__name__
        finally:
            client.close()
        return results

    results = await asyncio.to_thread(probe)
    assert results.pop("root") == ["archive", "inbox", "outbox"]
    assert results.pop("realpath") == "/"
    assert all(outcome == "PermissionError" for outcome in results.values()), results
    assert sorted(p.name for p in gw.data.iterdir()) == outside_before
    assert not (gw.area() / "outbox" / "forged.contrl").exists()
    assert not any(p.is_symlink() for p in gw.area().rglob("*"))


async def test_a_partial_upload_is_taken_only_when_it_closes(gw: Sftp):
    payload, reference = message()
    half = len(payload) // 2
    client = await asyncio.to_thread(gw.connect)
    try:
        sftp = await asyncio.to_thread(client.open_sftp)
        handle = await asyncio.to_thread(sftp.open, "inbox/half.edi", "wb")
        await asyncio.to_thread(handle.write, payload[:half])
        await asyncio.to_thread(handle.flush)
        await asyncio.sleep(0.3)
        assert await gw.receipt("half.edi") is None
        assert not (gw.area() / "inbox" / "half.edi").exists() and not (gw.area() / "outbox" / "half.edi.contrl").exists()
        await asyncio.to_thread(handle.write, payload[half:])
        await asyncio.to_thread(handle.close)
        receipt = await gw.receipt("half.edi")
        assert receipt is not None and receipt.size == len(payload) and receipt.verdict == "accepted"
        assert contrl_accepts((gw.area() / "outbox" / "half.edi.contrl").read_bytes(), reference)
    finally:
        await asyncio.to_thread(client.close)


async def test_a_connection_lost_mid_upload_takes_nothing(gw: Sftp):
    payload, _ = message()
    staging = gw.data / "sftp" / ".uploads" / "ZZ"
    client = await asyncio.to_thread(gw.connect)
    sftp = await asyncio.to_thread(client.open_sftp)
    handle = await asyncio.to_thread(sftp.open, "inbox/dropped.edi", "wb")
    await asyncio.to_thread(handle.write, payload[: len(payload) // 2])
    await asyncio.to_thread(handle.flush)
    assert any(staging.iterdir())
    await asyncio.to_thread(client.get_transport().close)  # the socket goes away, no CLOSE is ever sent
    await wait_for(lambda: not any(staging.iterdir()), timeout=5)
    await wait_for(lambda: '"event":"sftp_upload_abandoned"' in gw.log.getvalue(), timeout=5)
    assert await gw.receipt("dropped.edi") is None
    assert not (gw.area() / "inbox" / "dropped.edi").exists()
    assert not (gw.area() / "outbox" / "dropped.edi.contrl").exists()


@needs_openssh
async def test_part_files_wait_for_their_rename(gw: Sftp):
    payload, reference = message()
    (gw.data / "rename-me.edi").write_bytes(payload)
    status, output = await gw.openssh("put rename-me.edi inbox/rename-me.edi.part", "ls -1 inbox")
    assert status == 0, output
    assert (gw.area() / "inbox" / "rename-me.edi.part").is_file() and "rename-me.edi.part" in output
    await asyncio.sleep(0.2)
    assert await gw.receipt("rename-me.edi") is None and await gw.receipt("rename-me.edi.part") is None
    status, output = await gw.openssh("rename inbox/rename-me.edi.part inbox/rename-me.edi")
    assert status == 0, output
    receipt = await gw.receipt("rename-me.edi")  # the rename was answered after the intake
    assert receipt is not None and receipt.channel == "sftp"
    assert contrl_accepts((gw.area() / "outbox" / "rename-me.edi.contrl").read_bytes(), reference)
    assert not any((gw.area() / "inbox").glob("rename-me*"))
    assert not (gw.area() / "outbox" / "rename-me.edi.part.contrl").exists()


async def test_winscp_filepart_convention_with_paramiko_posix_rename(gw: Sftp):
    payload, reference = message()

    def upload() -> None:
        client = gw.connect()
        try:
            with client.open_sftp() as sftp:
                sftp.putfo(io.BytesIO(payload), "inbox/ws-1.edi.filepart")
                assert "ws-1.edi.filepart" in sftp.listdir("inbox")
                sftp.posix_rename("inbox/ws-1.edi.filepart", "inbox/ws-1.edi")
        finally:
            client.close()

    await asyncio.to_thread(upload)
    assert contrl_accepts((gw.area() / "outbox" / "ws-1.edi.contrl").read_bytes(), reference)


async def test_a_file_over_max_file_bytes_is_refused_with_a_message(gw: Sftp):
    with pytest.raises(OSError, match=f"file too large: the limit is {MAX_FILE} bytes"):
        await asyncio.to_thread(gw.put, b"UNA:+.? '" + b"X" * (MAX_FILE + 10), "inbox/huge.edi")
    assert await gw.receipt("huge.edi") is None
    assert not (gw.area() / "inbox" / "huge.edi").exists()
    assert not any((gw.data / "sftp" / ".uploads" / "ZZ").iterdir())


async def test_an_empty_file_is_refused_and_nothing_is_stored(gw: Sftp):
    with pytest.raises(OSError, match="the file is empty"):
        await asyncio.to_thread(gw.put, b"", "inbox/empty.edi")
    assert await gw.receipt("empty.edi") is None
    assert '"urn:paxgate:problem:empty-body"' in (gw.area() / "outbox" / "empty.edi.error").read_text()


async def test_the_account_quota_is_enforced_with_a_message(gw: Sftp):
    chunk = b"X" * (MAX_FILE - 1024)  # .part files stay in the inbox and count against the quota

    def fill() -> tuple[int, str]:
        client = gw.connect("QZ")
        stored = 0
        try:
            with client.open_sftp() as sftp:
                for n in range(10):
                    try:
                        sftp.putfo(io.BytesIO(chunk), f"inbox/fill-{n}.edi.part")
                        stored += 1
                    except OSError as error:
                        return stored, str(error)
        finally:
            client.close()
        return stored, ""

    stored, error = await asyncio.to_thread(fill)
    assert stored == QUOTA // len(chunk) and "quota exceeded" in error and f"{QUOTA} bytes" in error
    assert not (gw.area("QZ") / "inbox" / f"fill-{stored}.edi.part").exists()


async def test_files_left_in_an_inbox_are_taken_in_at_start(gw: Sftp):
    receipt = await gw.receipt("left-1.edi")
    assert receipt is not None and receipt.channel == "sftp" and receipt.state == "processed"
    assert (gw.area() / "outbox" / "left-1.edi.contrl").read_bytes().startswith(b"UNA")
    assert not (gw.area() / "inbox" / "left-1.edi").exists()
    assert (gw.area() / "inbox" / "left-2.edi.part").exists(), "a .part file waits for its rename, even across restarts"
    assert not (gw.data / "sftp" / ".uploads" / "ZZ" / "999-1").exists(), "a half upload from before the crash is dropped"


@needs_openssh
async def test_no_shell_exec_or_forwarding(gw: Sftp):
    base = ["ssh", "-F", "/dev/null", "-i", str(gw.keys["ZZ"]), "-p", str(gw.port), "-o", f"UserKnownHostsFile={gw.known_hosts}",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"]
    for extra in (["-T", "ZZ@127.0.0.1", "id"], ["-tt", "ZZ@127.0.0.1"],
                  ["-o", "ExitOnForwardFailure=yes", "-N", "-L", "0:127.0.0.1:22", "ZZ@127.0.0.1"]):
        process = await asyncio.create_subprocess_exec(*base, *extra, stdin=asyncio.subprocess.DEVNULL,
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode != 0, (extra, output)

    def paramiko_channels() -> list[str]:
        client = gw.connect()
        outcomes = []
        try:
            transport = client.get_transport()
            assert transport is not None
            session = transport.open_session()
            try:
                session.exec_command("id")
                outcomes.append("exec allowed")
            except paramiko.SSHException:
                outcomes.append("exec refused")
            try:
                transport.open_channel("direct-tcpip", ("127.0.0.1", 22), ("127.0.0.1", 0))
                outcomes.append("forward allowed")
            except paramiko.ChannelException:
                outcomes.append("forward refused")
            outcomes.append("remote forward refused" if transport.request_port_forward("127.0.0.1", 0) is None
                            else "remote forward allowed")
        except paramiko.SSHException:
            outcomes.append("remote forward refused")
        finally:
            client.close()
        return outcomes

    assert await asyncio.to_thread(paramiko_channels) == ["exec refused", "forward refused", "remote forward refused"]


@needs_openssh
@pytest.mark.parametrize("weak", [("-o", "KexAlgorithms=diffie-hellman-group14-sha1,diffie-hellman-group1-sha1"),
                                  ("-o", "Ciphers=aes128-cbc,3des-cbc"),
                                  ("-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha1,hmac-md5")])
async def test_weak_algorithms_are_not_negotiated(gw: Sftp, weak: tuple[str, ...]):
    status, output = await gw.openssh("ls", options=weak)
    assert status != 0 and "no matching" in output, output


@needs_openssh
async def test_modern_algorithms_are_negotiated(gw: Sftp):
    status, output = await gw.openssh("ls", options=("-v",))
    assert status == 0, output
    assert "kex: algorithm: " in output
    kex = output.split("kex: algorithm: ", 1)[1].split()[0]
    cipher = output.split("kex: server->client cipher: ", 1)[1].split()[0]
    assert kex.startswith(("mlkem768x25519", "curve25519")) and cipher in (
        "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com")


async def test_an_idle_connection_is_closed(gw: Sftp):
    client = await asyncio.to_thread(gw.connect)
    try:
        sftp = await asyncio.to_thread(client.open_sftp)
        await asyncio.to_thread(sftp.listdir, "outbox")
        transport = client.get_transport()
        assert transport is not None and transport.is_active()
        await wait_for(lambda: not transport.is_active(), timeout=IDLE + 3)
    finally:
        await asyncio.to_thread(client.close)
    assert '"event":"sftp_idle_timeout"' in gw.log.getvalue()


@needs_openssh
async def test_host_key_is_kept_and_its_fingerprint_logged(gw: Sftp):
    key = gw.data / "ssh" / "host_ed25519_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    process = await asyncio.create_subprocess_exec("ssh-keygen", "-l", "-E", "sha256", "-f", str(key) + ".pub",
                                                   stdout=asyncio.subprocess.PIPE)
    output, _ = await process.communicate()
    fingerprint = output.decode().split()[1]
    assert fingerprint.startswith("SHA256:") and gw.transport.fingerprint == fingerprint
    assert f'"fingerprint":"{fingerprint}"' in gw.log.getvalue()
    assert '"event":"sftp_listening"' in gw.log.getvalue()
    # the same key on the next start: what carriers pinned stays valid
    assert asyncssh.read_private_key(str(key)).get_fingerprint("sha256") == fingerprint


async def test_the_demo_key_pair_is_written_once_and_registered(gw: Sftp):
    key = gw.keys["ZZ"]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    public = Path(str(key) + ".pub").read_text().strip()
    account = await gw.gateway.store.account("ZZ")
    assert account is not None and public in account.ssh_keys
    assert '"event":"ssh_key_created"' in gw.log.getvalue()


async def test_with_archive_days_taken_files_are_kept_then_expire(gw: Sftp, tmp_path: Path):
    data = tmp_path / "data"
    config = tmp_path / "archive.toml"
    config.write_text(f"""
data_dir = "{data}"
[https]
port = 0
[operator]
port = 0
[pipeline]
workers = 1
[sftp]
enabled = true
port = 0
archive_days = 1
[[accounts]]
name = "ZZ"
senders = ["ZZ"]
carriers = ["ZZ"]
channels = ["sftp"]
create_ssh_key = true
ssh_key_file = "zz.key"
""")
    gateway = Gateway(load_config(config))  # logs keep going to the module's stream
    await gateway.start()
    try:
        transport = next(t for t in gateway.transports if isinstance(t, SftpTransport))
        known_hosts = data / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{transport.port} {(data / 'ssh' / 'host_ed25519_key.pub').read_text()}")
        other = Sftp(gateway, data, gw.log, {"ZZ": data / "zz.key"}, known_hosts)
        payload, _ = message()
        await asyncio.to_thread(other.put, payload, "inbox/kept.edi")
        receipt = await other.receipt("kept.edi")
        assert receipt is not None
        archived = data / "sftp" / "ZZ" / "archive" / f"{receipt.id}-kept.edi"
        assert archived.read_bytes() == payload and not (data / "sftp" / "ZZ" / "inbox" / "kept.edi").exists()

        def look() -> tuple[bytes, str]:
            client = other.connect()
            try:
                with client.open_sftp() as sftp:
                    body = sftp.open(f"archive/{archived.name}").read()
                    try:
                        sftp.remove(f"archive/{archived.name}")
                        return body, "removed"
                    except PermissionError:
                        return body, "refused"
            finally:
                client.close()

        assert await asyncio.to_thread(look) == (payload, "refused")
        two_days_ago = time.time() - 2 * 86400
        os.utime(archived, (two_days_ago, two_days_ago))
        transport._expire_archive(time.time() - 86400)
        assert not archived.exists()
    finally:
        await gateway.stop()


# --- client mode (pollers) ------------------------------------------------------------------------------


async def test_poller_fetches_submits_deletes_and_uploads_the_acknowledgement(gw: Sftp):
    drop = gw.drops["a"]
    payload, reference = message()
    (drop.dir("p1", "out") / "drop-1.edi.part").write_bytes(payload[:10])  # the carrier's own upload in progress
    (drop.dir("p1", "out") / "drop-1.edi").write_bytes(payload)
    ack = drop.dir("p1", "in") / "drop-1.edi.contrl"
    source = drop.dir("p1", "out") / "drop-1.edi"
    # the acknowledgement goes up first, then the file is deleted: wait for both, not the first alone
    await wait_for(lambda: ack.exists() and not source.exists(), timeout=10)
    assert contrl_accepts(ack.read_bytes(), reference)
    assert (drop.dir("p1", "out") / "drop-1.edi.part").exists(), "files in progress are left alone"
    assert not (drop.dir("p1", "in") / "drop-1.edi.contrl.part").exists()
    receipt = await gw.receipt("drop-1.edi", account="PD")
    assert receipt is not None and receipt.channel == "sftp" and receipt.state == "processed"


async def test_poller_moves_the_remote_file_when_configured(gw: Sftp):
    drop = gw.drops["a"]
    payload, reference = message()
    (drop.dir("p2", "out") / "drop-2.edi").write_bytes(payload)
    ack = drop.dir("p2", "in") / "drop-2.edi.contrl"
    moved = drop.dir("p2", "done") / "drop-2.edi"
    await wait_for(lambda: ack.exists() and moved.exists(), timeout=10)  # the acknowledgement first, then the move
    assert contrl_accepts(ack.read_bytes(), reference)
    assert moved.read_bytes() == payload
    assert not (drop.dir("p2", "out") / "drop-2.edi").exists()


async def test_a_changed_host_key_stops_the_poller(gw: Sftp):
    drop = gw.drops["b"]
    poller = gw.poller("p3")
    first, _ = message()
    (drop.dir("p3", "out") / "before.edi").write_bytes(first)
    await wait_for(lambda: not (drop.dir("p3", "out") / "before.edi").exists(), timeout=10)
    assert poller.state == "running"
    drop.acceptor.update(server_host_keys=[asyncssh.generate_private_key("ssh-ed25519")])  # someone else answers now
    second, _ = message()
    (drop.dir("p3", "out") / "after.edi").write_bytes(second)
    await wait_for(lambda: poller.state == "stopped", timeout=10)
    assert poller.reason == "host key mismatch"
    assert '"event":"sftp_poller_host_key_mismatch"' in gw.log.getvalue()
    assert gw.gateway.metrics.registry.get_sample_value("paxgate_sftp_poller_up", {"poller": poller.name}) == 0
    assert gw.gateway.metrics.registry.get_sample_value("paxgate_sftp_poller_up", {"poller": gw.poller("p1").name}) == 1
    await asyncio.sleep(0.5)
    assert (drop.dir("p3", "out") / "after.edi").exists(), "nothing is fetched from a host that is not the one we know"
    assert await gw.receipt("after.edi", account="PD") is None



async def test_an_unknown_host_key_stops_the_poller_before_anything_is_fetched(gw: Sftp):
    # p4's known_hosts names drop A only: drop B's key is unknown to it
    poller = gw.poller("p4")
    payload, _ = message()
    (gw.drops["b"].dir("p4", "out") / "never.edi").write_bytes(payload)
    await wait_for(lambda: poller.state == "stopped", timeout=10)
    assert poller.reason == "host key mismatch" and poller.taken == 0
    assert (gw.drops["b"].dir("p4", "out") / "never.edi").exists()


async def test_readyz_shows_the_listener_and_each_poller(gw: Sftp):
    channels = gw.gateway.channels()
    assert channels["sftp_listening"] is True
    assert any(name.startswith("sftp_poller ") for name in channels)
