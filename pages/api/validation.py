"""Bad input becomes a 400 with a one-line JSON message before it can reach the database."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from taggit.managers import TaggableManager
from wagtail.api.v2.filters import FieldsFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.utils import BadRequestError

# Parameters that Wagtail turns into integer ids and looks up directly.
ID_PARAMETERS = ("id", "child_of", "ancestor_of", "descendant_of", "translation_of")
LARGEST_ID = 2**63 - 1
LARGEST_OFFSET = 2**31 - 1
SEARCH_OPERATORS = ("and", "or")


def check_query(request) -> None:
    """Checks every endpoint runs before its own handling (listing, detail and find)."""
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise BadRequestError(f"query parameter {key!r} contains a null character")
    for key in ID_PARAMETERS:
        value = request.GET.get(key)
        if value is not None and value.isdigit() and int(value) > LARGEST_ID:
            raise BadRequestError(f"{key} is too large")
    operator = request.GET.get("search_operator")
    if operator is not None and operator not in SEARCH_OPERATORS:
        raise BadRequestError("search_operator must be 'and' or 'or'")


def check_filter_value(model: type[models.Model], name: str, value: str) -> None:
    """Reject a field filter (`?date=…`) the database could not compare with."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return
    if isinstance(field, TaggableManager) or not isinstance(field, models.Field):
        return
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return  # Wagtail parses booleans itself, with its own 400
    try:
        python_value = field.to_python(value)
    except ValidationError as exc:
        raise BadRequestError(
            f"field filter error. {value!r} is not a valid value for {name}"
        ) from exc
    if isinstance(field, models.IntegerField | models.AutoField) and python_value is not None:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if (low is not None and python_value < low) or (high is not None and python_value > high):
            raise BadRequestError(f"field filter error. {value!r} is out of range for {name}")


class ValidatedFieldsFilter(FieldsFilter):
    """Wagtail's `?field=value` filter, with values checked against the field first."""

    def filter_queryset(self, request, queryset, view):
        fields = set(view.get_available_fields(queryset.model, db_fields_only=True))
        for name, value in request.GET.items():
            if name in fields and name != "locale":
                check_filter_value(queryset.model, name, value)
        return super().filter_queryset(request, queryset, view)


class BoundedPagination(WagtailPagination):
    """Wagtail's limit/offset pagination; an offset beyond any real result set is a 400."""

    def paginate_queryset(self, queryset, request, view=None):
        offset = request.GET.get("offset", "")
        if offset.isdigit() and int(offset) > LARGEST_OFFSET:
            raise BadRequestError(f"offset cannot be higher than {LARGEST_OFFSET}")
        return super().paginate_queryset(queryset, request, view)


def with_validated_filters(backends: list[type]) -> list[type]:
    return [ValidatedFieldsFilter if backend is FieldsFilter else backend for backend in backends]
