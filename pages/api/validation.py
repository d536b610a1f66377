"""Bad input becomes a 400 with a one-line JSON message before it can reach the database."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from taggit.managers import TaggableManager
from wagtail.api.v2.filters import FieldsFilter, SearchFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.fields import StreamField

# Parameters that Wagtail turns into integer ids and looks up directly.
ID_PARAMETERS = ("id", "child_of", "ancestor_of", "descendant_of", "translation_of")
LARGEST_ID = 2**63 - 1
LARGEST_OFFSET = 2**31 - 1
SEARCH_OPERATORS = ("and", "or")
# Bounds on what a client may send, checked before anything parses it: a value's length in
# characters (MAX_VALUE_LENGTH for any parameter not listed), how many words a search has
# (each becomes a term of the database's full-text query, whose size the backends limit),
# how deep `fields=` nests (Wagtail's parser recurses once per level), how many distinct
# parameters and how often one is repeated.
MAX_VALUE_LENGTH = 1024
MAX_LENGTHS = {"search": 256, "html_path": 1024, "fields": 1024, "type": 512, "order": 128}
MAX_SEARCH_WORDS = 20
MAX_FIELDS_DEPTH = 4
MAX_NAME_LENGTH = 64
MAX_PARAMETERS = 32
MAX_REPEATS = 8
# A word of a search (letters, digits and underscores of any script).
WORD = re.compile(r"\w+")
# Digits in LARGEST_ID: a longer number is too large without converting it (int() refuses
# strings of more than a few thousand digits).
ID_DIGITS = len(str(LARGEST_ID))


# Parameters that take `root` as well as an id.
ROOT_OR_ID = ("child_of", "descendant_of")
# What docs/openapi.json states about the query as a whole (`x-query-limits` in its info).
QUERY_LIMITS = {
    "maxParameters": MAX_PARAMETERS,
    "maxRepeats": MAX_REPEATS,
    "maxNameLength": MAX_NAME_LENGTH,
    "maxValueLength": MAX_VALUE_LENGTH,
}


def documented_bounds(name: str, limit_max: int) -> dict:
    """The JSON Schema keywords that state this parameter's bounds as ``check_query`` (and
    Wagtail's ``limit`` check, at most ``limit_max``) enforce them; docs/openapi.json must
    say the same (tests/api/test_openapi_bounds.py)."""
    whole = {"type": "integer", "minimum": 0}
    if name in ROOT_OR_ID:
        return {"anyOf": [{**whole, "maximum": LARGEST_ID}, {"const": "root"}]}
    if name in ID_PARAMETERS:
        return {**whole, "maximum": LARGEST_ID}
    if name == "limit":
        return {**whole, "maximum": limit_max}
    if name == "offset":
        return {**whole, "maximum": LARGEST_OFFSET}
    if name == "search_operator":
        return {"type": "string", "enum": list(SEARCH_OPERATORS)}
    bounds = {"type": "string", "maxLength": MAX_LENGTHS.get(name, MAX_VALUE_LENGTH)}
    if name == "search":
        bounds["x-maxWords"] = MAX_SEARCH_WORDS
    if name == "fields":
        bounds["x-maxDepth"] = MAX_FIELDS_DEPTH
    return bounds


def check_query(request) -> None:
    """Checks every endpoint runs before its own handling (listing, detail and find): each
    parameter within its bounds, ids and offsets in range, a known search operator. Raises
    BadRequestError with a message naming the parameter."""
    if len(request.GET) > MAX_PARAMETERS:
        raise BadRequestError(f"too many query parameters (at most {MAX_PARAMETERS})")
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise BadRequestError(f"query parameter {key[:64]!r} contains a null character")
        if len(key) > MAX_NAME_LENGTH:
            raise BadRequestError(f"query parameter {key[:64]!r}… has too long a name")
        if len(values) > MAX_REPEATS:
            raise BadRequestError(f"{key} is given more than {MAX_REPEATS} times")
        longest = MAX_LENGTHS.get(key, MAX_VALUE_LENGTH)
        if any(len(value) > longest for value in values):
            raise BadRequestError(f"{key} is too long (at most {longest} characters)")
    for key in ID_PARAMETERS:
        check_whole_number(key, request.GET.get(key), LARGEST_ID)
    check_whole_number("limit", request.GET.get("limit"), LARGEST_OFFSET)
    check_whole_number(
        "offset",
        request.GET.get("offset"),
        LARGEST_OFFSET,
        too_large=f"offset cannot be higher than {LARGEST_OFFSET}",
    )
    search = request.GET.get("search")
    if search is not None and len(WORD.findall(search)) > MAX_SEARCH_WORDS:
        raise BadRequestError(f"search has too many words (at most {MAX_SEARCH_WORDS})")
    fields = request.GET.get("fields")
    if fields is not None and nesting_depth(fields) > MAX_FIELDS_DEPTH:
        raise BadRequestError(f"fields nests too deep (at most {MAX_FIELDS_DEPTH} levels)")
    operator = request.GET.get("search_operator")
    if operator is not None and operator not in SEARCH_OPERATORS:
        raise BadRequestError("search_operator must be 'and' or 'or'")


def check_whole_number(key: str, value: str | None, largest: int, *, too_large: str = "") -> None:
    """A value Wagtail reads with int(): digits 0-9 only (int() also takes other scripts'
    digits, signs and spaces, and refuses some characters `str.isdigit` accepts) and at most
    `largest`. Other text is left to Wagtail, whose message names the parameter."""
    if value is None:
        return
    if value.isdigit() and not (value.isascii() and value.isdecimal()):
        raise BadRequestError(f"{key} must be a positive integer")
    if value.isascii() and value.isdigit() and (len(value) > ID_DIGITS or int(value) > largest):
        raise BadRequestError(too_large or f"{key} is too large")


def nesting_depth(fields: str) -> int:
    """How deep the parentheses of a `fields=` value nest."""
    depth = deepest = 0
    for char in fields:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def check_filter_value(model: type[models.Model], name: str, value: str) -> None:
    """Reject a field filter (`?date=…`) the database could not compare with."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return
    if isinstance(field, TaggableManager):
        return
    if not isinstance(field, models.Field):  # a reverse relation (an image's renditions)
        raise BadRequestError(f"field filter error. {name} cannot be filtered on")
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return  # Wagtail parses booleans itself, with its own 400
    if isinstance(field, StreamField):
        raise BadRequestError(f"field filter error. {name} cannot be filtered on")
    try:
        python_value = field.to_python(value)
    except (ValidationError, TypeError, ValueError) as exc:
        raise BadRequestError(
            f"field filter error. {value!r} is not a valid value for {name}"
        ) from exc
    if python_value is None:  # an empty number or date: the database lookup would fail
        raise BadRequestError(f"field filter error. {value!r} is not a valid value for {name}")
    if isinstance(field, models.IntegerField | models.AutoField):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if (low is not None and python_value < low) or (high is not None and python_value > high):
            raise BadRequestError(f"field filter error. {value!r} is out of range for {name}")


class ValidatedFieldsFilter(FieldsFilter):
    """Wagtail's `?field=value` filter, with values checked against the field first."""

    def filter_queryset(self, request, queryset, view):
        fields = set(view.get_available_fields(queryset.model, db_fields_only=True))
        for name, value in request.GET.items():
            if name == "locale" and not value.strip():
                raise BadRequestError("locale must be a language code")
            if name in fields and name != "locale":
                check_filter_value(queryset.model, name, value)
        return super().filter_queryset(request, queryset, view)


class WordSearchFilter(SearchFilter):
    """Wagtail's `?search=`, given only the query's words. The API's search is plain text (no
    phrase or operator syntax), yet a lone `"` reached SQLite's full-text syntax and a query
    of spaces an empty expression, both errors in the search backend."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        query = request.GET.copy()
        query["search"] = " ".join(WORD.findall(request.GET["search"]))
        # Wagtail's filter reads nothing of the request but its query.
        return super().filter_queryset(SimpleNamespace(GET=query), queryset, view)


REPLACEMENTS = {FieldsFilter: ValidatedFieldsFilter, SearchFilter: WordSearchFilter}


def with_validated_filters(backends: list[type]) -> list[type]:
    return [REPLACEMENTS.get(backend, backend) for backend in backends]
