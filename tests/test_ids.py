"""ID normaliser: real-looking cases, then properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recon.normalize import IdKind, check_char, normalize_ids, parse_id, repair_candidates

VALID = "11010519491231002X"  # the standard's own example
VALID_M = "310112199001011233"  # sequence 123: odd -> male


@pytest.mark.parametrize(
    ("description", "text", "numeric", "kind", "id_", "birth", "sex"),
    [
        ("clean", VALID, False, IdKind.VALID, VALID, "1949-12-31", "女"),
        ("lowercase x", VALID.lower(), False, IdKind.VALID, VALID, "1949-12-31", "女"),
        ("spaces inside", " 110105 19491231 002X ", False, IdKind.VALID, VALID, "1949-12-31", "女"),
        (
            "ideographic space",
            "110105\u300019491231002X",
            False,
            IdKind.VALID,
            VALID,
            "1949-12-31",
            "女",
        ),
        ("leading apostrophe", "'" + VALID, False, IdKind.VALID, VALID, "1949-12-31", "女"),
        ("excel text formula", '="' + VALID + '"', False, IdKind.VALID, VALID, "1949-12-31", "女"),
        (
            "full-width",
            "１１０１０５１９４９１２３１００２Ｘ",
            False,
            IdKind.VALID,
            VALID,
            "1949-12-31",
            "女",
        ),
        ("male", VALID_M, False, IdKind.VALID, VALID_M, "1990-01-01", "男"),
        ("15-digit", "110105491231002", False, IdKind.UPGRADED, VALID, "1949-12-31", "女"),
        (
            "15-digit in a number cell",
            "110105491231002",
            True,
            IdKind.UPGRADED,
            VALID,
            "1949-12-31",
            "女",
        ),
        (
            "wrong check digit",
            "110105194912310021",
            False,
            IdKind.INVALID,
            "110105194912310021",
            "1949-12-31",
            "女",
        ),
        (
            "swapped neighbours",
            "11010519491213002X",
            False,
            IdKind.INVALID,
            "11010519491213002X",
            "1949-12-13",
            "女",
        ),
        (
            "impossible date",
            "110105194913310021",
            False,
            IdKind.INVALID,
            "110105194913310021",
            "",
            "",
        ),
        (
            "number cell, 15 digits kept",
            "310112199001011000",
            True,
            IdKind.DAMAGED,
            "310112199001011000",
            "1990-01-01",
            "",
        ),
        ("scientific notation", "3.10112E+17", False, IdKind.DAMAGED, "310112000000000000", "", ""),
        (
            "scientific, 14 digits",
            "3.1011219900101E+17",
            False,
            IdKind.DAMAGED,
            "310112199001010000",
            "",
            "",
        ),
        (
            "scientific, 15 digits",
            "3.10112199001011E+17",
            False,
            IdKind.DAMAGED,
            "310112199001011000",
            "1990-01-01",
            "",
        ),
        (
            "text with 000 tail, bad check",
            "310112199001011000",
            False,
            IdKind.DAMAGED,
            "310112199001011000",
            "1990-01-01",
            "",
        ),
        ("blank", "", False, IdKind.MISSING, "", "", ""),
        ("placeholder 无", "无", False, IdKind.MISSING, "", "", ""),
        ("too short", "1101051949", False, IdKind.MALFORMED, "1101051949", "", ""),
        (
            "bad last character",
            "11010519491231002Y",
            False,
            IdKind.MALFORMED,
            "11010519491231002Y",
            "",
            "",
        ),
        ("letters", "AB1234567", False, IdKind.MALFORMED, "AB1234567", "", ""),
    ],
)
def test_parse_id_cases(description, text, numeric, kind, id_, birth, sex):
    info = parse_id(text, numeric=numeric)
    assert info.kind == kind, description
    assert info.id == id_, description
    assert info.birth_date == birth, description
    assert info.sex == sex, description


def test_damaged_keeps_trusted_prefix_only():
    info = parse_id("310112199001011000", numeric=True)
    assert info.prefix == "31011219900101"  # region + birth date; digit 15 may be rounded
    assert not info.valid
    six = parse_id("3.10112E+17")
    assert six.prefix == "310112"


def test_valid_id_ending_000_is_valid_but_suspect():
    body = "31011219900101100"
    text = body + check_char(body)
    # only when the computed check happens to be 0 is this "…000"
    if text.endswith("000"):
        assert parse_id(text).kind == IdKind.SUSPECT
    body = "11010119800101000"
    text = body + check_char(body)
    info = parse_id(text)
    assert info.valid
    assert (info.kind == IdKind.SUSPECT) == text.endswith("000")


def test_retired_region_code_is_valid_with_a_soft_warning():
    body = "31010319800101123"  # 310103 卢湾区, merged away in 2011
    info = parse_id(body + check_char(body))
    assert info.valid
    assert info.problems == ()  # known historical code: no warning at all
    body = "99999919800101123"
    info = parse_id(body + check_char(body))
    assert info.valid
    assert any("地区码" in p for p in info.problems)


def test_region_code_not_valid_in_birth_year_is_still_valid():
    # 310112 闵行 exists since 1981; a person born in 1975 may carry it
    body = "31011219750101123"
    assert parse_id(body + check_char(body)).valid


def test_repair_candidates_find_the_original():
    wrong = "110105194912310O2X".replace("O", "3")  # digit 16 mistyped
    candidates = dict(repair_candidates(wrong))
    assert VALID in candidates
    assert "第16位" in candidates[VALID]
    swapped = "11010519491213002X"
    assert VALID in dict(repair_candidates(swapped))
    assert all(parse_id(c).valid for c in candidates)


def test_column_path_matches_scalar_path_on_cases():
    texts = [
        VALID,
        VALID.lower(),
        "110105491231002",
        "3.10112E+17",
        "",
        "abc",
        VALID_M,
        "310112199001011000",
    ]
    numeric = [False, False, False, False, False, False, False, True]
    frame = normalize_ids(pd.Series(texts), pd.Series(numeric))
    for i, (t, n) in enumerate(zip(texts, numeric, strict=True)):
        info = parse_id(t, numeric=n)
        row = frame.iloc[i]
        assert (
            row["id"],
            row["id_kind"],
            bool(row["id_valid"]),
            row["id_birth"],
            row["id_sex"],
        ) == (
            info.id,
            info.kind,
            info.valid,
            info.birth_date,
            info.sex,
        )


# --- properties -------------------------------------------------------------------

digits17 = st.text("0123456789", min_size=17, max_size=17)


@st.composite
def valid_ids(draw):
    region = draw(st.sampled_from(["110105", "310112", "340102", "410102", "510104", "310103"]))
    year = draw(st.integers(1920, 2010))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    seq = draw(st.integers(0, 999))
    body = f"{region}{year:04d}{month:02d}{day:02d}{seq:03d}"
    return body + check_char(body)


def _noise(draw, text: str) -> str:
    kind = draw(
        st.sampled_from(["space", "full", "lower", "apostrophe", "formula", "ideo", "none"])
    )
    if kind == "space":
        pos = draw(st.integers(1, len(text) - 1))
        return text[:pos] + " " + text[pos:]
    if kind == "full":
        return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
    if kind == "lower":
        return text.lower()
    if kind == "apostrophe":
        return "'" + text
    if kind == "formula":
        return f'="{text}"'
    if kind == "ideo":
        return "\u3000" + text + " "
    return text


@given(valid_ids(), st.data())
def test_valid_id_survives_formatting_noise(id18, data):
    noisy = id18
    for _ in range(data.draw(st.integers(1, 3))):
        noisy = _noise(data.draw, noisy)
    info = parse_id(noisy)
    assert info.valid
    assert info.id == id18


@given(valid_ids(), st.integers(0, 16), st.integers(1, 9))
def test_single_substitution_never_stays_valid(id18, pos, delta):
    digit = (int(id18[pos]) + delta) % 10
    wrong = id18[:pos] + str(digit) + id18[pos + 1 :]
    info = parse_id(wrong)
    assert not info.valid
    if info.kind == IdKind.INVALID:
        assert id18 in dict(repair_candidates(info.id))


@given(valid_ids(), st.integers(0, 16))
def test_adjacent_swap_never_stays_valid(id18, pos):
    if id18[pos] == id18[pos + 1] or (pos == 16 and id18[17] == "X"):
        return
    chars = list(id18)
    chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
    assert not parse_id("".join(chars)).valid


@given(st.text(max_size=30))
def test_any_text_parses_without_error_and_column_agrees(text):
    info = parse_id(text)
    frame = normalize_ids(pd.Series([text]))
    assert frame.iloc[0]["id_kind"] == info.kind
    assert frame.iloc[0]["id"] == info.id
    if info.valid:
        assert len(info.id) == 18 and check_char(info.id[:17]) == info.id[17]


@given(valid_ids())
def test_normalisation_is_idempotent(id18):
    once = parse_id(id18.lower() + " ")
    assert parse_id(once.id).id == once.id


@st.composite
def id_like(draw):
    """18-character IDs right and wrong: real, retired and unknown region codes,
    real and impossible birth dates, any check character, a truncated tail."""
    region = draw(st.sampled_from(["110105", "310112", "310103", "330326", "999999", "110000"]))
    year = draw(st.sampled_from(["1899", "1900", "1951", "1984", "1999", "2000", "2024", "2099"]))
    month = draw(st.sampled_from(["00", "01", "02", "09", "12", "13"]))
    day = draw(st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]))
    body = f"{region}{year}{month}{day}{draw(st.integers(0, 999)):03d}"
    check = draw(st.sampled_from([check_char(body), *"0123456789X"]))
    text = body + check
    if draw(st.integers(0, 9)) == 0:
        text = text[:15] + "000"
    return text


@st.composite
def noisy(draw, ids):
    """An ID as a sheet may hold it: quotes, a formula, spaces, full width, x."""
    text = draw(ids)
    for _ in range(draw(st.integers(0, 2))):
        text = _noise(draw, text)
    return text


@given(
    st.lists(st.one_of(id_like(), valid_ids(), noisy(id_like()), noisy(valid_ids())), max_size=25),
    st.data(),
)
def test_column_path_is_parse_id(texts, data):
    """Every column of normalize_ids is what parse_id says of the text."""
    numeric = [data.draw(st.booleans()) if t[-3:] == "000" else False for t in texts]
    frame = normalize_ids(pd.Series(texts, dtype=object), pd.Series(numeric, dtype=bool))
    for k, (text, num) in enumerate(zip(texts, numeric, strict=True)):
        info = parse_id(text, num)
        expected = {
            "id": info.id,
            "id_kind": info.kind,
            "id_valid": info.valid,
            "id_prefix": info.prefix if info.kind == IdKind.DAMAGED else "",
            "id_birth": info.birth_date,
            "id_sex": info.sex,
            "id_problems": "；".join(info.problems),
            "id_repairs": "；".join(info.repairs),
            "id_region_name": info.region_name,
            "id_region_note": info.region_note,
        }
        assert frame.iloc[k].to_dict() == expected, text
