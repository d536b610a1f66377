"""Previews for a headless front end (wagtail-headless-preview), on when HEADLESS_PREVIEW_URL
is set.

Preview in the editor then stores the draft under a signed token and shows the front end at
`HEADLESS_PREVIEW_URL?content_type=pages.servicepage&token=…`; the front end reads the draft
from `/api/v2/page_preview/?content_type=…&token=…` (`PagePreviewAPIViewSet` in views.py).
Without the setting, Wagtail's own HTML preview is used and the preview endpoint answers 404.
"""

from __future__ import annotations

from wagtail_headless_preview.models import HeadlessPreviewMixin

from pages.api.conf import headless_preview_url


class HeadlessPreviewWhenConfigured(HeadlessPreviewMixin):
    """Page mixin: headless preview when a front-end URL is configured, else Wagtail's own."""

    def get_client_root_url(self, request) -> str:
        return headless_preview_url()

    def serve_preview(self, request, preview_mode):
        if not headless_preview_url():
            # Skip HeadlessPreviewMixin: Wagtail renders the page's own template.
            return super(HeadlessPreviewMixin, self).serve_preview(request, preview_mode)
        return super().serve_preview(request, preview_mode)
