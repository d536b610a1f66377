import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.settings.env import database_from_env

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_file_when_database_url_unset(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_from_env(tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")


def test_postgres_url(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://clinic:s3cret@db.internal:6543/clinic")
    config = database_from_env(tmp_path / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 6543, "clinic")
    assert config["USER"] == "clinic" and config["PASSWORD"] == "s3cret"


@pytest.mark.parametrize(
    "url", ["not a url", "mysql2://x@y/z", "postgres://user:pw@host:notaport/db", "postgres://host"]
)
def test_malformed_database_url_is_a_clear_error(monkeypatch, tmp_path, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        database_from_env(tmp_path / "x")
    message = str(excinfo.value)
    assert "DATABASE_URL" in message and "postgres://" in message
    assert "pw" not in message.replace("postgres://USER:PASSWORD", "")


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_reports_a_malformed_database_url_in_one_line():
    result = run_manage("check", DATABASE_URL="postgres//oops")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("Configuration error: DATABASE_URL is malformed")


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="x" * 20 + "-production-secret-key-for-the-test-only-0123456789",
        ALLOWED_HOSTS="clinic.example",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="",
        ALLOWED_HOSTS="clinic.example",
    )
    assert result.returncode == 2 and "SECRET_KEY" in result.stderr
