"""Typed page listings (`?type=pages.ArticlePage`) serialised by hand from plain rows.

The same answer as Wagtail's serializers (tests/api/test_typed_listing.py compares the two on
every query shape), at a fraction of the cost per page: DRF runs every field through its
generic machinery, Wagtail builds a model object per page, image, locale and rendition and
routes each page's URL, and the ORM builds and compiles each query anew. Here the listing's
query reads ids and the total, the columns the fields show come as tuples from a SELECT
compiled once, images come with their renditions, tags and breadcrumb ancestors from written
SQL (the same number of queries as before, or fewer), URLs from the site root paths read once
per request, and each field is a small function reading the row.

Only what is known is served this way: a page model with Wagtail's URL routing, fields of the
kinds listed in `_field_reader`, a database query (not search results), pages that are not
aliases. Anything else (`parent`, bodies, a field type added later, `?search=`) returns None
and the view uses DRF, as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from rest_framework import ISO_8601
from rest_framework import fields as drf
from rest_framework.settings import api_settings
from wagtail.api.utils import get_full_url
from wagtail.api.v2.serializers import (
    DetailUrlField,
    PageAliasOfField,
    PageLocaleField,
    PageTypeField,
)
from wagtail.api.v2.utils import get_object_detail_url
from wagtail.models import Page, Site

from pages.api import fields as api_fields
from pages.api.images import image_representation
from pages.api.references import public_page_check
from pages.api.rich_text import pre_expand
from pages.api.serializers import SharedHtmlUrlField
from pages.api.view_count_marker import VIEW_COUNT_MARKER_KEY, view_count_placeholder
from pages.images import prefetch_renditions, public_image
from pageviews.api import views_for_many

# Model properties a listing shows, with the columns each reads (a property not listed here
# sends the listing to DRF).
PROPERTY_COLUMNS: dict[str, tuple[str, ...]] = {
    "session_length": ("session_minutes_min", "session_minutes_max"),
    "meta_title": ("seo_title", "title"),
    "meta_description": ("search_description", "introduction"),
}
# Columns of a page every listing item needs (URL, breadcrumbs, public check, references).
BASE_COLUMNS = (
    "id",
    "path",
    "depth",
    "url_path",
    "live",
    "title",
    "content_type_id",
    "alias_of_id",
)
# What a referenced page (call-to-action target, breadcrumb ancestor) needs to be checked by
# `PublicPageCheck` and shown as a reference.
TARGET_COLUMNS = ("id", "path", "depth", "url_path", "live", "title", "content_type_id")
# Rendition columns Wagtail reads to find and show a stored rendition.
RENDITION_COLUMNS = ("id", "filter_spec", "file", "width", "height", "focal_point_key", "image_id")
# Image columns a listing reads: representation, privacy, default alt text, rendition lookup
# (focal point, SVG check by file name). Any other is loaded if something asks for it.
IMAGE_COLUMNS = (
    "id",
    "title",
    "file",
    "width",
    "height",
    "focal_point_x",
    "focal_point_y",
    "focal_point_width",
    "focal_point_height",
    "collection_id",
    "description",
)
# The serializer fields DRF makes for model columns, by exact type (a subclass, such as
# Wagtail's rich text serializer, may read the request: it goes to DRF).
_DRF_MODEL_FIELDS = frozenset(
    {
        drf.IntegerField,
        drf.CharField,
        drf.SlugField,
        drf.URLField,
        drf.EmailField,
        drf.BooleanField,
        drf.DateField,
        drf.DateTimeField,
        drf.FloatField,
        drf.DecimalField,
        drf.ReadOnlyField,
    }
)
_PLACEHOLDER_PK = 987654321012
# Reversed page paths, by (urlconf, script prefix, language, path below the site root).
_PAGE_PATHS: dict[tuple, str | None] = {}
PAGE_PATHS_KEPT = 10_000


class Row:
    """One page as the listing reads it: its columns as attributes (`pk` too), and the related
    objects it shows (images, call-to-action target) once built."""

    def __init__(self, names: Sequence[str], values: Sequence[Any]) -> None:
        self.__dict__.update(zip(names, values, strict=True))
        self.pk = self.id


Reader = Callable[[Row], Any]


class TypedListing:
    """One response's plan: which columns to read and how each field is written."""

    def __init__(self, view, model: type[Page], serializer_class: type) -> None:
        self.view = view
        self.model = model
        self.context: dict[str, Any] = view.get_serializer_context()
        self.request = self.context.get("request")
        self.router = self.context.get("router")
        self.columns: dict[str, None] = dict.fromkeys(BASE_COLUMNS)
        self.images: list[str] = []  # foreign keys to images the fields show
        self.target: str | None = None  # foreign key to a call-to-action page
        self.locale = False
        self.rows: list[Row] = []
        self._url_memo: dict[str, str | None] = {}
        # What reverse() depends on besides the path (see `_page_path`).
        self._reverse_key = (get_urlconf(), get_script_prefix(), get_language())
        self._detail_template: str | None = None
        self._references: dict[int, dict[str, Any]] = {}
        self._crumbs_above: dict[str, list[dict[str, Any]]] = {}
        self.meta: list[tuple[str, Reader]] = []
        self.core: list[tuple[str, Reader]] = []
        self.has_id = False
        for name, field, is_meta in _serializer_fields(serializer_class):
            reader = self._field_reader(name, field)
            if reader is None:
                raise _NotHandled(name)
            if is_meta:
                self.meta.append((name, reader))
            else:
                self.core.append((name, reader))
                self.has_id = self.has_id or name == "id"

    @classmethod
    def for_view(cls, view, queryset) -> TypedListing | None:
        """The plan for this listing, or None when it is not one this module serves."""
        model = getattr(queryset, "model", None)
        if (
            not isinstance(queryset, QuerySet)
            or model is None
            or model is Page
            or not issubclass(model, Page)
            or model.get_url_parts is not Page.get_url_parts
            or model.get_full_url is not Page.get_full_url
            or getattr(settings, "WAGTAIL_I18N_ENABLED", False)
            or view.action != "listing_view"
        ):
            return None
        try:
            return cls(view, model, view.get_serializer_class())
        except _NotHandled:
            return None

    # -- reading ---------------------------------------------------------------------------

    def fetch(self, queryset: QuerySet) -> bool:
        """Read the requested page of the listing; False when a page is an alias (then the
        view serialises the listing with DRF).

        The view's paginator checks `limit` and `offset`. The listing's query (Wagtail's
        filters, order, slice) reads only the ids, and the total in the same query (a window
        function; a COUNT of its own only when the page asked for is empty). The columns the
        fields read, with the call-to-action target joined as the typed query joined it, come
        from a second query by id whose SELECT is compiled once per model and columns
        (`_rows_by_id`): asking the ORM for two dozen columns by name, and compiling them,
        cost more than both queries' execution. Two queries, as before (count and page).
        Images come with their renditions (`_load_images`)."""
        paginator = self.view.paginator
        bounds = paginator.paginate_queryset(_Bounds(), self.request, self.view)
        names: list[str] = list(self.columns)
        if self.target:
            names += [f"{self.target}__{name}" for name in TARGET_COLUMNS]
        if self.locale:
            names.append("locale__language_code")
        db = queryset.db
        counted = connections[db].features.supports_over_clause
        if counted:
            found = list(queryset.values_list("pk", Window(Count("*")))[bounds])
        else:
            found = list(queryset.values_list("pk")[bounds])
        if not counted:
            paginator.total_count = queryset.count()
        elif found:
            paginator.total_count = found[0][-1]
        else:
            # Nothing at all, unless the slice started past the end or was empty (limit=0).
            empty_slice = bounds.start > 0 or bounds.stop <= bounds.start
            paginator.total_count = queryset.count() if empty_slice else 0
        tuples = _rows_by_id(db, self.model, names, [ids[0] for ids in found])
        return self.load(tuples, db)

    def load(self, tuples: Sequence[tuple], db: str) -> bool:
        """Turn the fetched tuples into rows; False when a page is an alias (its `alias_of`
        reference is left to Wagtail's serializer)."""
        self.db = db
        width = len(self.columns)
        columns = list(self.columns)
        rows = []
        for values in tuples:
            row = Row(columns, values[:width])
            if row.alias_of_id is not None:
                return False
            offset = width
            if self.target:
                target_values = values[offset : offset + len(TARGET_COLUMNS)]
                offset += len(TARGET_COLUMNS)
                target = None
                if target_values[0] is not None:
                    target = _instance(Page, db, TARGET_COLUMNS, target_values)
                setattr(row, self.target, target)
            if self.locale:
                row.locale_language_code = values[offset]
            rows.append(row)
        self.rows = rows
        return True

    def items(self) -> list[dict[str, Any]]:
        """Every page's item, after loading what all of them need (renditions, introductions'
        links, tags, ancestors, view counts) in the same queries the serializer path runs."""
        self._load_images()
        if "introduction" in self.columns:
            pre_expand([row.introduction or "" for row in self.rows], self.context)
        items = []
        for row in self.rows:
            data: dict[str, Any] = {}
            if self.has_id:
                data["id"] = None
            if self.meta:
                meta = {}
                for name, reader in self.meta:
                    value = reader(row)
                    if value is not _SKIP:
                        meta[name] = value
                if meta:
                    data["meta"] = meta
            for name, reader in self.core:
                data[name] = reader(row)
            items.append(data)
        return items

    def _load_images(self) -> None:
        """The images the rows show, each with its stored renditions, from the renditions
        query alone (one object per image); an image without any rendition yet is loaded by
        itself (its renditions are then made on first use, as before)."""
        if not self.images:
            return
        by_model: dict[type, set[int]] = defaultdict(set)
        for fk in self.images:
            image_model = self.model._meta.get_field(fk).related_model
            by_model[image_model].update(
                image_id for row in self.rows if (image_id := getattr(row, f"{fk}_id"))
            )
        loaded = {}
        for image_model, ids in by_model.items():
            images = images_with_renditions(self.db, image_model, ids)
            missing = ids - images.keys()
            if missing:
                extra = image_model.objects.in_bulk(missing)
                prefetch_renditions(extra.values())
                images.update(extra)
            loaded[image_model] = images
        for fk in self.images:
            images = loaded[self.model._meta.get_field(fk).related_model]
            for row in self.rows:
                setattr(row, fk, images.get(getattr(row, f"{fk}_id")))

    # -- fields ----------------------------------------------------------------------------

    def _field_reader(self, name: str, field) -> Reader | None:  # noqa: C901 (one per kind)
        kind = type(field)
        if kind is PageTypeField:
            return self._type_name
        if kind is DetailUrlField:
            return self._detail_url
        if kind is SharedHtmlUrlField:
            return self.page_url
        if kind is PageLocaleField:
            self.locale = True
            return lambda row: row.locale_language_code
        if kind is PageAliasOfField:
            return lambda row: None  # pages with an alias_of go to DRF (see `load`)
        if kind is api_fields.RichTextHtmlField:
            return self._rich_text_reader(field)
        if kind is api_fields.HeroImageField:
            if not self._needs_image("hero_image", "hero_image_alt", "hero_image_decorative"):
                return None
            return self.hero_image
        if kind is api_fields.SocialImageField:
            return self.social_image if self._needs_image("social_image") else None
        if kind is api_fields.SeoField:
            return self._seo_reader()
        if kind is api_fields.BreadcrumbsField:
            return self.breadcrumbs
        if kind is api_fields.ViewCountField:
            return self.view_count
        if kind is api_fields.TagsField:
            if not hasattr(self.model, "tagged_items"):
                return None
            return self.tags
        if kind is api_fields.CallToActionField:
            return self._call_to_action_reader()
        if kind in _DRF_MODEL_FIELDS:
            return self._model_field_reader(field)
        return None

    def _column(self, source: str) -> bool:
        """Read a concrete column of the page (by field name); False if it is not one."""
        try:
            model_field = self.model._meta.get_field(source)
        except Exception:  # FieldDoesNotExist, or a reverse relation
            return False
        if not getattr(model_field, "concrete", False) or model_field.is_relation:
            return False
        self.columns[model_field.attname] = None
        return True

    def _model_field_reader(self, field) -> Reader | None:
        source = field.source
        if not source or "." in source or source == "*":
            return None
        if self._column(source):
            pass
        elif source in PROPERTY_COLUMNS and isinstance(getattr(self.model, source, None), property):
            for column in PROPERTY_COLUMNS[source]:
                if not self._column(column):
                    return None
            getter = _remembered(self.model, source, getattr(self.model, source).fget)

            def read_property(row: Row) -> Any:
                value = getter(row)
                return None if value is None else field.to_representation(value)

            return read_property
        else:
            return None
        if type(field) in (drf.CharField, drf.SlugField, drf.URLField):
            return lambda row: None if (value := getattr(row, source)) is None else str(value)
        if type(field) is drf.IntegerField:
            return lambda row: None if (value := getattr(row, source)) is None else int(value)
        if type(field) is drf.DateTimeField:
            return _datetime_reader(field, source)
        return lambda row: (
            None if (value := getattr(row, source)) is None else field.to_representation(value)
        )

    def _rich_text_reader(self, field) -> Reader | None:
        source = field.source
        if not self._column(source):
            return None
        context = self.context
        return lambda row: (
            None
            if (value := getattr(row, source)) is None
            else api_fields.rich_text_api(value, context)
        )

    def _needs_image(self, fk: str, *columns: str) -> bool:
        """Read an image foreign key (and columns that go with it); False if the page has no
        such image field."""
        try:
            field = self.model._meta.get_field(fk)
        except Exception:  # FieldDoesNotExist
            return False
        if not (field.many_to_one and getattr(field.related_model, "get_rendition_model", None)):
            return False
        if not all(self._column(column) for column in columns):
            return False
        if fk not in self.images:
            self.images.append(fk)
        self.columns[field.attname] = None
        return True

    def _detail_url(self, row: Row) -> Any:
        template = self._detail_template
        if template is None:
            url = get_object_detail_url(self.router, self.request, self.model, _PLACEHOLDER_PK)
            if url is None or url.count(str(_PLACEHOLDER_PK)) != 1:
                url = get_object_detail_url(self.router, self.request, self.model, row.pk)
                return _SKIP if url is None else url
            template = self._detail_template = url
        return template.replace(str(_PLACEHOLDER_PK), str(int(row.pk)))

    def _type_name(self, row: Row) -> str | None:
        """PageTypeField: the page's specific type, from its content type."""
        model = ContentType.objects.get_for_id(row.content_type_id).model_class()
        if model is None:
            return None
        name = f"{model._meta.app_label}.{model.__name__}"
        self.view.seen_types[name] = model
        return name

    def page_url(self, row: Row) -> str | None:
        """Page.get_full_url(request) for a page with Wagtail's routing, from the site root
        paths read once per request (as Wagtail keeps them on the request)."""
        return page_url(row.url_path, self.request, self._url_memo, self._reverse_key)

    def hero_image(self, row: Row) -> dict[str, Any] | None:
        """The hero image as HeroImageField shows it; worked out once per row (`seo.image`
        shows it again when there is no sharing image)."""
        return self._image_data(
            row, "_hero_data", row.hero_image, row.hero_image_alt, row.hero_image_decorative
        )

    def social_image(self, row: Row) -> dict[str, Any] | None:
        return self._image_data(row, "_social_data", row.social_image, _SKIP, False)

    def _image_data(
        self, row: Row, memo: str, image: Any, alt: Any, decorative: bool
    ) -> dict[str, Any] | None:
        """``image``'s representation if it is public (None otherwise), kept on the row as
        ``memo``; ``alt`` _SKIP means the image's own default alt text."""
        known = row.__dict__.get(memo, _SKIP)
        if known is _SKIP:
            image = public_image(image, self.request)
            known = (
                None
                if image is None
                else image_representation(
                    image,
                    self.request,
                    alt=image.default_alt_text if alt is _SKIP else alt,
                    decorative=decorative,
                )
            )
            setattr(row, memo, known)
        return known

    def _seo_reader(self) -> Reader | None:
        meta_title = self._model_property("meta_title")
        meta_description = self._model_property("meta_description")
        if meta_title is None or meta_description is None or not self._column("canonical_url"):
            return None
        if not self._needs_image("social_image"):
            return None
        has_hero = self._needs_image("hero_image", "hero_image_alt", "hero_image_decorative")

        def seo(row: Row) -> dict[str, Any]:
            return {
                "title": meta_title(row),
                "description": meta_description(row),
                "canonical_url": row.canonical_url or self.page_url(row),
                "image": self.social_image(row) or (self.hero_image(row) if has_hero else None),
            }

        return seo

    def _model_property(self, name: str) -> Callable[[Row], Any] | None:
        prop = getattr(self.model, name, None)
        if not isinstance(prop, property) or name not in PROPERTY_COLUMNS:
            return None
        for column in PROPERTY_COLUMNS[name]:
            if not self._column(column):
                return None
        return _remembered(self.model, name, prop.fget)

    def _call_to_action_reader(self) -> Reader | None:
        if not all(self._column(column) for column in ("cta_label", "cta_text", "cta_url")):
            return None
        try:
            target = self.model._meta.get_field("cta_page")
        except Exception:  # FieldDoesNotExist
            return None
        if not target.many_to_one or not issubclass(target.related_model, Page):
            return None
        self.columns[target.attname] = None
        self.target = "cta_page"
        context = self.context

        def call_to_action(row: Row) -> dict[str, Any] | None:
            return api_fields.call_to_action(row, context, self.reference)

        return call_to_action

    def reference(self, page: Row | Page) -> dict[str, Any]:
        """`page_reference`: id, meta (type, detail_url, html_url), title; once per page."""
        known = self._references.get(page.pk)
        if known is None:
            model = ContentType.objects.get_for_id(page.content_type_id).model_class() or Page
            meta: dict[str, Any] = {"type": f"{model._meta.app_label}.{model.__name__}"}
            if self.router is not None:
                meta["detail_url"] = get_full_url(
                    self.request, self.router.get_object_detail_urlpath(Page, page.pk)
                )
            meta["html_url"] = page_url(
                page.url_path, self.request, self._url_memo, self._reverse_key
            )
            known = self._references[page.pk] = {"id": page.pk, "meta": meta, "title": page.title}
        return known

    # -- data for the whole response (one query each, as PageBatch) -----------------------

    def breadcrumbs(self, row: Row) -> list[dict[str, Any]]:
        """Public ancestors from the home page down, then the page (as PageBatch has them);
        the ancestors' references once per parent (a listing's pages share a few)."""
        step = Page.steplen
        parent_path = row.path[:-step]
        above = self._crumbs_above.get(parent_path)
        if above is None:
            by_path = self._public_ancestors()
            above = self._crumbs_above[parent_path] = [
                self.reference(by_path[row.path[: step * depth]])
                for depth in range(2, row.depth)
                if row.path[: step * depth] in by_path
            ]
        return [*above, self.reference(row)]

    def _public_ancestors(self) -> dict[str, Row]:
        known = getattr(self, "_ancestors", None)
        if known is None:
            step = Page.steplen
            paths = {row.path[: step * depth] for row in self.rows for depth in range(2, row.depth)}
            check = public_page_check(self.context)
            ancestors = [
                Row(TARGET_COLUMNS, values)
                for values in select_in(self.db, Page, TARGET_COLUMNS, "path", paths)
            ]
            known = self._ancestors = {
                ancestor.path: ancestor for ancestor in ancestors if check.is_public(ancestor)
            }
        return known

    def tags(self, row: Row) -> list[str]:
        known = getattr(self, "_tags", None)
        if known is None:
            names: dict[int, list[str]] = defaultdict(list)
            for page_id, name in _tag_names(self.db, self.model, [r.pk for r in self.rows]):
                names[page_id].append(name)
            known = self._tags = {page_id: sorted(tags) for page_id, tags in names.items()}
        return known.get(row.pk, [])

    def view_count(self, row: Row) -> int | str:
        marker = self.context.get(VIEW_COUNT_MARKER_KEY)
        if marker:
            return view_count_placeholder(marker, row.pk)
        known = getattr(self, "_views", None)
        if known is None:
            known = self._views = views_for_many(self.rows)
        return known.get(row.pk, 0)


class _NotHandled(Exception):
    pass


_ROW_QUERIES: dict[tuple, tuple[str, str, dict] | None] = {}
ROW_QUERIES_KEPT = 256


def _rows_by_id(db: str, model: type, names: list[str], ids: list[int]) -> list[tuple]:
    """`model.objects.filter(pk__in=ids).values_list(*names)` in the order of `ids`, with the
    SELECT compiled once (per connection, model and names) and the WHERE written out; the
    values converted as the ORM converts them (dates and booleans on SQLite)."""
    if not ids:
        return []
    connection = connections[db]
    key = (id(connection), model, tuple(names))
    if key not in _ROW_QUERIES:
        if len(_ROW_QUERIES) >= ROW_QUERIES_KEPT:  # `?fields=` is the client's choice
            _ROW_QUERIES.clear()
        _ROW_QUERIES[key] = _row_query(db, model, names)
    built = _ROW_QUERIES[key]
    if built is None:  # a SELECT this function cannot extend: the ORM does it all
        by_id = {
            values[0]: values
            for values in model.objects.using(db)
            .filter(pk__in=ids)
            .order_by()
            .values_list("pk", *names)
        }
        return [by_id[pk][1:] for pk in ids if pk in by_id]
    select, id_column, converters = built
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"{select} WHERE {id_column} IN ({marks})", ids)
        fetched = cursor.fetchall()
    if converters:  # as SQLCompiler.apply_converters
        converted = []
        for values in fetched:
            values = list(values)
            for position, (functions, expression) in converters.items():
                value = values[position]
                for function in functions:
                    value = function(value, expression, connection)
                values[position] = value
            converted.append(tuple(values))
        fetched = converted
    by_id = {values[0]: values for values in fetched}
    return [by_id[pk][1:] for pk in ids if pk in by_id]


def _row_query(db: str, model: type, names: list[str]) -> tuple[str, str, dict] | None:
    """(SELECT … FROM … JOIN …, the id column, converters) for `_rows_by_id`, or None."""
    queryset = model._default_manager.db_manager(db).order_by().values_list("pk", *names)
    compiler = queryset.query.get_compiler(using=db)
    sql, params = compiler.as_sql()
    if params or " WHERE " in sql or " ORDER BY " in sql or " LIMIT " in sql:
        return None
    quote = connections[db].ops.quote_name
    id_column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return sql, id_column, converters


# Answers of the model properties in PROPERTY_COLUMNS by the values of their columns: they
# depend on nothing else, and `meta_description` strips the introduction's tags with an
# HTML parser (~20 µs a page). Kept for the process, a bounded number.
_PROPERTY_VALUES: dict[tuple, Any] = {}
PROPERTY_VALUES_KEPT = 20_000


def _remembered(model: type, name: str, getter: Callable[[Any], Any]) -> Callable[[Row], Any]:
    columns = PROPERTY_COLUMNS[name]

    def value_of(row: Row) -> Any:
        key = (model, name, *(getattr(row, column) for column in columns))
        try:
            return _PROPERTY_VALUES[key]
        except KeyError:
            pass
        value = getter(row)
        if len(_PROPERTY_VALUES) >= PROPERTY_VALUES_KEPT:
            _PROPERTY_VALUES.clear()
        _PROPERTY_VALUES[key] = value
        return value

    return value_of


def _datetime_reader(field, source: str) -> Reader:
    """DRF's DateTimeField.to_representation for ISO 8601 output of an aware datetime (the
    database's), written out: converted to the field's time zone, "+00:00" written "Z".
    Anything else goes to DRF."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = None if hasattr(field, "timezone") else field.default_timezone()
    fast = zone is not None and isinstance(output_format, str) and output_format.lower() == ISO_8601

    def read_datetime(row: Row) -> Any:
        value = getattr(row, source)
        if value is None:
            return None
        if fast and isinstance(value, datetime) and value.utcoffset() is not None:
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return field.to_representation(value)

    return read_datetime


class _Bounds:
    """Stands in for the queryset while the paginator checks `limit` and `offset`: it
    answers the slice asked for (the paginator keeps a count of 0, replaced by `fetch`)."""

    def count(self) -> int:
        return 0

    def __getitem__(self, bounds: slice) -> slice:
        return bounds


_FIELDS: dict[type, list[tuple[str, Any, bool]]] = {}
FIELDS_KEPT = 256


def _serializer_fields(serializer_class: type) -> list[tuple[str, Any, bool]]:
    """(name, bound DRF field, is a meta field) in the serializer's order, worked out once per
    serializer class (the view keeps those): building and binding the fields cost ~0.5 ms.
    Only the fields' sources and context-free `to_representation` are used later."""
    known = _FIELDS.get(serializer_class)
    if known is None:
        serializer = serializer_class(context={})
        known = [
            (name, field, name in serializer.meta_fields)
            for name, field in serializer.fields.items()
            if not field.write_only
        ]
        if len(_FIELDS) >= FIELDS_KEPT:
            _FIELDS.clear()
        _FIELDS[serializer_class] = known
    return known


_SKIP = object()


def select_in(db: str, model: type, columns: Sequence[str], key: str, values) -> list[tuple]:
    """SELECT columns FROM model's table WHERE key IN values: plain columns of plain types
    (text, integers, booleans), so rows need no conversion. Written out because the ORM's
    building and compiling of these small queries cost several times their execution."""
    values = list(values)
    if not values:
        return []
    connection = connections[db]
    quote = connection.ops.quote_name
    names = ", ".join(quote(_column_of(model, name)) for name in columns)
    marks = ", ".join(["%s"] * len(values))
    sql = (
        f"SELECT {names} FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(_column_of(model, key))} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


def _instance(model: type, db: str, attnames: Sequence[str], values: Sequence[Any]):
    """A model object with these columns loaded (any other is loaded when read): `from_db`
    wants them in the model's field order."""
    given = dict(zip(attnames, values, strict=True))
    ordered = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(db, ordered, [given[name] for name in ordered])


def _column_of(model: type, attname: str) -> str:
    return next(f.column for f in model._meta.concrete_fields if f.attname == attname)


def _tag_names(db: str, model: type, page_ids: list[int]) -> list[tuple[int, str]]:
    """(page id, tag name) of every tag of these pages (the tagged-item table joined to the
    tag table), in one query written out as `select_in` is."""
    if not page_ids:
        return []
    through = model._meta.get_field("tagged_items").related_model
    tag_model = through._meta.get_field("tag").related_model
    connection = connections[db]
    quote = connection.ops.quote_name
    item, tag = quote(through._meta.db_table), quote(tag_model._meta.db_table)
    marks = ", ".join(["%s"] * len(page_ids))
    page_id = f"{item}.{quote(_column_of(through, 'content_object_id'))}"
    tag_id = f"{item}.{quote(_column_of(through, 'tag_id'))}"
    sql = (
        f"SELECT {page_id}, {tag}.{quote(_column_of(tag_model, 'name'))} FROM {item} "
        f"INNER JOIN {tag} ON {tag_id} = {tag}.{quote(_column_of(tag_model, 'id'))} "
        f"WHERE {page_id} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, page_ids)
        return cursor.fetchall()


def images_with_renditions(db: str, image_model: type, ids: set[int]) -> dict[int, Any]:
    """The images with these ids that have stored renditions, each holding all of them as if
    prefetched (`prefetch_renditions`), in one query: renditions with their image joined."""
    if not ids:
        return {}
    rendition_model = image_model.get_rendition_model()
    rendition_columns = RENDITION_COLUMNS
    connection = connections[db]
    quote = connection.ops.quote_name
    r_table, i_table = quote(rendition_model._meta.db_table), quote(image_model._meta.db_table)
    names = [f"{r_table}.{quote(_column_of(rendition_model, n))}" for n in rendition_columns]
    names += [f"{i_table}.{quote(_column_of(image_model, n))}" for n in IMAGE_COLUMNS]
    marks = ", ".join(["%s"] * len(ids))
    r_image = f"{r_table}.{quote(_column_of(rendition_model, 'image_id'))}"
    sql = (
        f"SELECT {', '.join(names)} FROM {r_table} INNER JOIN {i_table} ON "
        f"{r_image} = {i_table}.{quote(_column_of(image_model, 'id'))} "
        f"WHERE {r_image} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        fetched = cursor.fetchall()
    width = len(rendition_columns)
    by_image: dict[int, list] = defaultdict(list)
    images: dict[int, Any] = {}
    for values in fetched:
        rendition = _instance(rendition_model, db, rendition_columns, values[:width])
        image = images.get(rendition.image_id)
        if image is None:
            image = images[rendition.image_id] = _instance(
                image_model, db, IMAGE_COLUMNS, values[width:]
            )
        rendition.image = image
        by_image[rendition.image_id].append(rendition)
    for image_id, image in images.items():
        # Where Wagtail looks for renditions prefetched with Prefetch(to_attr=...).
        image.prefetched_renditions = by_image[image_id]
    return images


def page_url(
    url_path: str, request, memo: dict[str, str | None], reverse_key: tuple | None = None
) -> str | None:
    """What `Page.get_full_url(request)` answers for a page of a type that keeps Wagtail's
    routing (`get_url_parts`), without i18n; `memo` keeps the answers of one response."""
    if url_path in memo:
        return memo[url_path]
    root_paths = _site_root_paths(request)
    possible = [srp for srp in root_paths if url_path.startswith(srp.root_path)]
    url = None
    if possible:
        site_id, root_path, root_url, _language = possible[0]
        # As Wagtail: only a Django HttpRequest picks among several sites (the API's DRF
        # request is not one).
        if len({srp[0] for srp in possible}) > 1 and isinstance(request, HttpRequest):
            site = Site.find_for_request(request)
            if site:
                for srp in possible:
                    if srp[0] == site.pk:
                        site_id, root_path, root_url, _language = srp
                        break
        if reverse_key is None:
            reverse_key = (get_urlconf(), get_script_prefix(), get_language())
        page_path = _page_path(reverse_key, url_path[len(root_path) :])
        if page_path is not None:
            url = root_url + page_path
    memo[url_path] = url
    return url


def _site_root_paths(request) -> list:
    """Site.get_site_root_paths(), kept on the request as Page._get_site_root_paths does."""
    if request is None:
        return Site.get_site_root_paths()
    try:
        return request._wagtail_cached_site_root_paths
    except AttributeError:
        request._wagtail_cached_site_root_paths = Site.get_site_root_paths()
        return request._wagtail_cached_site_root_paths


def _page_path(reverse_key: tuple, relative: str) -> str | None:
    """reverse("wagtail_serve") for a path below a site root (None if it does not reverse),
    kept per URL configuration, script prefix and language (`reverse_key`)."""
    key = (*reverse_key, relative)
    if key in _PAGE_PATHS:
        return _PAGE_PATHS[key]
    try:
        page_path = reverse("wagtail_serve", args=(relative,))
    except NoReverseMatch:
        page_path = None
    if (
        page_path is not None
        and not getattr(settings, "WAGTAIL_APPEND_SLASH", True)
        and page_path != "/"
    ):
        page_path = page_path.rstrip("/")
    if len(_PAGE_PATHS) >= PAGE_PATHS_KEPT:
        _PAGE_PATHS.clear()
    _PAGE_PATHS[key] = page_path
    return page_path


__all__ = ["Row", "TypedListing", "page_url"]
