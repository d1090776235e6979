"""The deployment files agree with each other and with the code (no database, no Docker).

docker-compose.yml, Dockerfile and docker/entrypoint.sh describe production; Makefile,
Procfile.dev and .ci/run are the README's `make run` / `make test` and CI. These tests catch the
drift that would only show on a server: a renamed module, a lost variable, a non-executable script.
"""

import importlib
import json
import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            instructions.append((keyword.upper(), args.strip()))
    return instructions


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.partition("=")[::2] for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _command(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else list(command)


def _last(dockerfile: list[tuple[str, str]], keyword: str) -> list[str]:
    args = [args for kw, args in dockerfile if kw == keyword][-1]
    return json.loads(args) if args.startswith("[") else shlex.split(args)


def _entrypoint_roles() -> set[str]:
    script = (ROOT / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    return set(re.findall(r"^\s*([a-z][a-z|-]*)\)\s*$", script, flags=re.MULTILINE))


def test_compose_runs_web_worker_and_beat_from_one_image(compose):
    services = compose["services"]
    assert {"postgres", "redis", *APP_SERVICES} <= set(services)
    images = {services[name].get("image") for name in APP_SERVICES}
    builds = {json.dumps(services[name].get("build"), sort_keys=True) for name in APP_SERVICES}
    assert len(images) == 1 and None not in images
    assert len(builds) == 1 and "null" not in builds
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_web_worker_and_beat_get_database_and_redis_urls_from_the_environment(compose):
    for name in APP_SERVICES:
        env = _environment(compose["services"][name])
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:6379"), name
        assert env["DJANGO_DEBUG"] == "0", name
        assert env["TIME_ZONE"] == "Asia/Shanghai", name
        assert {"SECRET_KEY", "ALLOWED_HOSTS", "MEDIA_ROOT"} <= set(env), name


def test_app_services_start_only_after_postgres_and_redis_are_healthy(compose):
    services = compose["services"]
    for name in ("postgres", "redis"):
        assert services[name].get("healthcheck", {}).get("test"), name
        assert any(volume.split(":")[0] for volume in services[name].get("volumes", [])), name
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        for dependency in ("postgres", "redis"):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_uploaded_media_lives_on_a_named_volume(compose):
    for name in ("web", "worker"):
        service = compose["services"][name]
        media_root = _environment(service)["MEDIA_ROOT"]
        mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in service["volumes"]}
        assert media_root in mounts, name
        assert mounts[media_root] in compose["volumes"], name


def test_workers_scale_out_but_beat_runs_once(compose):
    services = compose["services"]
    assert services["worker"].get("deploy", {}).get("replicas", 1) >= 2
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_every_compose_role_is_handled_by_the_entrypoint(compose):
    roles = set()
    for pattern in _entrypoint_roles():
        roles.update(pattern.split("|"))
    for name in APP_SERVICES:
        command = _command(compose["services"][name])
        assert command and command[0] in roles, (name, command, sorted(roles))


def test_dockerfile_builds_a_slim_non_root_image_with_collected_static_files(dockerfile):
    assert _last(dockerfile, "FROM")[0].startswith("python:3.11-slim")
    user = _last(dockerfile, "USER")[0]
    assert user not in {"root", "0"}
    runs = " ".join(args for keyword, args in dockerfile if keyword == "RUN")
    assert "pip install" in runs
    assert re.search(r"DJANGO_DEBUG=0 .*collectstatic --noinput", runs)


def test_dockerfile_entrypoint_script_exists_in_the_repo_and_is_executable(dockerfile):
    workdir = Path(_last(dockerfile, "WORKDIR")[0])
    entrypoint = Path(_last(dockerfile, "ENTRYPOINT")[0])
    script = ROOT / entrypoint.relative_to(workdir)
    assert script.is_file()
    assert os.access(script, os.X_OK)
    assert script.read_text(encoding="utf-8").startswith("#!/bin/sh")
    assert _last(dockerfile, "CMD")[0] in _entrypoint_roles()


def test_gunicorn_target_named_by_the_entrypoint_imports():
    script = (ROOT / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    module_name, attribute = re.search(r"gunicorn\s+([\w.]+):(\w+)", script).groups()
    assert module_name == "citymgmt.wsgi"
    application = getattr(importlib.import_module(module_name), attribute)
    assert callable(application)


def test_ci_run_is_executable_and_runs_make_test():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in text
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert any(re.match(r"\s*make test\b", line) for line in code)


def test_makefile_has_the_run_and_test_targets_the_readme_promises():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, flags=re.MULTILINE))
    assert {"run", "test"} <= targets
    assert "Procfile.dev" in makefile


def test_procfile_starts_web_worker_and_beat():
    lines = (ROOT / "Procfile.dev").read_text(encoding="utf-8").splitlines()
    processes = dict(line.split(":", 1) for line in lines if re.match(r"^[\w-]+:", line))
    assert next(iter(processes)) == "web", "honcho gives $PORT to the first process"
    assert "runserver 127.0.0.1:$PORT" in processes["web"]
    assert "celery -A citymgmt worker" in processes["worker"]
    assert "celery -A citymgmt beat" in processes["beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in processes["beat"]


def test_web_is_published_on_loopback_only_behind_the_trusted_proxy(compose):
    # gunicorn trusts TRUSTED_PROXY_COUNT proxies' X-Forwarded-For: reachable from outside, any
    # client could forge its address (per-IP limits) and X-Forwarded-Proto (HTTPS redirect).
    services = compose["services"]
    for name, service in services.items():
        for published in service.get("ports", []):
            if isinstance(published, str):  # "[HOST:]PUBLISHED:TARGET"
                match = re.match(r"(127\.0\.0\.1|\[::1\]):", published)
                host = match[1] if match else "every interface"
            else:
                host = published.get("host_ip", "every interface")
            assert host in ("127.0.0.1", "[::1]"), (name, published)
    assert services["web"]["ports"], "web is published for the reverse proxy"
    assert _environment(services["web"])["TRUSTED_PROXY_COUNT"].startswith("${TRUSTED_PROXY_COUNT")
