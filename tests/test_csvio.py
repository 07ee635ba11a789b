"""The CSV writer's formula guard, the background writer, and the workbook's
bulk rows (made from Arrow buffers, so checked against what they must say)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.csvio import BackgroundWriter, frame_table, guarded, neutralise, read_csv, write_csv
from recon.writers._rows import MAX_CELL, PendingRows, rows_xml

RISKY = re.compile(r"^[=+\-@\t\r]")


def reference(values: list[str | None]) -> list[str | None]:
    return [None if v is None else ("'" + v if RISKY.match(v) else v) for v in values]


NEUTRALISE_CASES = [
    ("a formula", "=1+2", "'=1+2"),
    ("a plus sign", "+8613800000000", "'+8613800000000"),
    ("a minus sign", "-3", "'-3"),
    ("an at sign", "@SUM(A1)", "'@SUM(A1)"),
    ("a tab first", "\t=1", "'\t=1"),
    ("a carriage return first", "\r=1", "'\r=1"),
    ("already guarded", "'=1", "'=1"),
    ("equals inside", "a=b", "a=b"),
    ("a full-width equals sign is no formula", "＝1", "＝1"),
    ("a space first", " =1", " =1"),
    ("Chinese text", "莘朱路1477弄1号101室", "莘朱路1477弄1号101室"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(
    "description, text, expected", NEUTRALISE_CASES, ids=[c[0] for c in NEUTRALISE_CASES]
)
def test_neutralise(description: str, text: str, expected: str) -> None:
    assert neutralise(pa.array(["x", text, None], pa.string())).to_pylist() == [
        "x",
        expected,
        None,
    ]


texts = st.lists(
    st.one_of(st.none(), st.text(alphabet=st.sampled_from(list("=+-@\t\r a中'\n")), max_size=4)),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(values=texts, start=st.integers(0, 12), length=st.integers(0, 12))
def test_neutralise_matches_the_rule_on_any_slice(values, start, length) -> None:
    """The guard reads first bytes off the buffers: slices and nulls included."""
    array = pa.array(values, pa.string()).slice(min(start, len(values)), length)
    assert neutralise(array).to_pylist() == reference(array.to_pylist())


def test_background_writer_writes_parts_as_one_file(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "name": ["王晓云", "=HYPERLINK(1)", None, "李四"],
            "row": [2, 3, 4, 5],
            "score": [40.5, -3.0, float("nan"), 1.0],
        }
    )
    write_csv(frame, tmp_path / "whole.csv")
    with BackgroundWriter() as writer:
        writer.part(tmp_path / "parts.csv", guarded(frame_table(frame.iloc[:1])))
        writer.part(tmp_path / "parts.csv", guarded(frame_table(frame.iloc[1:])))
        writer.end(tmp_path / "parts.csv")
        writer.write(tmp_path / "other.csv", frame_table(frame))
    whole = (tmp_path / "whole.csv").read_bytes()
    assert (tmp_path / "parts.csv").read_bytes() == whole
    assert (tmp_path / "other.csv").read_bytes() == whole
    assert whole.startswith("\ufeffname,row,score\r\n".encode())
    back = read_csv(tmp_path / "parts.csv")
    assert back["name"].tolist() == ["王晓云", "=HYPERLINK(1)", "", "李四"]


def test_background_writer_holds_few_parts_and_writes_them_in_order(tmp_path: Path) -> None:
    frame = pd.DataFrame({"n": list(range(50)), "t": [f"第{i}行" for i in range(50)]})
    with BackgroundWriter(pending=1) as writer:
        for i in range(50):
            writer.part(tmp_path / "rows.csv", frame_table(frame.iloc[i : i + 1]))
        writer.end(tmp_path / "rows.csv")
        writer.end(tmp_path / "empty.csv")
    write_csv(frame, tmp_path / "whole.csv")
    assert (tmp_path / "rows.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert (tmp_path / "empty.csv").read_bytes() == "\ufeff".encode()


def test_background_writer_raises_what_writing_raised(tmp_path: Path) -> None:
    table = frame_table(pd.DataFrame({"a": ["x"]}))
    with pytest.raises(OSError), BackgroundWriter() as writer:
        writer.write(tmp_path / "no such folder" / "a.csv", table)


# --- workbook rows ------------------------------------------------------------------

_PIECES = [*"a中 \t\n\r\x01\x1f_x0&<>=\ufffe", "𠮷", "_x0041_"]
_CELL_TEXT = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)


def _unescape(text: str) -> str:
    """Excel's _xHHHH_ escapes undone, left to right, as Excel reads an
    inline string (a literal "_x0041_" was written "_x005F_x0041_")."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


@settings(max_examples=200, deadline=None)
@given(
    columns=st.lists(
        st.lists(st.one_of(st.none(), _CELL_TEXT), min_size=3, max_size=3), min_size=1, max_size=4
    ),
    keep_empty=st.booleans(),
)
def test_rows_say_what_the_cells_hold(columns, keep_empty) -> None:
    rows = PendingRows(
        sheet_index=1,
        key=0,
        first_row=4,
        columns=[np.array(c, dtype=object) for c in columns],
        kinds=["text"] * len(columns),
        styles=[3] * len(columns),
        keep_empty=[keep_empty] * len(columns),
    )
    root = ET.fromstring(b"<x>" + rows_xml(rows) + b"</x>")
    assert [r.get("r") for r in root] == ["5", "6", "7"]
    for i, row in enumerate(root):
        cells = {c.get("r"): c for c in row}
        for j, values in enumerate(columns):
            ref = f"{'ABCD'[j]}{i + 5}"
            text = values[i] or ""
            if not text:
                assert (ref in cells) == keep_empty
                if keep_empty:
                    assert cells[ref].get("s") == "3" and not len(cells[ref])
                continue
            t = cells[ref].find("is/t")
            assert t is not None
            shown = t.text or ""
            # Excel keeps leading and trailing spaces only where told to
            spaced = bool(re.search(r"^[\t\n\f\r ]|[\t\n\f\r ]$", shown))
            preserve = t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
            assert spaced == preserve
            assert _unescape(shown) == text


def test_a_cell_longer_than_excel_allows_is_cut() -> None:
    rows = PendingRows(
        1, 0, 0, [np.array(["中" * (MAX_CELL + 5), ""], dtype=object)], ["text"], [1]
    )
    root = ET.fromstring(b"<x>" + rows_xml(rows) + b"</x>")
    t = root[0].find("c/is/t")
    assert t is not None and len(t.text or "") == MAX_CELL
    assert not len(root[1])
