"""The matcher's array helpers: codes, ID numbers and the blocking join keep
exactly the equalities of the text they stand for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.matchers._blocking import _join
from recon.matchers._records import Records, combine_codes, id_numbers, prefix_numbers

_ID_TEXT = st.one_of(
    st.text(alphabet="0123456789X", min_size=17, max_size=19),
    st.sampled_from(["", "11010519491231002X", "110105194912310021", "3101", "abc"]),
    st.text(alphabet="0123456789X０１ａ", max_size=20),
)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Two labellings that put the same rows together."""
    return bool((pd.factorize(a)[0] == pd.factorize(b)[0]).all())


@pytest.mark.parametrize(
    ("description", "text", "expected"),
    [
        ("a valid ID: its 17 digits and check as a number", "11010519491231002X", True),
        ("an ID ending in a digit", "110105194912310021", True),
        ("blank: no number", "", False),
        ("lower-case x: text, not a number", "11010519491231002x", False),
        ("full-width digit: text, not a number", "1101051949123100２1", False),
        ("too short", "3101", False),
    ],
)
def test_id_numbers_read_only_seventeen_digits_and_a_check(description, text, expected):
    number = int(id_numbers(np.array([text], dtype=object))[0])
    assert (0 <= number < 2 * 10**18) == expected, description
    assert (number == -1) == (text == ""), description


@given(st.lists(_ID_TEXT, max_size=40))
def test_id_numbers_equal_exactly_when_the_texts_are(texts):
    values = np.array(texts, dtype=object)
    numbers = id_numbers(values)
    assert _same_partition(numbers, values)
    assert ((numbers == -1) == (values == "")).all()


@given(st.lists(_ID_TEXT, max_size=40), st.sampled_from([6, 14]))
def test_prefix_numbers_equal_exactly_when_the_prefixes_are(texts, size):
    values = np.array(texts, dtype=object)
    numbers = prefix_numbers(values, size)
    heads = np.array([t[:size] if len(t) >= size else "" for t in texts], dtype=object)
    assert _same_partition(numbers, heads)
    assert ((numbers == -1) == (heads == "")).all()


@given(st.lists(st.tuples(st.integers(-1, 3), st.integers(-1, 3)), max_size=30))
def test_combined_codes_equal_exactly_when_every_part_is(rows):
    first = np.array([r[0] for r in rows], dtype=np.int64)
    second = np.array([r[1] for r in rows], dtype=np.int64)
    key = combine_codes([first, second])
    missing = (first < 0) | (second < 0)
    assert ((key == -1) == missing).all()
    pairs = np.array([f"{x},{y}" for x, y in rows], dtype=object)
    assert _same_partition(key[~missing], pairs[~missing])


@given(
    st.lists(st.integers(0, 5), max_size=25),
    st.lists(st.integers(0, 5), max_size=25),
    st.integers(1, 4),
)
def test_join_pairs_rows_as_an_inner_merge_does(left_keys, right_keys, max_block):
    left = np.arange(len(left_keys), dtype=np.int64)
    right = np.arange(len(right_keys), dtype=np.int64) + 100
    lk, rk = np.array(left_keys, dtype=np.int64), np.array(right_keys, dtype=np.int64)
    a, b = _join(left, lk, right, rk, max_block)
    frame = pd.DataFrame({"b": right, "h": rk})
    frame = frame[frame.groupby("h")["b"].transform("size") <= max_block]
    merged = pd.DataFrame({"a": left, "h": lk}).merge(frame, on="h")
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == list(
        zip(merged["a"], merged["b"], strict=True)
    )


def test_records_read_both_sides_by_combined_position():
    field = pd.DataFrame({"name_key": ["张伟", None], "id_kind": ["valid", "missing"]})
    system = pd.DataFrame({"name_key": ["李娜", "张伟", ""], "id_kind": ["valid"] * 3})
    recs = Records([_side(field), _side(system)], [2, 3])
    assert recs.take("name_key", np.array([4, 0, 2, 1])).tolist() == ["", "张伟", "李娜", ""]
    codes, uniques = recs.codes("name_key")
    assert uniques.tolist() == ["张伟", "李娜"]
    assert codes.tolist() == [0, -1, 1, 0, -1]


def _side(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return Records.from_frame(frame).parts[0]  # type: ignore[return-value]
