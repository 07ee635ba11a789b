"""Fuzzing the normalisers and the loaders (hypothesis).

Every property runs twice: a short default run (``FAST`` examples each, the
whole file well under a minute) and a long run marked ``slow``::

    python -m pytest tests/test_fuzz.py -m slow -q --hypothesis-show-statistics

(>= 10,000 cases per normaliser property, >= 1,000 per loader property).

Normalisers are pure functions: nothing at all may escape them, whatever the
text. Loaders may refuse a file, but only with a ``ReconError``; what they
return accounts for every row with its coordinates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import recon
from recon.errors import InputError, ReconError
from recon.normalize.address import normalize_addresses, parse_address
from recon.normalize.ids import IdKind, check_char, normalize_ids, parse_id
from recon.normalize.names import NameAgreement, clean_name, compare_names, name_key
from recon.normalize.values import (
    normalize_dates,
    normalize_phone,
    normalize_phones,
    normalize_sex,
    parse_date,
)
from recon.rules import load_rules

FAST = 40
LONG_NORMALISERS = 10_000
LONG_LOADERS = 1_000

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def fuzz(*strategies: st.SearchStrategy[Any], long: int) -> Callable[..., Any]:
    """Make a short and a long (``slow``) test of one property.

    Used as ``test_x, test_x_long = fuzz(strategy, long=N)(property)``.
    """

    def make(prop: Callable[..., None]) -> tuple[Callable[..., None], Callable[..., None]]:
        fast = settings(max_examples=FAST, deadline=None, suppress_health_check=_QUIET)(
            given(*strategies)(prop)
        )
        slow = settings(max_examples=long, deadline=None, suppress_health_check=_QUIET)(
            given(*strategies)(prop)
        )
        return fast, pytest.mark.slow(slow)

    return make


# --- strategies: text ---------------------------------------------------------------

any_text = st.text()  # every code point but surrogates
# other scripts' digits (٣, ३, ๓), superscripts and circled digits that NFKC may fold
OTHER_DIGITS = "٠١٢٣٤٥٦٧٨٩३๓²③"
# every character Python's \s matches, and a zero-width space it does not
UNICODE_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u3000\u200b"
)
ID_CHARS = (
    "0123456789Xx０１２３４５６７８９Ｘｘ'‘`=\"-_./\\·,，、.E+e" + OTHER_DIGITS + UNICODE_SPACES
)
ADDRESS_CHARS = (
    "0123456789０１２３４５６７８９〇一二三四五六七八九十百千两幺"
    "路街巷弄支号幢栋座单元楼层室户房组队村镇乡区县市省-－—#（）()【】 第上海闵行古美莲花:"
    + OTHER_DIGITS
)
NAME_CHARS = "张王李赵陳靜於乾鍾曾单仇解区朴买提艾力·•．.?？□■*\ue000𠮷0" + UNICODE_SPACES


def mixed(alphabet: str) -> st.SearchStrategy[str]:
    """Any text, or text from the characters a normaliser treats specially."""
    return st.one_of(any_text, st.text(alphabet=alphabet, max_size=30))


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110105", "310112", "310103", "340102", "510104", "650102"]))
    day = draw(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2020, 12, 31)))
    seq = draw(st.integers(0, 999))
    body = f"{region}{day:%Y%m%d}{seq:03d}"
    return body + check_char(body)


_SPACES = [" ", "\u00a0", "\u3000", "\t", "  "]
_FULL = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


@st.composite
def noisy(draw: st.DrawFn, text: str) -> str:
    """``text`` as spreadsheets and clerks dress an ID up: any combination of noise."""
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(
            st.sampled_from(
                ["space", "full", "some_full", "lower", "apostrophe", "formula", "around"]
            )
        )
        if kind == "space":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(_SPACES)) + text[at:]
        elif kind == "full":
            text = text.translate(_FULL)
        elif kind == "some_full":
            at = draw(st.integers(0, len(text)))
            text = text[:at].translate(_FULL) + text[at:]
        elif kind == "lower":
            text = text.lower()
        elif kind == "apostrophe":
            text = draw(st.sampled_from(["'", "‘", "`"])) + text
        elif kind == "formula":
            text = f'="{text}"'
        else:
            text = draw(st.sampled_from(_SPACES)) + text + draw(st.sampled_from(_SPACES))
    return text


@st.composite
def corrupted(draw: st.DrawFn) -> str:
    """A valid ID with one typing error (a substitution, a swap, a wrong check)."""
    id18 = draw(valid_ids())
    kind = draw(st.sampled_from(["substitute", "swap", "check"]))
    if kind == "substitute":
        at = draw(st.integers(0, 16))
        digit = (int(id18[at]) + draw(st.integers(1, 9))) % 10
        return id18[:at] + str(digit) + id18[at + 1 :]
    if kind == "swap":
        at = draw(st.integers(0, 15).filter(lambda i: id18[i] != id18[i + 1]))
        return id18[:at] + id18[at + 1] + id18[at] + id18[at + 2 :]
    wrong = draw(st.sampled_from([c for c in "0123456789X" if c != id18[17]]))
    return id18[:17] + wrong


id_like = st.one_of(
    mixed(ID_CHARS),
    valid_ids(),
    valid_ids().flatmap(noisy),
    corrupted(),
    st.text("0123456789", min_size=14, max_size=19),
    st.from_regex(r"[1-9]\.[0-9]{1,14}[Ee]\+?1[47]", fullmatch=True),
)


@st.composite
def id_columns(draw: st.DrawFn) -> tuple[list[str], list[bool]]:
    texts = draw(st.lists(id_like, min_size=1, max_size=8))
    numeric = draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)))
    return texts, numeric


# --- normalisers: IDs -------------------------------------------------------------


def _id_invariants(info: Any) -> None:
    assert info.kind in {
        IdKind.VALID,
        IdKind.UPGRADED,
        IdKind.SUSPECT,
        IdKind.INVALID,
        IdKind.DAMAGED,
        IdKind.MALFORMED,
        IdKind.MISSING,
    }
    if info.valid:
        assert len(info.id) == 18 and info.id[:17].isascii() and info.id[:17].isdigit()
        assert check_char(info.id[:17]) == info.id[17]
        assert info.birth_date == f"{info.id[6:10]}-{info.id[10:12]}-{info.id[12:14]}"
        assert info.sex == ("男" if int(info.id[16]) % 2 else "女")
    if info.kind == IdKind.MISSING:
        assert info.id == ""


def _ids_parse_and_the_column_path_agrees(column: tuple[list[str], list[bool]]) -> None:
    texts, numeric = column
    infos = [parse_id(t, n) for t, n in zip(texts, numeric, strict=True)]
    for info in infos:
        _id_invariants(info)
    frame = normalize_ids(pd.Series(texts), pd.Series(numeric))
    got = list(
        zip(
            frame["id"],
            frame["id_kind"],
            frame["id_valid"].astype(bool),
            frame["id_birth"],
            frame["id_sex"],
            strict=True,
        )
    )
    want = [(i.id, i.kind, i.valid, i.birth_date, i.sex) for i in infos]
    assert got == want


test_ids_parse_and_column_agree, test_ids_parse_and_column_agree_long = fuzz(
    id_columns(), long=LONG_NORMALISERS
)(_ids_parse_and_the_column_path_agrees)


def _valid_id_survives_noise(id18: str, data: st.DataObject) -> None:
    dressed = data.draw(noisy(id18), label="dressed")
    info = parse_id(dressed)
    assert info.valid, info
    assert info.id == id18
    frame = normalize_ids(pd.Series([dressed]))
    assert frame.loc[0, "id"] == id18 and bool(frame.loc[0, "id_valid"])


test_valid_id_survives_noise, test_valid_id_survives_noise_long = fuzz(
    valid_ids(), st.data(), long=LONG_NORMALISERS
)(_valid_id_survives_noise)


def _invalid_id_never_becomes_valid(wrong: str, data: st.DataObject) -> None:
    assert not parse_id(wrong).valid
    dressed = data.draw(noisy(wrong), label="dressed")
    info = parse_id(dressed)
    assert not info.valid, info
    assert not bool(normalize_ids(pd.Series([dressed])).loc[0, "id_valid"])


test_invalid_id_never_valid, test_invalid_id_never_valid_long = fuzz(
    corrupted(), st.data(), long=LONG_NORMALISERS
)(_invalid_id_never_becomes_valid)


def _noise_changes_nothing(digits: str, data: st.DataObject) -> None:
    """Any digit string: dressing it up changes neither validity nor the ID."""
    plain = parse_id(digits)
    dressed = parse_id(data.draw(noisy(digits), label="dressed"))
    assert (dressed.valid, dressed.id) == (plain.valid, plain.id)


test_noise_changes_nothing, test_noise_changes_nothing_long = fuzz(
    st.one_of(st.text("0123456789", min_size=15, max_size=18), valid_ids(), corrupted()),
    st.data(),
    long=LONG_NORMALISERS,
)(_noise_changes_nothing)


# --- normalisers: names -----------------------------------------------------------


def _names(a: str, b: str) -> None:
    ca, cb = clean_name(a), clean_name(b)
    assert clean_name(ca) == ca  # idempotent
    ka, kb = name_key(ca), name_key(cb)
    assert compare_names(ka, kb) == compare_names(kb, ka)  # symmetric
    assert compare_names(ka, ka) in {
        NameAgreement.EXACT,
        NameAgreement.UNKNOWN_CHAR,
        NameAgreement.MISSING,
    }


test_names, test_names_long = fuzz(mixed(NAME_CHARS), mixed(NAME_CHARS), long=LONG_NORMALISERS)(
    _names
)


# --- normalisers: addresses ---------------------------------------------------------


@st.composite
def plain_addresses(draw: st.DrawFn) -> str:
    """The one shape the column path keys without the parser (see address.py)."""
    prefix = draw(st.sampled_from(["", "上海市", "上海市闵行区", "上海闵行区古美路街道", "莘庄镇"]))
    name = draw(
        st.text(
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
            | st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF)
            | st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),
            min_size=1,
            max_size=6,
        )
    )
    road = name + draw(st.sampled_from(["路", "街", "巷", "大道"]))
    lane = draw(st.integers(1, 99999))
    number = draw(st.integers(1, 9999))
    unit = draw(st.sampled_from(["号", "号楼", "幢", "栋", "-"]))
    floor = draw(st.sampled_from(["", "3楼", "12楼"]))
    room = draw(st.integers(100, 9999))
    tail = draw(st.sampled_from(["", "室"]))
    text = f"{prefix}{road}{lane}弄{number}{unit}{floor}{room}{tail}"
    return text.translate(_FULL) if draw(st.booleans()) else text


_ADMIN_PARTS = {"province", "city", "district", "town"}


def _addresses(texts: list[str]) -> None:
    parsed = [parse_address(t) for t in texts]
    for a in parsed:
        if a.house_key and not a.leftover:
            assert parse_address(a.house_key).house_key == a.house_key  # a fixed point
    frame = normalize_addresses(pd.Series(texts, dtype=object))
    for a, key, building, locality in zip(
        parsed, frame["addr_key"], frame["addr_building"], frame["addr_locality"], strict=True
    ):
        if (key, building, locality) != (a.house_key, a.building_key, a.locality):
            # only an estate written without its road, keyed by the road another
            # text of the column ties it to; that key is a fixed point too
            assert "estate" in a.parts and "lane" not in a.parts and "number" not in a.parts
            assert parse_address(key).house_key == key or "〔" in key


test_addresses, test_addresses_long = fuzz(
    st.lists(st.one_of(mixed(ADDRESS_CHARS), plain_addresses()), min_size=1, max_size=6),
    long=LONG_NORMALISERS,
)(_addresses)


# --- normalisers: small values ------------------------------------------------------

PHONE_CHARS = "0123456789０１２３４５６７８９+-()（）.86" + UNICODE_SPACES

cell_values = st.one_of(
    st.none(),
    any_text,
    st.text("0123456789-/.年月日号 :T", max_size=20),
    st.text(PHONE_CHARS, max_size=20),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),  # ints beyond the float range
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)


_FLOAT_MAX = 1.7976931348623157e308


def _beyond_float(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) > _FLOAT_MAX


def _python_only_space(text: str) -> bool:
    """Whitespace Python's \\s knows and pyarrow's RE2 does not (after NFKC)."""
    folded = unicodedata.normalize("NFKC", text)
    return any(c.isspace() and c not in " \t\n\r\x0c" for c in folded)  # RE2: no \\v


def _values(values: list[Any]) -> None:
    for v in values:
        day = parse_date(v)
        assert day == "" or dt.date.fromisoformat(day).isoformat() == day
        assert normalize_sex(v) in {"", "男", "女"}
        phone = normalize_phone(v)
        assert phone == "" or (phone.isascii() and phone.isdigit())
    # the column paths give the scalar answers
    column = pd.Series(values, dtype=object)
    assert normalize_dates(column).tolist() == [parse_date(v) for v in values]
    texts = [v for v in values if isinstance(v, str)]
    if texts:
        assert normalize_phones(pd.Series(texts, dtype=object)).tolist() == [
            normalize_phone(t) for t in texts
        ]


test_values, test_values_long = fuzz(
    st.lists(cell_values, min_size=1, max_size=6), long=LONG_NORMALISERS
)(_values)


# --- loaders ------------------------------------------------------------------------

RULES = load_rules()
_HEADERS = tomllib.loads(
    (Path(recon.__file__).parent / "rules" / "headers.toml").read_text("utf-8")
)
SYNONYMS = sorted({s for f in _HEADERS["fields"].values() for s in f["synonyms"]})

REAL_VALUES = [
    "张三",
    "陳靜",
    "买买提·艾力",
    "男",
    "女",
    "1",
    "2",
    "古美路1255弄12号302室",
    "古美一村居委会",
    "合计",
    "小计：3人",
    "注：本表由居委填写",
    "填表人：王五",
    "正常",
    "注销",
    "13800138000",
    "2024-05-01",
    "3.10112E+17",
    "310112199001011234",
    "31011219900101123X",
    '=A1&"x"',
    "#N/A",
]
TITLES = [
    "古美一村居委会实有人口信息采集表",
    "采集人：王五  日期：2024-05-01",
    "居委：平阳三村",
    "莘庄镇九星村来沪人员登记表",
    "",
]
SHEET_NAMES = ["采集表", "Sheet1", "古美一村居委会", "说明", "数据 (2)", "名单'", "2024"]


def _xml_safe(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


header_labels = st.one_of(
    st.sampled_from(SYNONYMS),
    st.sampled_from(SYNONYMS).map(lambda s: f" {s}（必填）"),
    st.text(max_size=8).map(_xml_safe),
    st.none(),
)

excel_cells = st.one_of(
    st.none(),
    st.text(max_size=25).map(_xml_safe),
    st.sampled_from(REAL_VALUES),
    valid_ids(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 5e-324, 3.10112e17, 310112199001011234.0]),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
    st.booleans(),
)


@st.composite
def table_rows(draw: st.DrawFn, cells: st.SearchStrategy[Any]) -> tuple[list[list[Any]], int]:
    """Title rows, a header, data rows (some blank, 合计, repeated header).

    Returns the rows and the 1-based row of the header written.
    """
    titles = [
        [draw(st.one_of(st.sampled_from(TITLES), st.text(max_size=30).map(_xml_safe)))]
        for _ in range(draw(st.integers(0, 3)))
    ]
    header = draw(st.lists(header_labels, min_size=1, max_size=8))
    width = len(header)
    rows: list[list[Any]] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["data", "data", "data", "data", "blank", "total", "header"]))
        if kind == "blank":
            rows.append([None] * width)
        elif kind == "total":
            rows.append(["合计", *([None] * (width - 1))])
        elif kind == "header":
            rows.append(list(header))
        else:
            rows.append(draw(st.lists(cells, min_size=0, max_size=width + 2)))
    return [*titles, header, *rows], len(titles) + 1


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[bytes, dict[str, int]]:
    """A small random workbook, and the number of rows written per sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    names = draw(st.lists(st.sampled_from(SHEET_NAMES), min_size=1, max_size=3, unique=True))
    counts: dict[str, int] = {}
    for name in names:
        ws = wb.create_sheet(name)
        rows, header_row = draw(table_rows(excel_cells))
        for row in rows:
            ws.append(row)
        counts[name] = ws.max_row
        if len(rows) > header_row + 1 and draw(st.booleans()):  # a family's cell merged down
            top = draw(st.integers(header_row + 1, len(rows) - 1))
            bottom = draw(st.integers(top + 1, len(rows)))
            col = draw(st.integers(1, len(rows[header_row - 1])))
            ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), counts


def _check_loaded(path: Path, counts: dict[str, int]) -> None:
    """Only ReconError may escape; what is returned accounts for every row."""
    try:
        result = recon.load(path, rules=RULES, strict=False)
    except ReconError:
        return
    for error in result.errors:
        assert isinstance(error, InputError)
        assert path.name in error.render()
    records = result.records
    assert result.rows_read == len(records)
    assert set(records["file"]) <= {path.name}
    assert set(records["sheet"]) <= set(counts)
    assert records["row"].map(lambda r: isinstance(r, int) and r >= 1).all()
    for sheet in result.sheets:
        total = counts[sheet.sheet]
        mine = records[records["sheet"] == sheet.sheet]
        assert len(mine) == sheet.rows_read
        if not sheet.read:
            assert sheet.rows_read == 0
            continue
        below = total - sheet.header_rows[-1]
        assert sheet.rows_read + sum(sheet.skipped.values()) <= max(below, 0)
        assert mine["row"].is_unique
        assert ((mine["row"] > sheet.header_rows[-1]) & (mine["row"] <= total)).all()


def _workbook_loads(book: tuple[bytes, dict[str, int]]) -> None:
    data, counts = book
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "采集表.xlsx"
        path.write_bytes(data)
        _check_loaded(path, counts)


test_workbooks_load, test_workbooks_load_long = fuzz(workbooks(), long=LONG_LOADERS)(
    _workbook_loads
)

csv_cells = st.one_of(any_text.filter(lambda s: len(s) <= 25), st.sampled_from(REAL_VALUES))
CSV_DIALECTS = st.fixed_dictionaries(
    {
        "delimiter": st.sampled_from([",", "\t", ";", "|"]),
        "quoting": st.sampled_from(
            [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_NONE]
        ),
        "lineterminator": st.sampled_from(["\n", "\r\n"]),
    }
)


def _lines_of(text: str) -> int:
    """Physical lines, as any reader may split them (CRLF, LF or a bare CR)."""
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    return body.count("\n") + (0 if body.endswith("\n") else 1)


def _write_csv(rows: list[list[Any]], dialect: dict[str, Any], encoding: str) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, escapechar="\\", **dialect)
    records = [["" if v is None else str(v) for v in row] for row in rows]
    # the csv module refuses to write a lone empty field unquoted: an empty line
    records = [[] if r == [""] else r for r in records]
    writer.writerows(records)
    text = buffer.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return data, _lines_of(text)


def _csv_file_loads(
    table: tuple[list[list[Any]], int], dialect: dict[str, Any], encoding: str
) -> None:
    rows, _header_row = table
    payload, lines = _write_csv(rows, dialect, encoding)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "导出.csv"
        path.write_bytes(payload)
        _check_loaded(path, {"": lines})  # a CSV file is one sheet named ""


test_csv_files_load, test_csv_files_load_long = fuzz(
    table_rows(csv_cells),
    CSV_DIALECTS,
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    long=LONG_LOADERS,
)(_csv_file_loads)


def _title_text_costs_no_row(titles: list[str], dialect: dict[str, Any], data_rows: int) -> None:
    """Whatever the title lines above the header say, every person row is read."""
    names = [f"居民{i}" for i in range(data_rows)]
    rows = [
        *([t] for t in titles),
        ["姓名", "身份证号", "现居住地址"],
        *([n, "", f"古美路{i + 1}号"] for i, n in enumerate(names)),
    ]
    payload, _lines = _write_csv(rows, {**dialect, "quoting": csv.QUOTE_MINIMAL}, "utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "带标题.csv"
        path.write_bytes(payload)
        try:
            result = recon.load(path, rules=RULES, strict=True)
        except InputError as exc:
            # only a title that really is binary (a NUL) may make the file unusable
            assert "\x00" in "".join(titles), exc.render()
            return
        assert result.records["name_raw"].tolist() == names


test_title_text_costs_no_row, test_title_text_costs_no_row_long = fuzz(
    st.lists(any_text.filter(lambda s: 0 < len(s) <= 40), min_size=1, max_size=3),
    CSV_DIALECTS,
    st.integers(1, 5),
    long=LONG_LOADERS,
)(_title_text_costs_no_row)


# --- what the long run found: the minimal examples (all fixed since) ---------------


@pytest.mark.parametrize("text", ["0. ·", "张伟 · ·", "· ·张伟", "张伟. ·"])
def test_clean_name_leaves_no_dot_at_either_end(text):
    cleaned = clean_name(text)
    assert cleaned == clean_name(cleaned)
    assert not cleaned.startswith("·") and not cleaned.endswith("·")


@pytest.mark.parametrize("text", [":街道:乡", "莘庄镇向阳乡3组12号", "闵行区马桥镇旗忠镇"])
def test_house_key_of_a_place_ending_in_town_word_is_a_fixed_point(text):
    key = parse_address(text).house_key
    assert key and parse_address(key).house_key == key


@pytest.mark.parametrize(
    "text", ["0\u1680", "0\x0b", "138\x1c00138000", "138\u2028 00138000", "138\x8500138000"]
)
def test_phone_column_path_agrees_on_unicode_whitespace(text):
    assert normalize_phones(pd.Series([text])).tolist() == [normalize_phone(text)]


def test_parse_date_of_a_huge_int_is_empty():
    assert parse_date(10**400) == ""


def test_house_key_is_a_fixed_point_for_chained_traditional_forms():
    assert parse_address("薴溪路12号").house_key == parse_address("苧溪路12号").house_key


def test_title_lines_do_not_choose_the_separator(tmp_path):
    path = tmp_path / "三行标题.csv"
    path.write_text(
        "古美一村 | 2024年5月\n采集人 | 王五\n第1页 | 共1页\n"
        "姓名,身份证号,现居住地址\n张三,,古美路1号\n",
        encoding="utf-8",
    )
    assert recon.load(path, rules=RULES).records["name_raw"].tolist() == ["张三"]


@pytest.mark.parametrize("text", ["衖路0弄0号000", "上海市衖堂路12弄3号301室"])
def test_column_path_agrees_on_a_road_name_with_the_old_lane_character(text):
    column = normalize_addresses(pd.Series([text], dtype=object))["addr_key"].tolist()
    assert column == [parse_address(text).house_key]
