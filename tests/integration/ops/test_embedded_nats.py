"""The embedded nats-server: real binary, free ports, a store per test."""

import asyncio
import os
import re
import signal
import socket
import stat
import sys
from pathlib import Path

import nats
import pytest
from nats.js.api import StreamConfig

from services.ops.embedded_nats import EmbeddedNats, NatsServerError, find_nats_server, usable_cores
from tests.support.http import http_client


def port_accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no procfs: ask the kernel directly
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on ``port``, from /proc/net."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


async def test_find_nats_server_finds_an_executable_binary() -> None:
    binary = find_nats_server()

    assert binary.is_file() and binary.stat().st_mode & stat.S_IXUSR
    version = await asyncio.create_subprocess_exec(
        str(binary), "--version", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await version.communicate()
    assert output.startswith(b"nats-server: v")


async def test_started_server_serves_clients_with_jetstream(nats_server: EmbeddedNats) -> None:
    assert nats_server.running
    assert nats_server.url == f"nats://127.0.0.1:{nats_server.port}"
    client = await nats.connect(nats_server.url)
    try:
        account = await client.jetstream().account_info()
        assert account.limits is not None
        assert client.connected_url is not None
        assert client.connected_url.port == nats_server.port
    finally:
        await client.close()


async def gomaxprocs(server: EmbeddedNats) -> int:
    """How many cores the running server's Go runtime uses (its ``/varz``)."""
    async with http_client(trust_env=False) as http:
        response = await http.get(f"{server.monitor_url}/varz", timeout=10)
    return int(response.json()["gomaxprocs"])


async def test_the_server_runs_go_on_half_the_usable_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOMAXPROCS", raising=False)
    async with EmbeddedNats(0, tmp_path / "nats") as embedded:
        assert await gomaxprocs(embedded) == max(1, usable_cores() // 2)


async def test_a_gomaxprocs_already_set_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOMAXPROCS", "3")
    async with EmbeddedNats(0, tmp_path / "nats") as embedded:
        assert await gomaxprocs(embedded) == 3


async def test_port_zero_is_picked_by_the_server_on_start(tmp_path: Path) -> None:
    embedded = EmbeddedNats(0, tmp_path / "nats")
    with pytest.raises(RuntimeError, match="start it first"):
        _ = embedded.url

    async with embedded:
        assert embedded.port != 0 and embedded.monitor_port != 0
        assert port_accepts(embedded.port)
        assert embedded.url == f"nats://127.0.0.1:{embedded.port}"


async def test_an_included_configs_ports_never_replace_the_ones_chosen_here(
    tmp_path: Path,
) -> None:
    # deploy/nats.conf sets port and http_port; nats-server applies them and listen/http in
    # no fixed order, so without an override most starts would take the included ports.
    with socket.socket() as client_squatter, socket.socket() as monitor_squatter:
        client_squatter.bind(("127.0.0.1", 0))
        monitor_squatter.bind(("127.0.0.1", 0))
        included = tmp_path / "included.conf"
        included.write_text(
            f"port: {client_squatter.getsockname()[1]}\n"
            f"http_port: {monitor_squatter.getsockname()[1]}\n"
        )
        taken = {client_squatter.getsockname()[1], monitor_squatter.getsockname()[1]}
        for attempt in range(4):
            server = EmbeddedNats(0, tmp_path / f"nats{attempt}", include=included, on_line=print)
            await server.start()
            try:
                assert not {server.port, server.monitor_port} & taken
            finally:
                await server.stop()


async def test_async_with_starts_and_stops_the_server(tmp_path: Path) -> None:
    async with EmbeddedNats(0, tmp_path / "nats") as embedded:
        port = embedded.port
        pid = embedded.pid
        assert pid is not None and port_accepts(port)

    assert not embedded.running
    assert not pid_alive(pid)
    assert not port_accepts(port)


async def test_stop_ends_the_server_cleanly_and_frees_its_port(nats_server: EmbeddedNats) -> None:
    code = await nats_server.stop()

    assert code == 0  # SIGTERM is a clean shutdown for nats-server
    assert not nats_server.running
    assert not port_accepts(nats_server.port)


async def test_config_binds_loopback_only(nats_server: EmbeddedNats) -> None:
    config = nats_server.config_path.read_text()
    assert re.search(r'^listen: "127\.0\.0\.1:-1"$', config, re.MULTILINE)  # -1: a free port
    assert re.search(r'^http: "127\.0\.0\.1:-1"$', config, re.MULTILINE)
    assert "0.0.0.0" not in config
    if not sys.platform.startswith("linux"):
        pytest.skip("listening sockets are read from /proc/net")
    loopback = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
    assert listening_addresses(nats_server.port) == {loopback}
    assert listening_addresses(nats_server.monitor_port) == {loopback}


async def test_server_output_goes_line_by_line_to_the_callback(tmp_path: Path) -> None:
    lines: list[str] = []
    async with EmbeddedNats(0, tmp_path / "nats", on_line=lines.append):
        pass

    assert any(line.endswith("Server is ready") for line in lines)
    assert any(line.endswith("Server Exiting..") for line in lines)
    assert not any("\n" in line for line in lines)


async def test_killed_server_restarts_on_same_store_and_url_with_stream_intact(
    nats_server: EmbeddedNats,
) -> None:
    url = nats_server.url
    client = await nats.connect(url)
    js = client.jetstream()
    await js.add_stream(StreamConfig(name="KEEP", subjects=["keep.>"]))
    for n in range(3):
        await js.publish("keep.it", f"message {n}".encode())
    await client.close()
    pid = nats_server.pid
    assert pid is not None

    assert await nats_server.kill() == -signal.SIGKILL
    assert not nats_server.running and not pid_alive(pid)
    await nats_server.start()

    assert nats_server.url == url
    assert f'listen: "127.0.0.1:{nats_server.port}"' in nats_server.config_path.read_text()
    client = await nats.connect(url)
    try:
        js = client.jetstream()
        info = await js.stream_info("KEEP")
        assert info.state.messages == 3
        stored = await js.get_msg("KEEP", 2)
        assert stored.data == b"message 1"
    finally:
        await client.close()


async def test_start_fails_with_the_servers_words_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        embedded = EmbeddedNats(port, tmp_path / "nats")

        with pytest.raises(NatsServerError, match="exited with code 1") as failure:
            await embedded.start()

    assert "address already in use" in failure.value.output[-1]
    assert not embedded.running


async def test_start_gives_up_and_kills_a_server_that_never_gets_ready(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    fake = tmp_path / "fake-nats-server"
    fake.write_text(f'#!/bin/sh\necho "$$" > {pid_file}\necho pretending\nexec sleep 60\n')
    fake.chmod(0o755)
    embedded = EmbeddedNats(0, tmp_path / "nats", binary=fake, ready_timeout=0.5)

    with pytest.raises(NatsServerError, match="not ready within 0.5 s") as failure:
        await embedded.start()

    assert failure.value.output == ["pretending"]

    assert not embedded.running
    assert not pid_alive(int(pid_file.read_text()))
