"""The schedule form's crawl options: one labelled field per option, with its unit and the
engine's bounds, checked on the server too; stored options load into the fields and save
back as they were."""

from __future__ import annotations

from html.parser import HTMLParser

from audit.engine import OPTION_BOUNDS
from audit.models import AuditSchedule
from audit.option_fields import OPTION_FIELDS
from tests.audit.admin.conftest import client_for, schedule_data

NEW = "/admin/seo-audits/schedules/new/"


class PostForm(HTMLParser):
    """The controls of the page's POST forms: their attributes, the ids labels point at, and
    the data a browser would submit unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.data: dict[str, str] = {}
        self._depth = 0
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._depth += 1
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if not self._depth:
            return
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append({"tag": tag, **a})
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[a["name"]] = a.get("value") or "on"
            elif a.get("type") != "submit":
                self.data[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._first_option = a.get("name"), None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._depth:
            self._depth -= 1
        elif tag == "select" and self._select:
            self.data.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The parser keeps the newline browsers drop after <textarea>.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None


def parsed(html: str) -> PostForm:
    form = PostForm()
    form.feed(html)
    return form


def test_every_crawl_option_has_a_labelled_field_with_the_engines_bounds(people, demo_site):
    for url in (NEW, f"/admin/seo-audits/schedules/edit/{_schedule().pk}/"):
        form = parsed(client_for(people["manager"]).get(url).content.decode())
        unlabelled = [c.get("name") for c in form.controls if c.get("id") not in form.label_for]
        assert unlabelled == []
        by_name = {c.get("name"): c for c in form.controls}
        for name, bound in OPTION_BOUNDS.items():
            field = by_name[f"opt_{name}"]
            assert field["type"] == "number"
            assert float(field["min"]) == bound.low and float(field["max"]) == bound.high
    assert set(OPTION_BOUNDS) <= set(OPTION_FIELDS)
    html = client_for(people["manager"]).get(NEW).content.decode()
    assert "Timeout per request (seconds)" in html
    assert "From 1 to 120; empty: the site default (10)." in html


def test_an_option_out_of_bounds_is_a_one_line_error_beside_its_field(people, demo_site):
    manager = client_for(people["manager"])
    for field, value, message in (
        ("opt_concurrency", "99", "Use a whole number from 1 to 32 requests."),
        ("opt_timeout", "0.5", "Use a number from 1 to 120 seconds."),
        ("opt_max_pages", "lots", "Use a whole number from 1 to 100,000 pages."),
    ):
        response = manager.post(NEW, schedule_data(crawl_options="{}", **{field: value}))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert response.context["form"].errors[field] == [message]
    assert not AuditSchedule.objects.exists()


def test_a_field_and_the_other_options_disagreeing_is_an_error_not_a_choice(people, demo_site):
    response = client_for(people["manager"]).post(
        NEW, schedule_data(crawl_options='{"max_pages": 200}', opt_max_pages="300")
    )
    assert response.status_code == 200
    assert "max_pages is also set, to 200, in the other options" in response.content.decode()
    assert not AuditSchedule.objects.exists()


STORED = {
    "max_pages": 500,
    "delay": 0.5,
    "exclude": [r"\.pdf$", "^/private/"],
    "ignore_robots": True,
    "use_sitemaps": False,
    "user_agent": "ClinicBot/1.0",
    # held by no field exactly: they stay, as JSON, in "Other engine options"
    "time_budget": None,
    "strip_query_params": [],
    "thresholds": {"title_max": 65},
}


def _schedule(**options) -> AuditSchedule:
    return AuditSchedule.objects.create(
        name="Nightly", preset="daily", time_zone="America/Vancouver", crawl_options=options
    )


def test_stored_options_load_into_the_fields_and_save_back_unchanged(people, demo_site):
    schedule = _schedule(**STORED)
    manager = client_for(people["manager"])
    edit = f"/admin/seo-audits/schedules/edit/{schedule.pk}/"
    form = parsed(manager.get(edit).content.decode())
    assert form.data["opt_max_pages"] == "500"
    assert form.data["opt_delay"] == "0.5"
    assert form.data["opt_exclude"] == "\\.pdf$\n^/private/"
    assert form.data["opt_ignore_robots"] == "yes" and form.data["opt_use_sitemaps"] == "no"
    assert form.data["opt_user_agent"] == "ClinicBot/1.0"
    assert form.data["opt_time_budget"] == "" and form.data["opt_concurrency"] == ""
    assert "max_pages" not in form.data["crawl_options"]

    response = manager.post(edit, form.data)
    assert response.status_code == 302, response.context["form"].errors
    schedule.refresh_from_db()
    assert schedule.crawl_options == STORED

    # Changing one field changes that option only.
    response = manager.post(edit, {**form.data, "opt_max_pages": "50", "opt_concurrency": "2"})
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.crawl_options == {**STORED, "max_pages": 50, "concurrency": 2}
