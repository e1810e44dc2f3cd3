"""Run a real ``paxgate serve`` in a subprocess, for benchmarks and end-to-end tests.

    from served import Served, carrier, write_config, TEST_SINK   # bench/ on sys.path

    config = write_config(tmp / "paxgate.toml", tmp / "data", workers=1, extra=TEST_SINK + carrier(token=True))
    server = Served(config, tmp / "data").start()      # waits for the greeting on stdout
    ...  server.carrier_url, server.operator_url, server.sftp_port, server.token("demo-carrier.token")
    status = server.stop()                             # SIGTERM, bounded wait; SIGKILL of the session after it
    server.close()                                     # whatever is left of the session (orphaned workers too)

* :func:`write_config` writes a throwaway ``paxgate.toml``: ``data_dir``, the carrier HTTPS and
  operator listeners on 127.0.0.1 port 0 with no rate limit, ``[pipeline] workers``, optionally
  ``[logging] level`` and an operator admin with a generated token, then whatever TOML the caller
  adds (sinks, accounts, ``[sftp]``, ``[amqp]``, ``[forwarding]``; :data:`TEST_SINK` and
  :func:`carrier` are the usual pieces).
* :class:`Served` starts ``python -m gateway.cli serve --config FILE --data-dir DIR`` from this
  checkout (or another program, e.g. the installed ``paxgate`` script) in its **own session**
  (``start_new_session=True``), stdout and stderr into files, and reads the ports and paths from
  the greeting ``paxgate serve`` prints once it listens (gateway/app.py ``_announce``)::

      paxgate is serving carriers on https://127.0.0.1:PORT/v1/messages
      operators on http://127.0.0.1:PORT/ (healthz, readyz, metrics, admin API)
      try: curl --cacert CERT -H "Authorization: Bearer $(cat TOKEN)" ...          (with a generated token)
      carriers' SFTP on sftp://127.0.0.1:PORT (host key ...); try: sftp -i KEY ...  (with [sftp] enabled)

  :meth:`Served.start` blocks until then; :meth:`Served.launch` and :meth:`Served.announced` do the
  same in steps, for a caller polling from an event loop.
* Stopping is bounded: :meth:`Served.stop` sends SIGTERM to the server and waits, then SIGKILLs
  its session; :meth:`Served.terminate`, :meth:`Served.kill` (SIGKILL of the server alone, a crash:
  its workers are orphaned) and :meth:`Served.wait` are the single steps; :meth:`Served.members`
  lists what still lives in the session and :meth:`Served.close` kills it, for teardown.

Standard library only: the benchmarks and the tests import it before anything of paxgate's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_M_GATEWAY = (sys.executable, "-m", "gateway.cli")  # this checkout's paxgate (ROOT is the working directory)

TEST_SINK_DIR = "forwarded/test"
TEST_SINK = f"""
[[sinks]]
name = "test"
type = "directory"
traffic = "test"
path = "{TEST_SINK_DIR}"
"""
"""A directory sink for ``test`` traffic (the demo carrier's, which is ``testing``) under DATA_DIR/forwarded/test."""

_OPERATOR_ADMIN = """
[[operator.users]]
name = "admin"
role = "admin"
token_file = "operator-admin.token"
create_token = true
"""


def write_config(path: Path, data_dir: Path, *, workers: int = 0, log_level: str | None = "warning",
                 operator_admin: bool = False, extra: str = "") -> Path:
    """Write a ``paxgate.toml`` for one throwaway run to ``path`` (see the module's docstring) and return ``path``.

    ``log_level`` None leaves the level at ``info``; ``operator_admin`` adds the operator user ``admin``
    with its token generated at DATA_DIR/operator-admin.token; ``extra`` is appended as it is."""
    text = f"""\
# written by bench/served.py for one run
data_dir = {json.dumps(str(data_dir))}

[https]
host = "127.0.0.1"
port = 0
rate_per_minute = 0

[operator]
host = "127.0.0.1"
port = 0
{_OPERATOR_ADMIN if operator_admin else ""}
[pipeline]
workers = {workers}
"""
    if log_level is not None:
        text += f'\n[logging]\nlevel = "{log_level}"\n'
    path.write_text(text + extra, encoding="utf-8")
    return path


def carrier(channels: Sequence[str] = ("https",), *, senders: Sequence[str] = ("ZZ", "ZZAIR"), token: bool = False,
            ssh_key: bool = False) -> str:
    """The ``[[accounts]]`` table of the demo carrier ZZ, status ``testing``: its token generated at
    DATA_DIR/demo-carrier.token (``token``), its SSH key pair at DATA_DIR/demo-carrier.key (``ssh_key``)."""
    text = f"""
[[accounts]]
name = "ZZ"
kind = "carrier"
status = "testing"
senders = {json.dumps(list(senders))}
carriers = ["ZZ"]
channels = {json.dumps(list(channels))}
"""
    if token:
        text += 'token_file = "demo-carrier.token"\ncreate_token = true\n'
    if ssh_key:
        text += 'create_ssh_key = true\nssh_key_file = "demo-carrier.key"\n'
    return text


class ServeError(RuntimeError):
    """``paxgate serve`` exited or stayed silent before its greeting; the message ends with its log's last lines."""


_CARRIER = re.compile(r"paxgate is serving carriers on (https://\S+?:(\d+)/v1/messages)")
_OPERATOR = re.compile(r"operators on (http://\S+?:(\d+))/ ")
_SFTP = re.compile(r"carriers' SFTP on sftp://\S+?:(\d+) ")
_CERTIFICATE = re.compile(r"curl --cacert (\S+) ")
_TOKEN = re.compile(r"\$\(cat (\S+?)\)")
_SSH_KEY = re.compile(r"sftp -i (\S+) ")


class Served:
    """One ``paxgate serve`` subprocess in its own session, its greeting parsed.

    ``logs`` names the output files without their ending: ``<logs>.out`` (stdout, the greeting) and
    ``<logs>.err`` (stderr, the JSON log); by default ``serve`` beside the config. ``env`` adds
    variables to this process's environment for the server.
    """

    def __init__(self, config: Path, data_dir: Path, *, logs: Path | None = None, program: Sequence[str] = PYTHON_M_GATEWAY,
                 env: Mapping[str, str] | None = None) -> None:
        self.config, self.data_dir = config, data_dir
        logs = logs if logs is not None else config.parent / "serve"
        self.stdout_path, self.stderr_path = logs.parent / f"{logs.name}.out", logs.parent / f"{logs.name}.err"
        self.program, self.env = tuple(program), env
        self.process: subprocess.Popen[bytes] | None = None
        self.carrier_url = self.operator_url = ""
        self.carrier_port = self.operator_port = 0
        self.sftp_port: int | None = None  # None: no SFTP listener
        self.certificate = data_dir / "tls" / "cert.pem"  # the greeting's --cacert when it has one
        self.carrier_token: Path | None = None  # the demo carrier's generated token, when the greeting shows one
        self.ssh_key: Path | None = None  # the demo carrier's generated SSH key, when the greeting shows one

    # --- starting ---------------------------------------------------------------------------------------------------

    def command(self) -> list[str]:
        return [*self.program, "serve", "--config", str(self.config), "--data-dir", str(self.data_dir)]

    def launch(self) -> Served:
        """Start the process (its own session) and return at once; :meth:`announced` tells when it serves."""
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=ROOT,
                                            env={**os.environ, **self.env} if self.env else None, start_new_session=True)
        return self

    def announced(self) -> bool:
        """True once the greeting is out (ports and paths read from it); ServeError when the server has exited."""
        text = self.stdout_path.read_text(encoding="utf-8", errors="replace")
        carrier, operator = _CARRIER.search(text), _OPERATOR.search(text)
        if carrier and operator:
            self.carrier_url, self.carrier_port = carrier[1], int(carrier[2])
            self.operator_url, self.operator_port = operator[1], int(operator[2])
            if sftp := _SFTP.search(text):
                self.sftp_port = int(sftp[1])
            if certificate := _CERTIFICATE.search(text):
                self.certificate = Path(certificate[1])
            if token := _TOKEN.search(text):
                self.carrier_token = Path(token[1])
            if key := _SSH_KEY.search(text):
                self.ssh_key = Path(key[1])
            return True
        if self.poll() is not None:
            raise ServeError(f"paxgate serve exited with {self.returncode} before serving:\n{self.log_tail()}")
        return False

    def start(self, timeout: float = 120.0) -> Served:
        """:meth:`launch`, then wait (bounded) for the greeting; on failure the session is killed and ServeError raised."""
        self.launch()
        deadline = time.monotonic() + timeout
        try:
            while not self.announced():
                if time.monotonic() > deadline:
                    raise ServeError(f"paxgate serve did not announce its listeners within {timeout:g} s:\n{self.log_tail()}")
                time.sleep(0.1)
        except ServeError:
            self.close()
            raise
        return self

    # --- the running process ----------------------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        assert self.process is not None, "not started"
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll() if self.process is not None else None

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process is not None else None

    def token_path(self, name: str) -> Path:
        """A generated token's file (``token_file`` is relative to the data directory)."""
        return self.data_dir / name

    def token(self, name: str) -> str:
        return self.token_path(name).read_text(encoding="utf-8").strip()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of stderr (the server's log)."""
        try:
            return "\n".join(self.stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # --- stopping ---------------------------------------------------------------------------------------------------

    def _signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)

    def terminate(self) -> None:
        """SIGTERM to the server (a graceful stop: it finishes what is in flight, then its workers)."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL to the server alone, as a crash: its workers are left behind in the session."""
        self._signal(signal.SIGKILL)

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None when the server is still running after ``timeout`` seconds."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 90.0) -> int | None:
        """SIGTERM and wait; the exit status, or None when the session had to be killed after ``timeout`` seconds."""
        if self.process is None:
            return None
        self.terminate()
        status = self.wait(timeout)
        if status is None:
            self.kill_session()
            self.process.wait()
        return status

    def members(self) -> list[int]:
        """Live (not zombie) processes of the server's process group (its session's: the server leads both), the
        server and its orphaned workers included, from /proc."""
        if self.process is None:
            return []
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path("/proc", entry, "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, ...
            if int(fields[2]) == self.pid and fields[0] not in ("Z", "X"):
                found.append(int(entry))
        return found

    def kill_session(self) -> None:
        """SIGKILL to every process of the server's process group (the server and whatever it left behind)."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)

    def close(self, timeout: float = 10.0) -> None:
        """Kill whatever is left of the session, orphaned workers included, and reap the server; bounded."""
        if self.process is None:
            return
        if self.process.poll() is None or self.members():
            self.kill_session()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        while self.members() and time.monotonic() < deadline:
            self.kill_session()
            time.sleep(0.05)

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
