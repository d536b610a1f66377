"""The one settings reader every app uses (cms/settings_reader.py): each rule with a value it
keeps and a value it refuses, and the one-line messages of a whole settings dict."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.settings_reader import (
    Refused,
    boolean,
    names,
    number,
    option,
    parse_overrides,
    seconds,
    strings,
    text,
    web_url,
    whole,
)

# (rule, a value it keeps, what it keeps it as, a value it refuses, words of the refusal)
RULES = [
    (boolean, False, False, "no", "must be True or False, not 'no'"),
    (whole(1), 3, 3, 0, "must be a whole number >= 1, not 0"),
    (whole(0), 0, 0, True, "must be a whole number >= 0, not True"),
    (whole(0, 10), 10, 10, 11, "must be at most 10, not 11"),
    (whole(0, unit="of seconds"), 60, 60, "60", "a whole number of seconds >= 0, not '60'"),
    (number(0, below=1), 0.5, 0.5, 1, "must be below 1, not 1"),
    (number(0.001), 2, 2.0, 0, "must be a number >= 0.001, not 0"),
    (seconds, 1, 1.0, 0, "must be a number of seconds > 0, not 0"),
    (text("a path", blank=False), "/x/", "/x/", "/", "must be a path, not '/'"),
    (strings, ["/a/"], ("/a/",), "/a/", "must be a list of strings, not '/a/'"),
    (strings, (), (), [1], "must be a list of strings, not [1]"),
    (web_url("https://a.example/"), "", "", "a.example", "must be an http(s) URL such as"),
    (web_url("https://a.example/"), "http://b.example", "http://b.example", 5, "not 5"),
    (names({"a"}, "option"), {"a": 1}, {"a": 1}, {"b": 1}, "has unknown option(s) 'b'; known: a"),
    (names({"a"}, "option", whole(0)), {"a": 1}, {"a": 1}, {"a": -1}, "['a'] must be a whole"),
]


@pytest.mark.parametrize(("rule", "kept", "as_kept", "refused", "words"), RULES)
def test_each_rule_keeps_a_good_value_and_refuses_a_bad_one(rule, kept, as_kept, refused, words):
    assert rule(kept) == as_kept
    with pytest.raises(Refused) as raised:
        rule(refused)
    assert words in str(raised.value)


@dataclass(frozen=True)
class Sample:
    LIMIT: int = option(5, whole(1))
    SHARES: dict = option({"a": 1}, names({"a", "b"}, "share", whole(0)))
    FLOOR: int = option(0, whole(0))

    def __post_init__(self) -> None:
        if self.FLOOR > self.LIMIT:
            raise Refused(f"['FLOOR'] ({self.FLOOR}) must not exceed LIMIT ({self.LIMIT})")


def test_overrides_apply_key_by_key_and_defaults_are_not_shared():
    parsed = parse_overrides(Sample, {"LIMIT": 9}, name="SAMPLE")
    assert (parsed.LIMIT, parsed.SHARES, parsed.FLOOR) == (9, {"a": 1}, 0)
    assert parse_overrides(Sample, None, name="SAMPLE").SHARES is not parsed.SHARES


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"LIMT": 9}, "SAMPLE has unknown key(s) 'LIMT'; known keys: FLOOR, LIMIT, SHARES."),
        ({"LIMIT": "9"}, "SAMPLE['LIMIT'] must be a whole number >= 1, not '9'."),
        ({"SHARES": {"a": "x"}}, "SAMPLE['SHARES']['a'] must be a whole number >= 0, not 'x'."),
        ({"FLOOR": 6}, "SAMPLE['FLOOR'] (6) must not exceed LIMIT (5)."),
        ([("LIMIT", 9)], "SAMPLE must be a dict, not list."),
    ],
)
def test_a_bad_override_stops_with_one_line_naming_it(overrides, message):
    with pytest.raises(ImproperlyConfigured) as raised:
        parse_overrides(Sample, overrides, name="SAMPLE")
    assert str(raised.value) == message
