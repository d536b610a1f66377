"""One way to read the apps' settings (SEO_AUDIT, PAGE_VIEWS, WEBHOOKS and the API's names).

Each app declares a frozen dataclass of defaults whose fields carry the rule their value must
follow (``option(default, rule)``); ``parse_overrides`` checks a mapping of overrides against
it. An unknown key or a value the rule refuses stops with a one-line ``ImproperlyConfigured``
naming the key and what it accepts; checks across fields go in the dataclass's
``__post_init__`` (raising ``Refused``). ``cached_setting`` keeps a dict setting parsed until
the settings object changes, so hot paths do no validation.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cms.errors import ClinicError

Parsed = TypeVar("Parsed")
Rule = Callable[[Any], Any]  # the value to keep, or Refused saying what is accepted


class Refused(ClinicError, ValueError):
    """The end of a one-line message after the key's name, e.g. "must be True or False"."""


def option(default: Any, rule: Rule) -> Any:
    """A settings dataclass field: its default and the rule an override must follow."""
    if isinstance(default, dict | list | set):
        return dataclasses.field(
            default_factory=lambda: copy.deepcopy(default), metadata={"rule": rule}
        )
    return dataclasses.field(default=default, metadata={"rule": rule})


def known_keys(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls) if "rule" in f.metadata)


def parse_overrides(
    cls: type[Parsed], overrides: object, *, name: str, where: Callable[[str], str] | None = None
) -> Parsed:
    """``cls`` with ``overrides`` applied key by key; ImproperlyConfigured naming what is wrong.
    ``name`` is the setting's name; ``where(key)`` how one key is named in a message."""
    where = where or (lambda key: f"{name}[{key!r}]")
    overrides = overrides or {}
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured(f"{name} must be a dict, not {type(overrides).__name__}.")
    rules = {f.name: f.metadata["rule"] for f in dataclasses.fields(cls) if "rule" in f.metadata}
    unknown = sorted(map(str, set(overrides) - set(rules)))
    if unknown:
        raise ImproperlyConfigured(
            f"{name} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"known keys: {', '.join(sorted(rules))}."
        )
    values = {}
    for key, value in overrides.items():
        try:
            values[key] = rules[key](value)
        except Refused as exc:
            raise ImproperlyConfigured(_joined(where(key), exc)) from None
    try:
        return cls(**values)
    except Refused as exc:  # from __post_init__: a check across fields
        raise ImproperlyConfigured(_joined(name, exc)) from None


def _joined(subject: str, refused: Refused) -> str:
    # A rule's message either goes on ("must be ...") or names a part first ("['key'] ...").
    rest = str(refused)
    return f"{subject}{'' if rest.startswith('[') else ' '}{rest}."


def cached_setting(name: str, parse: Callable[[object], Parsed]) -> Callable[[], Parsed]:
    """A function that returns ``parse(settings.<name>)``, parsed again only when the settings
    object itself changes (``override_settings`` swaps it), so hot paths do no validation."""
    last: list[tuple[object, Parsed]] = []

    def read() -> Parsed:
        raw = getattr(settings, name, None)
        if last and last[0][0] is raw:
            return last[0][1]
        parsed = parse(raw)
        last[:] = [(raw, parsed)]
        return parsed

    return read


# Rules. Each returns the value to keep (converted where that helps its readers).


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Refused(f"must be True or False, not {value!r}")
    return value


def whole(minimum: int = 0, maximum: int | None = None, *, unit: str = "") -> Rule:
    """A whole number >= ``minimum`` (and <= ``maximum``); ``unit`` e.g. "of seconds"."""
    what = f"a whole number {unit + ' ' if unit else ''}>= {minimum}"

    def rule(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise Refused(f"must be {what}, not {value!r}")
        if maximum is not None and value > maximum:
            raise Refused(f"must be at most {maximum}, not {value!r}")
        return value

    return rule


def number(minimum: float, *, below: float | None = None, what: str = "a number") -> Rule:
    """A number >= ``minimum`` (and < ``below``), kept as a float."""

    def rule(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise Refused(f"must be {what} >= {minimum:g}, not {value!r}")
        if below is not None and value >= below:
            raise Refused(f"must be below {below:g}, not {value!r}")
        return float(value)

    return rule


def seconds(value: Any) -> float:
    """A positive number of seconds, kept as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise Refused(f"must be a number of seconds > 0, not {value!r}")
    return float(value)


def text(what: str = "a string", *, blank: bool = True) -> Rule:
    """A string (not blank unless ``blank``); ``what`` says what it is, e.g. with an example."""

    def rule(value: Any) -> str:
        if not isinstance(value, str) or (not blank and not value.strip("/ ")):
            raise Refused(f"must be {what}, not {value!r}")
        return value

    return rule


def strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise Refused(f"must be a list of strings, not {value!r}")
    items = tuple(value)
    if not all(isinstance(item, str) for item in items):
        raise Refused(f"must be a list of strings, not {value!r}")
    return items


def web_url(example: str) -> Rule:
    """An http(s) URL such as ``example``, or "" for none."""

    def rule(value: Any) -> str:
        value = value or ""  # unset in the environment: none
        if not isinstance(value, str) or (value.strip() and not is_web_url(value.strip())):
            raise Refused(
                f"must be an http(s) URL such as {example!r}, or '' for none; not {value!r}"
            )
        return value

    return rule


def names(known: Iterable[str], what: str, values: Rule | None = None) -> Rule:
    """A dict whose keys are among ``known`` (each one a ``what``); ``values`` checks each."""
    known = frozenset(known)

    def rule(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Refused(f"must be a dict, not {type(value).__name__}")
        unknown = sorted(map(str, set(value) - known))
        if unknown:
            raise Refused(
                f"has unknown {what}(s) {', '.join(map(repr, unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        if values is None:
            return dict(value)
        checked = {}
        for key, item in value.items():
            try:
                checked[key] = values(item)
            except Refused as exc:
                raise Refused(f"[{key!r}] {exc}") from None
        return checked

    return rule


def is_web_url(value: Any) -> bool:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False
