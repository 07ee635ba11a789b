"""Record preparation helpers: work per distinct value gives what work per row gives.

``_status`` and the name check of ``_problems`` run their pandas operations
over the distinct values of a column and spread the answers back; a column
with a missing value is still done row by row. Appending one missing value
to a column therefore runs the row-by-row path on the same values, and the
answers for the original rows must not change (``_blank`` is held to the
same, and to its cases).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.loaders._prepare import _blank, _status, phone_kind, phone_kinds
from recon.rules import load_rules

_WORDS = st.sampled_from(
    ["", " ", "无", " 无 ", "暂无", "NULL", "None", "nan", "/", "-", "—", "空", "\u3000不详",
     "张伟", "x", "正常", "注销", " 注 销 ", "有效", "已迁出", "1", "0", "1.0", "是", "否", "Y"]
)  # fmt: skip


def _with_missing(values: list[str], dtype: str) -> tuple[pd.Series, pd.Series]:
    column = pd.Series(values, dtype=dtype)
    return column, pd.concat([column, pd.Series([None], dtype=dtype)], ignore_index=True)


@pytest.mark.parametrize("dtype", ["object", "str"])
@given(st.lists(_WORDS, max_size=30))
def test_blank_per_distinct_is_per_row(dtype: str, values: list[str]) -> None:
    column, with_missing = _with_missing(values, dtype)
    assert _blank(column).tolist() == _blank(with_missing)[: len(values)].tolist()
    assert bool(_blank(with_missing)[-1])  # a missing value is blank


def test_blank_cases() -> None:
    column = pd.Series(["", " 无 ", "NULL", "张伟", "暂无", "0"], dtype=object)
    assert _blank(column).tolist() == [True, True, True, False, True, False]


@pytest.mark.parametrize("dtype", ["object", "str"])
@given(st.lists(st.tuples(_WORDS, _WORDS), min_size=1, max_size=30))
def test_status_per_distinct_is_per_row(dtype: str, rows: list[tuple[str, str]]) -> None:
    rules = load_rules(None).status
    words, flags = (list(c) for c in zip(*rows, strict=True))
    plain = pd.DataFrame({"status": words, "cancel_flag": flags}, dtype=dtype)
    missing = pd.concat(
        [plain, pd.DataFrame({"status": [None], "cancel_flag": [None]}, dtype=dtype)],
        ignore_index=True,
    )
    for got, ref in zip(_status(plain, rules), _status(missing, rules), strict=True):
        assert got.tolist() == ref[: len(rows)].tolist()


_PHONES = st.one_of(
    st.from_regex(r"1[0-9]{10}", fullmatch=True),
    st.text(alphabet="0123456789", max_size=14),
    st.text(alphabet="13٣9\n", max_size=12),
)


@given(st.lists(_PHONES, max_size=30))
def test_phone_kinds_is_phone_kind(phones: list[str]) -> None:
    got = phone_kinds(pd.Series(phones, dtype=object))
    assert got.tolist() == [phone_kind(p) for p in phones]
    assert got.dtype == np.dtype(object)
