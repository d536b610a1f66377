"""Forms of the audit admin: the run detail's filters, starting a run, the runs list."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_email
from django.urls import reverse
from wagtail.admin.forms import WagtailAdminModelForm

from audit.clinic_time import clinic_zone_name
from audit.conf import CRAWL_OPTION_NAMES
from audit.engine import OPTION_BOUNDS
from audit.models import SEVERITY_CHOICES, AuditRun
from audit.option_fields import OPTION_FIELDS, merge_options, option_form_fields, split_options
from audit.targets import vet_admin_target


class FindingFilterForm(forms.Form):
    """Filters of a run's findings. Choices come from the run so only real values are offered."""

    GROUP_CHOICES = [
        ("fix", "Fix these first"),
        ("check", "By check"),
        ("page", "By page"),
        ("compare", "Compare"),
    ]

    group = forms.ChoiceField(choices=GROUP_CHOICES, required=False, initial="fix")
    severity = forms.ChoiceField(
        choices=[("", "All severities"), *SEVERITY_CHOICES], required=False
    )
    check = forms.ChoiceField(choices=[("", "All checks")], required=False)
    page_type = forms.ChoiceField(choices=[("", "All page types")], required=False)
    new = forms.BooleanField(required=False, label="Only new since the compared run")
    compare = forms.TypedChoiceField(
        coerce=int, choices=[("", "No earlier run")], required=False, empty_value=None
    )

    def __init__(
        self,
        data,
        *,
        checks: list[tuple[str, str]],
        page_types: list[str],
        earlier_runs: list[AuditRun],
    ) -> None:
        super().__init__(data)
        self.fields["check"].choices = [("", "All checks"), *checks]
        self.fields["page_type"].choices = [("", "All page types")] + [(t, t) for t in page_types]
        self.fields["compare"].choices = [("", "No earlier run")] + [
            (run.pk, f"{run.label}, {run.created_at:%d %b %Y} ({run.get_status_display().lower()})")
            for run in earlier_runs
        ]

    def value(self, name: str):
        """The cleaned value, or None for a missing or invalid one (a bad filter is ignored:
        Django leaves fields with errors out of cleaned_data)."""
        self.is_valid()
        return self.cleaned_data.get(name) or None


class StartRunForm(forms.Form):
    target_url = forms.URLField(
        required=False,
        max_length=2000,
        label="Site to audit",
        help_text="Leave empty for the site's root.",
        assume_scheme="https",
    )
    browser = forms.BooleanField(
        required=False,
        label="Also check pages in a browser",
        help_text="Contrast in light and dark themes, accessibility, scripts: slower.",
    )

    def clean_target_url(self) -> str:
        url = self.cleaned_data["target_url"]
        return vet_admin_target(url) if url else url

    def run_options(self) -> dict | None:
        """The engine options the form asks for (None: the site's defaults)."""
        return {"browser": True} if self.cleaned_data.get("browser") else None


# Declared here so Wagtail's panels can name them (audit.option_fields: one per option).
CrawlOptionFields = type("CrawlOptionFields", (forms.Form,), option_form_fields())


class AuditScheduleForm(CrawlOptionFields, WagtailAdminModelForm):
    """The schedule editor: the target is vetted like a manual run's; each crawl option has a
    labelled field with its unit and the engine's bounds (``audit.option_fields``), and the
    options no field holds stay as JSON in "Other engine options". ``AuditSchedule.clean()``
    checks the merged options once more, as the engine will.

    ``schedule-form.js`` shows only the fields the chosen preset needs and spells out a custom
    cron line as it is typed (from ``describe_cron_view``). A new schedule starts in the
    clinic's time zone."""

    class Media:
        js = ["audit/schedule-form.js"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Labels and help with the site defaults as they are now (settings can change).
        for name, field in option_form_fields().items():
            if name in self.fields:
                self.fields[name] = field
        if "crawl_options" in self.fields:
            self.fields["crawl_options"].label = "Other engine options"
            self.fields["crawl_options"].help_text = crawl_options_help()
            if not self.is_bound:
                initial, other = split_options(self.instance.crawl_options)
                self.initial.update(initial)
                self.initial["crawl_options"] = other
        if "time_zone" in self.fields:
            # Left out (a form posted without it): the clinic's zone, as for a new schedule.
            self.fields["time_zone"].required = False
            if not self.instance.pk and not self.is_bound:
                self.initial["time_zone"] = clinic_zone_name()
        if "cron" in self.fields:
            self.fields["cron"].widget.attrs["data-describe-url"] = reverse(
                "seo_audits:describe_cron"
            )

    def clean_target_url(self) -> str:
        url = self.cleaned_data["target_url"]
        return vet_admin_target(url) if url else url

    def clean_time_zone(self) -> str:
        return self.cleaned_data.get("time_zone") or clinic_zone_name()

    def clean(self):
        cleaned = super().clean()
        if "crawl_options" not in self.fields or "crawl_options" not in cleaned:
            return cleaned  # the JSON did not parse: its field says why
        other = cleaned["crawl_options"]
        if other is None:
            other = {}
        if not isinstance(other, dict):
            self.add_error(
                "crawl_options", 'Other engine options must be a JSON object, e.g. {"profile": {}}.'
            )
            return cleaned
        options, errors = merge_options(cleaned, other)
        for name, message in errors.items():
            self.add_error(name, message)
        cleaned["crawl_options"] = options
        return cleaned


def crawl_options_help() -> str:
    """What "Other engine options" is for: the options without a field of their own."""
    without_field = sorted((CRAWL_OPTION_NAMES | {"thresholds"}) - set(OPTION_FIELDS))
    nullable = sorted(name for name, bound in OPTION_BOUNDS.items() if bound.optional)
    return (
        "Engine options that have no field above, as a JSON object, e.g. "
        f'{{"thresholds": {{"title_max": 65}}}}: {", ".join(without_field)}. Also where a '
        f"limit is set to null (no limit) over a site default: {', '.join(nullable)}."
    )


MAX_EMAIL_RECIPIENTS = 20


class RunEmailForm(forms.Form):
    """Addresses to send one run's report to (the e-mail a schedule sends)."""

    to = forms.CharField(
        label="E-mail this report to",
        max_length=2000,
        help_text=f"Addresses separated by commas or new lines; at most {MAX_EMAIL_RECIPIENTS}.",
        error_messages={"required": "Give at least one e-mail address."},
    )

    def clean_to(self) -> list[str]:
        parts = self.cleaned_data["to"].replace("\n", ",").replace(";", ",").split(",")
        addresses = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
        if not addresses:
            raise forms.ValidationError("Give at least one e-mail address.")
        if len(addresses) > MAX_EMAIL_RECIPIENTS:
            raise forms.ValidationError(
                f"At most {MAX_EMAIL_RECIPIENTS} addresses at once; {len(addresses)} given."
            )
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(f"{address!r} is not an e-mail address.") from None
        return addresses


class RunListFilterForm(forms.Form):
    KIND_CHOICES = [
        ("site", "Site audits"),
        ("page", "Single-page audits (after publishing)"),
        ("all", "All audits"),
    ]
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False, initial="site")
