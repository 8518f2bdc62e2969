"""The canonical JSON form: the module docstring is the spec; these pin it down."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from enum import Enum, IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disposal.audit.canonical import canonical_bytes, sha256_hex
from disposal.audit.errors import CanonicalError


def reference(value: Any) -> bytes:
    """The definition, straight from the docstring."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def test_key_order_does_not_matter() -> None:
    one = {"b": 1, "a": {"y": [1, 2], "x": None}}
    two = {"a": {"x": None, "y": [1, 2]}, "b": 1}
    assert canonical_bytes(one) == canonical_bytes(two) == b'{"a":{"x":null,"y":[1,2]},"b":1}'


def test_keys_sort_by_code_point_and_non_ascii_is_raw_utf8() -> None:
    value = {"é": "café", "B": 1, "a": 2, "\U0001f600": "\u2028", "Ａ": 3}
    expected = '{"B":1,"a":2,"é":"café","Ａ":3,"\U0001f600":"\u2028"}'.encode()
    assert canonical_bytes(value) == expected


def test_string_escapes_are_exactly_the_documented_ones() -> None:
    value = 'q"b\\s/\n\r\t\b\f\x00\x1f\x7f'
    assert canonical_bytes(value) == b'"q\\"b\\\\s/\\n\\r\\t\\b\\f\\u0000\\u001f\x7f"'


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (4.5, b"4.5"),
        (100.0, b"100.0"),
        (-0.0, b"-0.0"),
        (0.0001, b"0.0001"),
        (1e-05, b"1e-05"),
        (2.5e-7, b"2.5e-07"),
        (1e16, b"1e+16"),
        (1234567890123456.0, b"1234567890123456.0"),
        (2**70, b"1180591620717411303424"),
        (True, b"true"),
    ],
)
def test_numbers(number: Any, text: bytes) -> None:
    assert canonical_bytes([number]) == b"[" + text + b"]"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["top", "nested", "beside_null"])
def test_nan_and_infinity_are_rejected(bad: float, where: str) -> None:
    value: Any = {
        "top": bad,
        "nested": {"a": [1, {"b": bad}]},
        "beside_null": {"a": None, "b": bad, "c": "null"},
    }[where]
    with pytest.raises(CanonicalError) as caught:
        canonical_bytes(value)
    assert caught.value.code == "not-json"


@pytest.mark.parametrize(
    "bad", [{1: "a"}, {"a": b"bytes"}, {"d": date(2024, 5, 14)}, {"s": {1, 2}}, [object()]]
)
def test_non_json_values_are_rejected(bad: Any) -> None:
    with pytest.raises(CanonicalError) as caught:
        canonical_bytes(bad)
    assert caught.value.code == "not-json"


def test_message_names_the_path_not_the_value() -> None:
    with pytest.raises(CanonicalError) as caught:
        canonical_bytes({"victim": {"views": "secret words", "age": math.nan}})
    assert "$.victim.age" in caught.value.render()
    assert "secret" not in caught.value.render()


class Colour(Enum):
    RED = "red"


class Rank(StrEnum):
    INSPECTOR = "inspector"


class Outcome(IntEnum):
    CR = 8


def test_str_and_int_enums_are_plain_values_other_enums_are_rejected() -> None:
    assert canonical_bytes({"r": Rank.INSPECTOR, "o": Outcome.CR}) == b'{"o":8,"r":"inspector"}'
    with pytest.raises(CanonicalError):
        canonical_bytes({"c": Colour.RED})


def test_tuples_are_arrays_and_shared_values_are_fine() -> None:
    shared = {"x": 1}
    assert canonical_bytes({"a": (1, 2), "b": shared, "c": shared}) == (
        b'{"a":[1,2],"b":{"x":1},"c":{"x":1}}'
    )


def test_circular_values_are_rejected() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(CanonicalError):
        canonical_bytes(loop)


def test_sha256_hex() -> None:
    assert sha256_hex(b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert sha256_hex(b"abc").startswith("ba7816bf")


json_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_data)
def test_matches_the_definition_for_any_json_data(value: Any) -> None:
    assert canonical_bytes(value) == reference(value)


@settings(max_examples=100, deadline=None)
@given(json_data, st.sampled_from([math.nan, math.inf, -math.inf]))
def test_nan_anywhere_is_rejected(value: Any, bad: float) -> None:
    with pytest.raises(CanonicalError):
        canonical_bytes({"data": value, "bad": [None, bad, "null"]})


def test_lone_surrogates_are_rejected() -> None:
    with pytest.raises(CanonicalError):
        canonical_bytes({"a": "\ud800"})
