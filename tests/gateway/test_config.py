"""Config is checked at start-up: every mistake names the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cli import main
from gateway.config import DEFAULT_CONFIG, ConfigError, load_config, read_secret


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paxgate.toml"
    path.write_text(text)
    return path


def test_the_embedded_default_is_complete_and_valid():
    config = load_config()
    assert config.https.port == 8443 and config.operator.port == 8080 and config.data_dir == "./paxgate-data"
    demo = next(a for a in config.accounts if a.name == "ZZ")
    assert demo.status == "testing" and "ZZ" in demo.senders and demo.token_file == "demo-carrier.token" and demo.create_token
    assert {s.traffic for s in config.sinks} == {"production", "test"}


def test_data_dir_from_the_command_line_wins(tmp_path: Path):
    assert load_config(DEFAULT_CONFIG, data_dir=str(tmp_path)).path("x.db") == tmp_path / "x.db"


@pytest.mark.parametrize(("text", "key", "problem"), [
    ("[https]\nport = \"eighty\"\n", "https.port", "Expected `int`, got `str`"),
    ("[https]\nport = 70000\n", "https.port", "expected a TCP port"),
    ("[htps]\nport = 1\n", "(top level)", "unknown key `htps`"),
    ("[https]\nprot = 1\n", "https", "unknown key `prot`"),
    ("[[accounts]]\nname = \"ZZ\"\nstatus = \"approved\"\n", "accounts[0].status", "one of: certified, suspended, testing"),
    ("[[accounts]]\nname = \"A\"\nchannels = [\"ftp\"]\n", "accounts[0].channels[0]", "expected one of: amqp, https, sftp"),
    ("[[accounts]]\nname = \"A\"\n[[accounts]]\nname = \"A\"\n", "accounts[1].name", "defined twice"),
    ("[[accounts]]\nname = \"A\"\ncreate_token = true\n", "accounts[0].create_token", "needs token_file"),
    ("[[accounts]]\nname = \"A\"\nclient_certificates = [\"abc\"]\n", "accounts[0].client_certificates[0]", "64 hex digits"),
    ("[[sinks]]\nname = \"s\"\ntype = \"webhook\"\nurl = \"ftp://x\"\n", "sinks[0].url", "http:// or https://"),
    ("[[sinks]]\nname = \"s\"\ntype = \"directory\"\n", "sinks[0].path", "needs a path"),
    ("[https]\ncertificate = \"c.pem\"\n", "https.private_key", "go together"),
    ("[iapi]\ndeadline_seconds = 0\n", "iapi.deadline_seconds", "more than 0"),
    ("data_dir = \n", "(syntax)", "Invalid value"),
    ("[sftp]\nport = 99999\n", "sftp.port", "expected a TCP port"),
    ("[forwarding]\nconcurrency = 0\n", "forwarding.concurrency", "at least 1"),
    ("[pipeline]\nworkers = -2\n", "pipeline.workers", "at least 0"),
    ("[forwarding]\npoll_seconds = -1\n", "forwarding.poll_seconds", "more than 0"),
    ("[[accounts]]\nname = \"A\"\ntoken_file = \"t\"\n[[accounts]]\nname = \"B\"\ntoken_file = \"t\"\n",
     "accounts[1].token_file", "already belongs to account A"),
    ("[[accounts]]\nname = \"A\"\namqp_user = \"B\"\n[[accounts]]\nname = \"B\"\n", "accounts[1].amqp_user",
     "already belongs to account A"),
    ("[[sftp.pollers]]\naccount = \"NOPE\"\nhost = \"h\"\n", "sftp.pollers[0].account", "no account NOPE"),
    ("[[accounts]]\nname = \"A\"\n[[sftp.pollers]]\naccount = \"A\"\nhost = \"h\"\n", "sftp.pollers[0].account",
     "does not have the sftp channel"),
    ("[[accounts]]\nname = \"A\"\nchannels = [\"sftp\"]\n[[sftp.pollers]]\naccount = \"A\"\nhost = \"h\"\n",
     "sftp.pollers[0].key_file", "required"),
])
def test_mistakes_name_the_key_and_what_was_expected(tmp_path: Path, text: str, key: str, problem: str):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert caught.value.key == key and problem in caught.value.problem
    assert str(caught.value).startswith(str(tmp_path / "paxgate.toml"))


def test_secrets_come_from_files_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config = load_config(write(tmp_path, f'data_dir = "{tmp_path}"\n'))
    (tmp_path / "t.token").write_text("from-a-file\n")
    assert read_secret(config, file="t.token", env="", what="x") == "from-a-file"
    assert read_secret(config, file="missing.token", env="", what="x") is None
    monkeypatch.setenv("PAXGATE_TEST_TOKEN", "from-env")
    assert read_secret(config, file="", env="PAXGATE_TEST_TOKEN", what="x") == "from-env"
    with pytest.raises(ConfigError, match=r"PAXGATE_UNSET_TOKEN: .*not set"):
        read_secret(config, file="", env="PAXGATE_UNSET_TOKEN", what="x")


def test_serve_with_a_broken_config_exits_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["serve", "--config", str(write(tmp_path, "[operator]\nport = -1\n"))]) == 2
    assert "operator.port: expected a TCP port" in capsys.readouterr().err


def test_environment_variables_override_single_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAXGATE__HTTPS__HOST", "0.0.0.0")
    monkeypatch.setenv("PAXGATE__HTTPS__PORT", "9443")
    monkeypatch.setenv("PAXGATE__PIPELINE__WORKERS", "3")
    config = load_config()
    assert config.https.host == "0.0.0.0" and config.https.port == 9443 and config.pipeline.workers == 3
    monkeypatch.setenv("PAXGATE__HTTPS__PORT", "nine")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.key == "https.port"
