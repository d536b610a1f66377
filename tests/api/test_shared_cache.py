"""The cached page JSON across processes: two gunicorn servers and an editor's process share
one database and one file-based cache; every change the editor makes shows at once on both.

On SQLite the test database (in memory) is copied to a file the other processes open; on
PostgreSQL they connect to the test database itself.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import _copy_demo

REPO = Path(__file__).resolve().parents[2]
SETTINGS = """\
import os
from cms.settings.test import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ["SHARED_CACHE_DIR"],
    }
}
MEDIA_ROOT = os.environ["SHARED_MEDIA_ROOT"]
"""
START_DEADLINE = 90  # seconds for a server to answer, on a loaded machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(tmp_path: Path) -> str:
    """A URL the other processes can open for the test database, holding the demo content."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "shared.sqlite3"
        with sqlite3.connect(copy) as target:
            connection.ensure_connection()
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    user, host = db["USER"] or "postgres", db["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


class Actor:
    """The editor's process (tests/api/shared_cache_actor.py)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("shared_cache_actor.py"))],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, *command: object):
        self.process.stdin.write(" ".join(map(str, command)) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the editor process ended on {command}"
        return json.loads(line)

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def get(port: int, path: str, **headers: str) -> tuple[int, dict, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            return response.status, dict(response.headers), json.loads(body) if body else {}
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), {}


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cms.wsgi", "--workers", "1"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return server, port


def wait_until_serving(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if get(port, "/api/v2/pages/?limit=1")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server on {port} did not answer within {START_DEADLINE}s: {log.read_text()}")


@pytest.fixture
def shared_site(demo_rows, transactional_db, tmp_path) -> Iterator[tuple[Actor, list[int]]]:
    _copy_demo(demo_rows, full=True)
    (tmp_path / "shared_cache_settings.py").write_text(SETTINGS)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(tmp_path),
        "DJANGO_SETTINGS_MODULE": "shared_cache_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
        "SHARED_CACHE_DIR": str(tmp_path / "cache"),
        "SHARED_MEDIA_ROOT": settings.MEDIA_ROOT,  # where the demo images are
    }
    started = [start_server(env, tmp_path / f"server{n}.log") for n in range(2)]
    actor = Actor(env)
    try:
        for n, (server, port) in enumerate(started):
            wait_until_serving(server, port, tmp_path / f"server{n}.log")
        yield actor, [port for _, port in started]
    finally:
        actor.stop()
        for server, _ in started:
            server.terminate()
            server.wait(timeout=30)


def both(ports: list[int], path: str, **headers: str) -> list[tuple[int, dict, dict]]:
    return [get(port, path, **headers) for port in ports]


def test_every_change_shows_at_once_on_both_servers(shared_site):
    actor, ports = shared_site
    ids = actor("ids")
    article, services, articles = ids["ims-or-massage"], ids["services"], ids["articles"]
    detail = f"/api/v2/pages/{article}/"
    listing = "/api/v2/pages/?type=pages.ArticlePage&fields=title"

    # One content version for both servers: the ETag starts with it. (The rest differs: each
    # host is part of the cache key, as absolute URLs hold it.)
    first, second = both(ports, detail)
    assert first[0] == second[0] == 200
    assert first[1]["ETag"].split("-")[0] == second[1]["ETag"].split("-")[0]
    assert first[2]["title"] == second[2]["title"]

    both(ports, listing)
    actor("retitle", article, "Needling or massage?")
    for status, _, data in both(ports, detail):
        assert (status, data["title"]) == (200, "Needling or massage?")
    for _, _, data in both(ports, listing):
        assert "Needling or massage?" in [item["title"] for item in data["items"]]

    mover = ids["ims"]
    assert all(
        data["meta"]["html_url"].endswith("/services/ims/")
        for _, _, data in both(ports, f"/api/v2/pages/{mover}/")
    )
    actor("move", mover, articles)
    for status, _, data in both(ports, f"/api/v2/pages/{mover}/"):
        assert status == 200 and data["meta"]["html_url"].endswith("/articles/ims/")

    image = actor("first-image")
    actor("social-image", article, image)
    assert all(data["seo"]["image"]["id"] == image for _, _, data in both(ports, detail))
    actor("image-alt", image, "Hands testing the range of a shoulder")
    for _, _, data in both(ports, detail):
        assert data["seo"]["image"]["alt"] == "Hands testing the range of a shoulder"

    etags = [headers["ETag"] for _, headers, _ in both(ports, detail)]
    actor("clinic-name", "Renamed Physio")
    for port, etag in zip(ports, etags, strict=True):
        status, headers, _ = get(port, detail, **{"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag

    both(ports, f"/api/v2/pages/{services}/")
    actor("unpublish", article)
    assert [status for status, _, _ in both(ports, detail)] == [404, 404]
    for _, _, data in both(ports, listing):
        assert article not in [item["id"] for item in data["items"]]
