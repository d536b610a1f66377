"""The demo site served by a real server process (runserver via run_site, or gunicorn under
production settings) on a loopback port, on its own copy of a demo SQLite database."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE = 90  # seconds for a server to answer; the machine is shared and loaded
STOP_DEADLINE = 30
# Settings that would make a copy of the site point elsewhere than where it is served.
_NOT_INHERITED = {"HOST", "PORT", "WAGTAILADMIN_BASE_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *argv: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *argv],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.stdout


@functools.cache
def _demo_database() -> tuple[Path, Path]:
    """Migrated, with the demo content loaded as a first `make run` without HOST/PORT does
    (the Site record says 127.0.0.1:8000). Built once per test process: migrating is slow."""
    folder = Path(tempfile.mkdtemp(prefix="clinic-demo-db-"))
    atexit.register(shutil.rmtree, folder, True)
    env = _base_env(folder / "db.sqlite3", folder / "media", folder)
    manage(env, "migrate", "-v0")
    manage(env, "load_initial_data", "--no-admin")
    return folder / "db.sqlite3", folder / "media"


def _base_env(database: Path, media: Path, folder: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _NOT_INHERITED}
    return env | {
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(media),
        "CACHE_DIR": str(folder / "cache"),
        "STATIC_ROOT": str(folder / "static"),
    }


def demo_site_copy(folder: Path) -> dict[str, str]:
    """Environment for manage.py and servers using a fresh copy of the demo database."""
    database, media = _demo_database()
    shutil.copy(database, folder / "db.sqlite3")
    shutil.copytree(media, folder / "media")
    return _base_env(folder / "db.sqlite3", folder / "media", folder)


def production_env(env: dict[str, str]) -> dict[str, str]:
    """Production settings on loopback over plain http (no TLS here, so no SSL redirect)."""
    return env | {
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "test-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


@contextlib.contextmanager
def serving(argv: list[str], env: dict[str, str], url: str) -> Iterator[subprocess.Popen]:
    """Run `argv` in its own process group until `url` answers; stop the whole group after."""
    process = subprocess.Popen(
        argv,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(url, process)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited early: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url} within {START_DEADLINE}s")


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and the body as sent (urllib does not decompress)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
