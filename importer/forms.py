from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from audit.targets import vet_admin_target
from importer.service import INTO_CHOICES


def allowed_hosts_link() -> str:
    return format_html(
        '<a href="{}" data-allowed-hosts-link>where the allowed hosts are set</a>',
        reverse("site_import:allowed_hosts"),
    )


class ImportForm(forms.Form):
    source_url = forms.CharField(label="Old site", max_length=2000)
    into = forms.ChoiceField(
        label="Import into",
        choices=[(c, c) for c in INTO_CHOICES],
        initial="auto",
        help_text="auto: blog posts (/post/…) go to articles, other pages to services.",
    )
    limit = forms.IntegerField(label="At most this many pages", required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source_url"].help_text = format_html(
            "The old site's address, e.g. https://old.example/. A site on this machine or a "
            "private network (http://127.0.0.1:8080/) must be allowed first, as for audits: {}.",
            allowed_hosts_link(),
        )

    def clean_source_url(self) -> str:
        # The audit's rules and message (audit.targets): private addresses are refused unless
        # they are this CMS's sites or in SEO_AUDIT_ALLOWED_HOSTS; the link says where that is.
        try:
            return vet_admin_target(self.cleaned_data["source_url"])
        except ValidationError as exc:
            if exc.code != "private_target":
                raise
            raise ValidationError(
                format_html("{} See {}.", exc.messages[0], allowed_hosts_link()), code=exc.code
            ) from None
