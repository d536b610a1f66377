"""Wagtail admin views of the SEO audit: runs, reports, exports, schedules, editor panel."""
