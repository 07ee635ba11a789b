"""The body of a CSV/TXT sheet: pyarrow's reader where the text is plain, pandas' else.

A plain body (no quote, NUL or bare CR in the file; every line from the
first data row on holding the same number of cells) is read by pyarrow's
CSV reader; anything else by ``pd.read_csv``. Both must give the same
frame: the tests read each text both ways and compare.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recon.loaders._readers as readers
from recon.loaders._readers import _lines_at, _read_text


def _both(path: Path, start: int, monkeypatch: pytest.MonkeyPatch) -> tuple[pd.DataFrame, ...]:
    raw = _read_text(path)
    taken = raw.body(start)
    with monkeypatch.context() as m:
        m.setattr(readers, "_arrow_frame", lambda *a: None)  # pandas only
        reference = _read_text(path).body(start)
    return taken, reference


CASES = [
    ("plain, LF", "标题\n姓名,身份证号,地址\n张伟,1,古美路\n王芳,2,\n", 2, True),
    ("plain, CRLF, no final break", "姓名,证号\r\n张伟,1\r\n王芳,2", 1, True),
    ("empty cells and spaces kept", "a,b,c\n, x ,\n,,\n", 1, True),
    ("quoted cell: pandas", '姓名,地址\n张伟,"古美路,1号"\n', 1, False),
    ("bare CR: pandas", "姓名,证号\r张伟,1\r", 1, False),
    ("a short line: pandas", "姓名,证号,地址\n张伟,1\n王芳,2,x\n", 1, False),
    ("blank line in the body: pandas", "姓名,证号\n张伟,1\n\n王芳,2\n", 1, False),
    ("title wider than the table: pandas", "标题,,,\n姓名,证号\n张伟,1\n", 2, False),
    ("tab separated", "姓名\t证号\n张伟\t1\n", 1, True),
]


@pytest.mark.parametrize(
    ("description", "text", "start", "plain"), CASES, ids=[c[0] for c in CASES]
)
def test_body_is_what_pandas_reads(
    description: str,
    text: str,
    start: int,
    plain: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    calls = []
    real = readers._arrow_frame
    monkeypatch.setattr(readers, "_arrow_frame", lambda *a: calls.append(1) or real(*a))
    taken = _read_text(path).body(start)
    monkeypatch.undo()
    reference = _both(path, start, monkeypatch)[1]
    pd.testing.assert_frame_equal(taken, reference)
    assert bool(calls) == plain, description


_CELL = st.sampled_from(["", " ", "张伟", "1", "a b", "310101199001011234", "x;y"])
# what makes a text not plain, or nothing (most texts)
_FLAWS = st.sampled_from(["", "", "", "quote", "bare_cr", "short", "blank", "bom"])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(1, 4),
    cells=st.lists(_CELL, min_size=40, max_size=40),
    height=st.integers(2, 9),
    title=st.booleans(),
    brk=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    flaw=_FLAWS,
    where=st.integers(0, 8),
    sep=st.sampled_from([",", "\t"]),
)
def test_any_body_is_what_pandas_reads(
    width: int,
    cells: list[str],
    height: int,
    title: bool,
    brk: str,
    final: bool,
    flaw: str,
    where: int,
    sep: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [cells[k * width : (k + 1) * width] for k in range(height)]
    at = where % height
    if flaw == "quote":
        rows[at][0] = f'"{rows[at][0]}{sep}"'
    elif flaw == "short" and width > 1:
        rows[at] = rows[at][:-1]
    elif flaw == "bom":
        rows[at][0] = "\ufeff" + rows[at][0]
    lines = [sep.join(r) for r in rows]
    if flaw == "blank":
        lines.insert(at, "")
    if title:
        lines.insert(0, "某某居委来沪人员信息采集表")
    breaks = [brk] * len(lines)
    if flaw == "bare_cr":
        breaks[at] = "\r"
    text = "".join(line + b for line, b in zip(lines, breaks, strict=True))
    if not final:
        text = text.rstrip("\r\n")
    if not text.strip():
        return  # refused before any body is read
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    first = 1 + title
    try:
        reference = _both(path, first, monkeypatch)[1]
    except readers.InputError:  # pandas refuses the text: so does the loader
        with pytest.raises(readers.InputError):
            _read_text(path).body(first)
        return
    pd.testing.assert_frame_equal(_read_text(path).body(first), reference)


@given(st.text(alphabet="ab,\r\n张", max_size=40))
def test_separators_per_line(text: str) -> None:
    """The line counts agree with splitting the text at CRLF, CR and LF."""
    import re

    lines = re.split(r"\r\n|\r|\n", text)
    found = _lines_at(text.encode("utf-8"), ",")
    assert found.seps.tolist() == [line.count(",") for line in lines]
