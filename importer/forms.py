from __future__ import annotations

from django import forms

from audit.targets import vet_admin_target
from importer.service import INTO_CHOICES


class ImportForm(forms.Form):
    source_url = forms.CharField(
        label="Old site",
        max_length=2000,
        help_text="The old site's address, e.g. https://old.example/",
    )
    into = forms.ChoiceField(
        label="Import into",
        choices=[(c, c) for c in INTO_CHOICES],
        initial="auto",
        help_text="auto: blog posts (/post/…) go to articles, other pages to services.",
    )
    limit = forms.IntegerField(label="At most this many pages", required=False, min_value=1)

    def clean_source_url(self) -> str:
        # Refuses private addresses other than this CMS's sites and the allowed hosts.
        return vet_admin_target(self.cleaned_data["source_url"])
