"""Images on public pages: loading every rendition a page needs in one query, keeping images of
private collections off public pages, and serving uploaded media without leaking private files.

Only renditions (``MEDIA_ROOT/images/``) are ever served from ``MEDIA_URL``: originals
(``original_images/``) and documents (``documents/``) never are, because a document's file name
appears in its public link and an original is never needed by a reader. Documents go through
Wagtail's document view, which applies collection privacy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views import static
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Collection, CollectionViewRestriction

from pages.api.visibility import restricted_collection_ids

RENDITIONS_DIR = "images/"
_REQUEST_MEMO = "_clinic_restricted_collection_ids"
PRIVATE_COLLECTIONS_KEY = "pages:images:private-collections"
# Bounds staleness after changes that send no signal (queryset updates, tree moves).
PRIVATE_COLLECTIONS_TIMEOUT = 600
ImageT = TypeVar("ImageT", bound=AbstractImage)


def private_collection_ids(request: HttpRequest | None = None) -> frozenset[int]:
    """Collections with a view restriction (and their descendants): from the shared cache, which
    is dropped whenever a collection or a collection restriction changes; once per request."""
    ids = getattr(request, _REQUEST_MEMO, None) if request is not None else None
    if ids is None:
        ids = cache.get(PRIVATE_COLLECTIONS_KEY)
        if ids is None:
            ids = frozenset(restricted_collection_ids())
            cache.set(PRIVATE_COLLECTIONS_KEY, ids, PRIVATE_COLLECTIONS_TIMEOUT)
        if request is not None:
            setattr(request, _REQUEST_MEMO, ids)
    return ids


def _on_collection_change(sender, **kwargs) -> None:
    # Again at commit: a request that refilled from the old rows in between is overwritten.
    cache.delete(PRIVATE_COLLECTIONS_KEY)
    transaction.on_commit(lambda: cache.delete(PRIVATE_COLLECTIONS_KEY))


# Connected on import (pages.models imports this module): an image becomes private on public
# pages as soon as its collection, or an ancestor, gets a restriction.
for _model, _signal in [
    (m, s) for m in (Collection, CollectionViewRestriction) for s in (post_save, post_delete)
]:
    _signal.connect(
        _on_collection_change,
        sender=_model,
        dispatch_uid=f"clinic_private_collections:{_model.__name__}:{id(_signal)}",
    )


def public_image(image: ImageT | None, request: HttpRequest | None = None) -> ImageT | None:
    """The image if an anonymous visitor may see it, else None: public pages, JSON-LD, og:image
    and the API skip images of private collections for everyone, so their output can be cached."""
    if image is None or image.collection_id in private_collection_ids(request):
        return None
    return image


def serve_public_media(request: HttpRequest, path: str) -> HttpResponse:
    """``MEDIA_URL`` when Django serves it (no web server in front): renditions only, and those
    of a private image only to people who can use the admin."""
    name = path.removeprefix(RENDITIONS_DIR)
    if name == path or not name or "/" in name:
        raise Http404("Only image renditions are served from the media URL.")
    rendition_model = get_image_model().get_rendition_model()
    rendition = (
        rendition_model.objects.filter(file=path).select_related("image").only("image").first()
    )
    if rendition is None:
        raise Http404("No such image rendition.")
    private = public_image(rendition.image, request) is None
    if private and not request.user.has_perm("wagtailadmin.access_admin"):
        raise Http404("No such image rendition.")
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    if private:
        patch_cache_control(response, private=True, no_store=True)
    return response


def iter_body_images(stream) -> Iterator[AbstractImage]:
    """Images inside a StreamField value, at any depth of struct/list blocks."""
    for child in stream or []:
        yield from images_in(child.value)


def images_in(value) -> Iterator[AbstractImage]:
    """Images inside one block value, at any depth of struct/list blocks."""
    if isinstance(value, AbstractImage):
        yield value
    elif isinstance(value, dict):  # StructValue
        for item in value.values():
            yield from images_in(item)
    elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
        for item in value:
            yield from images_in(getattr(item, "value", item))


def prefetch_renditions(images: Iterable[AbstractImage | None]) -> None:
    """Load the stored renditions of many images in one query, so later lookups are free.
    A long body holds many copies of the same few images (one object per block): the query
    runs for one object per image, and its copies share that object's prefetched renditions
    (Django would build a queryset per copy)."""
    todo = [
        image
        for image in images
        if image is not None and "renditions" not in getattr(image, "_prefetched_objects_cache", {})
    ]
    if not todo:
        return
    first_of: dict[Any, AbstractImage] = {}
    for image in todo:
        first_of.setdefault((type(image), image.pk), image)
    prefetch_related_objects(list(first_of.values()), "renditions")
    for image in todo:
        first = first_of[(type(image), image.pk)]
        if image is not first:
            image._prefetched_objects_cache = {
                **getattr(image, "_prefetched_objects_cache", {}),
                "renditions": first._prefetched_objects_cache["renditions"],
            }


def prefetch_page_renditions(page, *, body: bool = True) -> None:
    """Load the stored renditions of the page's images in one query: hero and sharing image,
    and with `body` every image in its body (which means loading the body's blocks)."""
    images = [image for image in iter_body_images(getattr(page, "body", None))] if body else []
    for field in ("hero_image", "social_image"):
        image = getattr(page, field, None)
        if image is not None:
            images.append(image)
    prefetch_renditions(images)


def prefetch_body_renditions(page) -> None:
    """Load the stored renditions of every image in the page's body in one query."""
    prefetch_renditions(iter_body_images(getattr(page, "body", None)))
