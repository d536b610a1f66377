"""Every documented option bound, in each place an option comes in: EngineConfig (engine and
SEO_AUDIT settings), the command line, and the admin's schedule form (each option's field,
and the other options' JSON)."""

from __future__ import annotations

import json

import pytest

from audit.engine.cli import build_parser, config_from_args
from audit.engine.config import OPTION_BOUNDS, EngineConfig
from audit.engine.errors import InvalidConfig
from audit.models import AuditSchedule
from tests.audit.admin.conftest import client_for, make_user, schedule_data

# The bounds as the README documents them: (option, command-line flag, lowest, highest).
DOCUMENTED = [
    ("concurrency", "--concurrency", 1, 32),
    ("timeout", "--timeout", 1, 120),
    ("max_redirects", "--max-redirects", 0, 20),
    ("retries", "--retries", 0, 5),
    ("delay", "--delay", 0, 60),
    ("max_pages", "--max-pages", 1, 100_000),
    ("time_budget", "--time-budget", 1, 24 * 60 * 60),
    ("max_depth", "--max-depth", 0, 1000),
]
# What the admin accepted before these bounds, and the values just outside each range.
HOSTILE = {"concurrency": 5000, "timeout": 1e9, "max_redirects": -5, "retries": 1_000_000}


def outside(name: str, low, high) -> list:
    step = 1 if OPTION_BOUNDS[name].whole else 0.5
    values = [low - step, high + step]
    return values + [HOSTILE[name]] if name in HOSTILE else values


CASES_BAD = [
    pytest.param(name, flag, value, id=f"{name}={value}")
    for name, flag, low, high in DOCUMENTED
    for value in outside(name, low, high)
]
CASES_GOOD = [
    pytest.param(name, flag, value, id=f"{name}={value}")
    for name, flag, low, high in DOCUMENTED
    for value in (low, high)
]


@pytest.mark.parametrize(("name", "flag", "value"), CASES_BAD)
def test_config_refuses_values_outside_the_bounds(name, flag, value):
    with pytest.raises(InvalidConfig, match=rf"^{name} must be at least .* got ") as caught:
        EngineConfig(**{name: value})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("name", "flag", "value"), CASES_GOOD)
def test_config_accepts_the_bounds_themselves(name, flag, value):
    assert getattr(EngineConfig(**{name: value}), name) == value


@pytest.mark.parametrize(
    "options",
    [{"concurrency": "8"}, {"timeout": float("nan")}, {"retries": True}, {"max_pages": 2.5}],
    ids=["string", "nan", "bool", "fraction"],
)
def test_config_refuses_values_that_are_not_numbers_of_the_right_kind(options):
    with pytest.raises(InvalidConfig, match="must be a (whole )?number from"):
        EngineConfig(**options)


@pytest.mark.parametrize(("name", "flag", "value"), CASES_BAD)
def test_command_line_refuses_values_outside_the_bounds(name, flag, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["https://clinic.example/", flag, str(value)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"argument {flag}: {name} must be at least" in error


@pytest.mark.parametrize(("name", "flag", "value"), CASES_GOOD)
def test_command_line_accepts_the_bounds_themselves(name, flag, value):
    args = build_parser().parse_args(["https://clinic.example/", flag, str(value)])
    assert getattr(config_from_args(args), name) == value


def test_command_line_names_a_value_that_is_not_a_number(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["https://clinic.example/", "--concurrency", "lots"])
    assert "concurrency must be a whole number from 1 to 32, got 'lots'" in capsys.readouterr().err


@pytest.fixture
def manager(demo_site):
    perms = ("wagtailadmin.access_admin", "audit.view_auditrun", "audit.manage_audits")
    return client_for(make_user("max", *perms))


@pytest.mark.django_db
def test_schedule_form_refuses_every_value_outside_the_bounds(manager):
    for param in CASES_BAD:
        name, _, value = param.values
        response = manager.post(
            "/admin/seo-audits/schedules/new/",
            schedule_data(crawl_options=json.dumps({name: value})),
        )
        assert response.status_code == 200, (name, value)
        assert f"{name} must be at least" in response.content.decode(), (name, value)
    assert not AuditSchedule.objects.exists()


@pytest.mark.django_db
def test_schedule_form_accepts_the_bounds_themselves(manager):
    for param in CASES_GOOD:
        name, _, value = param.values
        response = manager.post(
            "/admin/seo-audits/schedules/new/",
            schedule_data(crawl_options=json.dumps({name: value})),
        )
        assert response.status_code == 302, (name, value)
        assert AuditSchedule.objects.get().crawl_options == {name: value}
        AuditSchedule.objects.all().delete()


@pytest.mark.django_db
def test_schedule_form_shows_the_limits(manager):
    page = manager.get("/admin/seo-audits/schedules/new/").content.decode()
    for name, _, low, high in DOCUMENTED:
        # Each option's own field carries its limits, as attributes and in words.
        assert f'name="opt_{name}"' in page, name
        assert f'min="{low}"' in page and f'max="{high}"' in page, name
        assert f"From {low:,} to {high:,}; empty: the site default" in page, name
