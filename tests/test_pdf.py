"""The printed worklists (PDF): wrapping, page layout, and the rendered pages.

Rendered pages are read back with pypdf: every piece of text reportlab draws
comes back with its position, so a page's building cells, ID numbers and
记录号 are told apart by the column they stand in.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.rules import load_rules
from recon.sample import StreetSpec, generate_street
from recon.worklists import NEW_KEY, _committee_rows, visit_frame, write_visit_pdfs
from recon.writers.worklist_pdf import (
    BOTTOM,
    HEADER_HEIGHT,
    PAGE,
    TOP,
    PdfColumn,
    PdfForm,
    page_rows,
    register_font,
    wrap_text,
)

pypdf = pytest.importorskip("pypdf")

EM = 7.5  # a Chinese character's width at the body size
ADDRESS_CHARS = "上海市闵行区古美西路平阳一村九星村组弄号室幢单元"


@pytest.fixture(scope="module")
def font() -> str:
    return register_font([ADDRESS_CHARS, "某人居委（）续"])


# --- wrapping ---------------------------------------------------------------------

WRAP_CASES = [
    ("a line wide enough", "13号101室", 10, ["13号101室"]),
    ("breaks between 号 and the room, never inside 101", "13号101室", 3, ["13号", "101室"]),
    (
        "a long address breaks at unit boundaries",
        "上海市闵行区古美西路426弄47号502室",
        6,
        ["上海市闵行区", "古美西路", "426弄47号", "502室"],
    ),
    (
        "the 人数 in brackets goes to the next line whole",
        "九星村1组52号（1 人）",
        8,
        ["九星村1组52号", "（1 人）"],
    ),
    ("单元 stays with its number", "7号2单元301室", 4, ["7号", "2单元", "301室"]),
    ("a number wider than the line is cut as a last resort", "12345678", 1, list("12345678")),
]


@pytest.mark.parametrize(
    ("description", "text", "room_em", "expected"), WRAP_CASES, ids=[c[0] for c in WRAP_CASES]
)
def test_wrapping(font, description, text, room_em, expected):
    assert list(wrap_text(text, room_em * EM, font)) == expected


_part = st.one_of(
    st.text(ADDRESS_CHARS, min_size=1, max_size=4),
    st.builds(
        lambda n, unit: f"{n}{unit}", st.integers(1, 9999), st.sampled_from(["号", "室", "弄", ""])
    ),
)


@given(parts=st.lists(_part, min_size=1, max_size=8), room_em=st.floats(3.0, 12.0))
@settings(max_examples=150, deadline=None)
def test_wrapping_never_splits_a_number_that_fits(font, parts, room_em):
    text = "".join(parts)
    lines = wrap_text(text, room_em * EM, font)
    assert "".join(lines) == text
    for a, b in pairwise(lines):
        if a[-1].isdigit() and b[0].isdigit():  # only a number wider than a line is cut
            number = re.search(r"\d+$", a).group() + re.match(r"\d+", b).group()
            assert pdf_width(number, font) > room_em * EM, (text, lines)
    for line in lines:
        assert pdf_width(line, font) <= room_em * EM + 1e-6


def pdf_width(text: str, font: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, EM)


# --- layout -----------------------------------------------------------------------

FORM = PdfForm(
    title="测试单",
    short="测试单",
    columns=[
        PdfColumn("seq", "序号", 3, "center"),
        PdfColumn("name", "姓名", 6),
        PdfColumn("address", "住址", 12),
        PdfColumn("key", "记录号", 6, wrap=False),
    ],
    group_width=8,
    note="请逐户核对。",
    blank_rows_per_page=2,
    blank_values={"key": NEW_KEY},
)


def rows_of(sizes: list[int], long_every: int = 3) -> pd.DataFrame:
    """A 居委's print rows: buildings of ``sizes`` people; some addresses wrap."""
    rows = []
    seq = 0
    for b, size in enumerate(sizes):
        label = f"古美西路{b + 1}弄{b % 7 + 1}号（{size} 人）"
        rows.append({"kind": "heading", "label": label, "name": label})
        for _ in range(size):
            seq += 1
            address = "上海市闵行区古美西路426弄47号502室" * (2 if seq % long_every == 0 else 1)
            rows.append(
                {"kind": "person", "seq": str(seq), "name": "某人", "address": address, "key": "R1"}
            )
    return pd.DataFrame(rows).fillna("")


@given(sizes=st.lists(st.integers(1, 45), min_size=1, max_size=30))
@settings(max_examples=40, deadline=None)
def test_pages_keep_headings_with_people_and_end_in_blank_rows(font, sizes):
    pages = page_rows(rows_of(sizes), FORM, font)
    body = TOP - HEADER_HEIGHT - BOTTOM
    labels_started = set()
    for number, page in enumerate(pages):
        kinds = [r.kind for r in page.rows]
        people = kinds.count("person")
        assert people >= 1  # never a page of blank rows only
        assert kinds[people:] == ["blank", "blank"] and "blank" not in kinds[:people]
        assert sum(r.height for r in page.rows) <= body + 1e-6 or people == 1
        for span in page.spans:
            assert span.first <= span.last
            text = "".join(span.lines)
            if not span.blank:
                # a building's label: its first page shows it plain, later pages 续
                assert text.endswith("（续）") == (text.removesuffix("（续）") in labels_started)
                labels_started.add(text.removesuffix("（续）"))
        assert number == 0 or "请逐户核对" not in "".join(
            line for s in page.spans for line in s.lines
        )
    assert sum(r.kind == "person" for p in pages for r in p.rows) == sum(sizes)


def test_a_label_taller_than_its_row_makes_the_row_taller(font):
    frame = pd.DataFrame(
        [
            {"kind": "heading", "label": "很长的门牌地址古美西路426弄47号" * 4 + "（1 人）"},
            {"kind": "person", "seq": "1", "name": "某人", "key": "R1"},
        ]
    ).fillna("")
    (page,) = page_rows(frame, FORM, font)
    span = page.spans[0]
    assert len(span.lines) >= 3
    assert page.rows[0].height >= len(span.lines) * 8.6


# --- rendered pages ---------------------------------------------------------------


def _visits(committees: int = 2, per: int = 160) -> pd.DataFrame:
    street = generate_street(
        StreetSpec(seed=11, committees=committees, residents_per_committee=per)
    )
    s = street.system
    system_only = s.rename(columns=lambda c: f"system_{c}").assign(
        system_id=s["id_number"],
        system_file="系统导出.xlsx",
        system_sheet="Sheet1",
        system_row=range(2, len(s) + 2),
        registered_on=s["registered_on"],
    )
    return visit_frame(system_only)


def _chunks(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every string drawn on ``page``."""
    out: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            out.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    output = load_rules().output
    visits = _visits()
    folder = tmp_path_factory.mktemp("pdf")
    paths = write_visit_pdfs(visits, folder, output)
    return visits, paths, output


def test_rendered_pages_show_full_ids_and_no_orphan_heading(rendered):
    visits, paths, output = rendered
    assert len(paths) == visits["committee"].nunique()
    by_key = visits.set_index("key")
    label_right = PAGE[0] * 0.1  # the building column's strings start left of this
    full_pages = people_on_full_pages = 0
    for path in paths:
        people = visits[visits["committee"] == path.stem]
        reader = pypdf.PdfReader(path)
        seen_buildings: set[str] = set()
        for number, page in enumerate(reader.pages, 1):
            chunks = _chunks(page)
            text = " ".join(t for _, _, t in chunks)
            keys = re.findall(r"\bR[0-9A-F]{8}\b", text)
            assert keys, f"{path.name} page {number} has nobody on it"
            # a string of Chinese may come back in pieces (one per font subset)
            assert "".join(t for _, _, t in chunks).count(NEW_KEY) == output.pdf_blank_rows
            # every person's masked ID is printed whole: all 18 characters
            ids = [str(by_key.loc[key, "id"]) for key in keys]
            printed = re.findall(r"\b\d{6}\*+\d{3}[\dX]\b", text)
            assert sorted(p for p in printed if len(p) == 18) == sorted(
                output.mask_id(i) for i in ids if len(i) == 18
            )
            # the building cells name exactly the buildings of this page's people
            buildings = list(dict.fromkeys(by_key.loc[keys, "building"].astype(str)))
            expected = ""
            for b in buildings:
                n = int((people["building"].astype(str) == b).sum())
                label = f"{b or '（地址未能识别）'}（{n} 人）"
                expected += label + ("（续）" if b in seen_buildings else "")
                seen_buildings.add(b)
            header_y = next(y for _, y, t in chunks if t == "门牌（人数）")
            labels = "".join(t for x, y, t in chunks if x < label_right and BOTTOM < y < header_y)
            assert labels == expected + "新发现的未登记人员"
            if number < len(reader.pages):
                full_pages += 1
                people_on_full_pages += len(keys)
    assert people_on_full_pages / full_pages >= 20


def test_the_font_is_embedded_as_a_subset(rendered):
    _visits, paths, _output = rendered
    reader = pypdf.PdfReader(paths[0])
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert re.fullmatch(r"/[A-Z]{6}\+NotoSansSC-Regular-[0-9a-f]+", font["/BaseFont"])
        assert "/FontFile2" in font["/FontDescriptor"].get_object()  # TrueType, embedded


def test_the_workbook_rows_keep_their_blank_block_and_the_pdf_rows_have_none():
    output = load_rules().output
    visits = _visits(committees=1, per=40)
    xlsx, formats = _committee_rows(visits, output)
    assert (xlsx["kind"] == "blank").sum() == output.blank_rows
    tail = list(xlsx["kind"].tail(output.blank_rows + 1))
    assert tail == ["heading"] + ["blank"] * output.blank_rows
    assert list(formats[xlsx["kind"].eq("heading").to_numpy()]) == ["heading"] * int(
        xlsx["kind"].eq("heading").sum()
    )
    pdf, _ = _committee_rows(visits, output, blank_rows=0)
    assert "blank" not in set(pdf["kind"]) and (pdf["kind"] == "person").sum() == len(visits)


def test_output_rules_say_how_many_blank_rows_close_a_page():
    output = load_rules().output
    assert output.pdf_blank_rows == 2
    assert output.pdf_max_rows >= 20_000


def test_a_pdf_is_written_for_an_unnamed_committee(tmp_path: Path):
    output = load_rules().output
    visits = _visits(committees=1, per=20).assign(committee="")
    (path,) = write_visit_pdfs(visits, tmp_path, output)
    assert path.name == "未识别居委.pdf"
    assert "未识别居委" in pypdf.PdfReader(path).pages[0].extract_text()


def test_a_missing_font_package_is_said_in_chinese(monkeypatch, tmp_path: Path):
    from recon.errors import ReconError
    from recon.writers import worklist_pdf

    monkeypatch.setattr(worklist_pdf, "_FONT_PACKAGE", "no_such_font_package")
    with pytest.raises(ReconError, match="中文字体"):
        worklist_pdf.register_font(["一个没有注册过的字"])


def test_unmasked_ids_are_printed_whole_too(tmp_path: Path):
    from dataclasses import replace

    output = replace(load_rules().output, mask=False)
    visits = _visits(committees=1, per=40)
    paths = write_visit_pdfs(visits, tmp_path, output)
    text = " ".join(
        t for path in paths for page in pypdf.PdfReader(path).pages for _, _, t in _chunks(page)
    )
    for id_ in visits["id"].astype(str):
        assert id_ in text
