"""What else changes page JSON besides pages, sites, clinic settings and view restrictions
(which `pages.render_cache` already watches): images, their renditions, collections and their
view restrictions, and redirects. Each change replaces the same content version through
`pages.render_cache.invalidate`, so the API and the rendered pages go stale together."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Collection, CollectionViewRestriction

from pages import render_cache
from pages.models import ClinicImage, ClinicRendition


def _changed(sender, **kwargs) -> None:
    render_cache.invalidate()


# A new rendition is not a change: the response that needed it is the one creating it.
WATCHED = {
    ClinicImage: (post_save, post_delete),
    ClinicRendition: (post_delete,),
    Collection: (post_save, post_delete),
    CollectionViewRestriction: (post_save, post_delete),
    Redirect: (post_save, post_delete),
}


def connect_invalidation_signals() -> None:
    """Called from PagesConfig.ready()."""
    for model, signals in WATCHED.items():
        for signal in signals:
            signal.connect(_changed, sender=model, dispatch_uid=f"clinic_api_{model.__name__}")
