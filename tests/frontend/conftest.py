"""The front end in frontend/, installed once per test session with `npm ci` from the committed
lockfile into a temporary copy, and built or served against the live demo site."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
SOURCES = ("package.json", "package-lock.json", "build.js", "server.js", "eleventy.config.js")
SOURCE_DIRS = ("lib", "src")
NPM_CI_TIMEOUT = 300
BUILD_TIMEOUT = 120


def installed_node_modules() -> Path:
    """`npm ci` from the committed lockfile once per lockfile version on this machine (shared by
    test sessions and xdist workers: each installs into its own folder, the first to finish
    renames it into place)."""
    lock = (FRONTEND / "package-lock.json").read_bytes()
    cache = (
        Path(tempfile.gettempdir()) / f"clinic-cms-frontend-{hashlib.sha256(lock).hexdigest()[:16]}"
    )
    if (cache / "node_modules" / ".package-lock.json").exists():
        return cache / "node_modules"
    scratch = Path(tempfile.mkdtemp(prefix="clinic-cms-frontend-install-"))
    shutil.copy2(FRONTEND / "package.json", scratch)
    shutil.copy2(FRONTEND / "package-lock.json", scratch)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=scratch,
        check=True,
        timeout=NPM_CI_TIMEOUT,
        capture_output=True,
    )
    try:
        scratch.rename(cache)
    except OSError:  # another worker got there first
        shutil.rmtree(scratch, ignore_errors=True)
    return cache / "node_modules"


@pytest.fixture(scope="session")
def frontend_app(tmp_path_factory) -> Path:
    """A copy of frontend/'s sources with its installed dependencies, shared by every test."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed: the front end needs Node.js 20 and npm"
        )
    app = tmp_path_factory.mktemp("frontend-app")
    for name in SOURCES:
        shutil.copy2(FRONTEND / name, app / name)
    for name in SOURCE_DIRS:
        shutil.copytree(FRONTEND / name, app / name)
    (app / "node_modules").symlink_to(installed_node_modules(), target_is_directory=True)
    return app


class FrontEnd:
    """One front end's output and state folders, built from `cms_url`."""

    def __init__(self, app: Path, root: Path, cms_url: str, port: int) -> None:
        self.app, self.cms_url, self.port = app, cms_url.rstrip("/"), port
        self.dist, self.state = root / "dist", root / "state"
        self.url = f"http://127.0.0.1:{port}"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "CMS_API_URL": self.cms_url,
            "FRONTEND_PORT": str(self.port),
            "FRONTEND_DIST": str(self.dist),
            "FRONTEND_STATE_DIR": str(self.state),
            **extra,
        }

    def build(self, *args: str) -> dict:
        done = subprocess.run(
            ["node", "build.js", *args],
            cwd=self.app,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def html(self, path: str) -> str:
        return (self.dist / path.lstrip("/") / "index.html").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def front_end(frontend_app, live_demo_site, tmp_path) -> FrontEnd:
    return FrontEnd(frontend_app, tmp_path, live_demo_site.url, free_port())


class FrontEndServer:
    def __init__(self, front: FrontEnd, process: subprocess.Popen, log: Path) -> None:
        self.front, self.process, self.log = front, process, log

    def status(self) -> dict:
        with urlopen(f"{self.front.url}/_status", timeout=5) as response:
            return json.load(response)

    def wait_for_builds(self, count: int, deadline_seconds: float = 60) -> dict:
        """Polls /_status until `count` builds are done (a deadline, not a measurement)."""
        give_up = time.monotonic() + deadline_seconds
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise AssertionError(f"front-end server exited: {self.log.read_text()}")
            try:
                status = self.status()
            except OSError:
                status = None
            if status and status["builds"] >= count and not status["building"]:
                return status
            time.sleep(0.05)
        raise AssertionError(f"no build {count} in time; log:\n{self.log.read_text()}")

    def wait_until(self, done, deadline_seconds: float = 60) -> dict:
        """Polls until `done()` holds with no build running or waiting."""
        give_up = time.monotonic() + deadline_seconds
        while time.monotonic() < give_up:
            status = self.status()
            if done() and not status["building"] and not status["waiting"]:
                return status
            time.sleep(0.05)
        raise AssertionError(f"not done in time; log:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_lines(self) -> list[dict]:
        return [
            json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")
        ]


@pytest.fixture
def start_front_end_server_for() -> Iterator:
    """Starts `node server.js` for a FrontEnd (stopped at the end of the test)."""
    servers: list[FrontEndServer] = []

    def start(front: FrontEnd, **env: str) -> FrontEndServer:
        front.state.mkdir(parents=True, exist_ok=True)
        log = front.state.parent / f"server-{len(servers)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                ["node", "server.js"],
                cwd=front.app,
                env=front.env(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = FrontEndServer(front, process, log)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def start_front_end_server(front_end, start_front_end_server_for):
    return lambda **env: start_front_end_server_for(front_end, **env)
