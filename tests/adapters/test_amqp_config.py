"""The AMQP settings are checked at start-up (gateway/config.py): a broker URL never carries its
password in the file, and the channel stays off until a broker is configured. No broker needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.amqp import AmqpTransport
from gateway.app import Gateway
from gateway.config import ConfigError, load_config


def config(tmp_path: Path, text: str):
    path = tmp_path / "paxgate.toml"
    path.write_text(f'data_dir = "{tmp_path}"\n' + text)
    return load_config(path)


def amqp_transports(gateway: Gateway) -> list[AmqpTransport]:
    gateway.pipeline = gateway.pipeline or object()  # type: ignore[assignment]  # _transports only hands it on
    return [t for t in gateway._transports() if isinstance(t, AmqpTransport)]


def test_the_channel_is_off_until_a_broker_is_configured(tmp_path: Path) -> None:
    assert amqp_transports(Gateway(config(tmp_path, "[sftp]\nenabled = false\n"))) == []


@pytest.mark.parametrize(("text", "key", "problem"), [
    ('[amqp]\nurl = "amqp://paxgate:secret@broker/"\n', "amqp.url", "no password"),
    ('[amqp]\nurl = "http://broker/"\n', "amqp.url", "amqp://"),
    ('[amqp]\nurl = "amqp://paxgate@broker/"\nurl_env = "X"\n', "amqp.url_env", "not both"),
    ('[amqp]\nprefetch = 0\n', "amqp.prefetch", "at least 1"),
    ('[amqp]\nmax_attempts = 0\n', "amqp.max_attempts", "at least 1"),
    ('[amqp]\nack_prefix = "paxgate.in."\n', "amqp.ack_prefix", "differ"),
    ('[amqp]\nshared_queue = "paxgate.dead"\n', "amqp.shared_queue", "dead-letter"),
    ('[amqp]\nqueue_type = "stream"\n', "amqp.queue_type", "classic, quorum"),
    ('[[sinks]]\nname = "bus"\ntype = "amqp"\nurl = "amqp://u:p@broker/"\nrouting_key = "q"\n', "sinks[0].url", "no password"),
    ('[[sinks]]\nname = "bus"\ntype = "amqp"\nurl = "amqp://u@broker/"\n', "sinks[0].routing_key", "names the queue"),
])
def test_broken_amqp_settings_are_refused_with_the_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        config(tmp_path, text)
    assert error.value.key == key and problem in error.value.problem


def test_a_broker_url_from_the_environment_turns_the_channel_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = config(tmp_path, '[sftp]\nenabled = false\n[amqp]\nurl_env = "PAXGATE_TEST_BROKER"\n')
    monkeypatch.setenv("PAXGATE_TEST_BROKER", "amqp://paxgate:secret@broker.example/")
    gateway = Gateway(loaded)
    (transport,) = amqp_transports(gateway)
    assert transport.url == "amqp://paxgate:secret@broker.example/"
    assert "secret" not in transport.safe_url
    monkeypatch.delenv("PAXGATE_TEST_BROKER")
    with pytest.raises(ConfigError, match="PAXGATE_TEST_BROKER"):
        gateway._transports()
