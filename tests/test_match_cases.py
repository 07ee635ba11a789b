"""The hard cases of reconciliation, one named test each, on tiny inputs.

Each test writes a field CSV and a system CSV as a clerk and the police
system would, runs the whole pipeline (load -> match -> write) and reads the
contract's output files back.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from recon.normalize import check_char
from recon.pipeline import run_match

FIELD_HEADER = ["姓名", "性别", "公民身份号码", "现居住地址"]
SYSTEM_HEADER = ["姓名", "性别", "公民身份号码", "暂住地址", "人员状态"]


def make_id(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    return body + check_char(body)


# people used across the cases
ZHANG = make_id("340102", "19900101", "123")  # 张伟, male
WANG = make_id("410102", "19850505", "246")  # 王芳, female
LI = make_id("510104", "19770303", "357")  # 李娜
TWIN_A = make_id("340102", "19950707", "111")  # 陈明 (male)
TWIN_B = make_id("340102", "19950707", "113")  # 陈亮 (male twin)


def write(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig"
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def run(
    tmp_path: Path,
    field_rows: list[list[str]],
    system_rows: list[list[str]],
    field_header: list[str] = FIELD_HEADER,
    system_header: list[str] = SYSTEM_HEADER,
) -> dict[str, pd.DataFrame]:
    (tmp_path / "f").mkdir()
    (tmp_path / "s").mkdir()
    write(tmp_path / "f" / "field.csv", field_header, field_rows)
    write(tmp_path / "s" / "system.csv", system_header, system_rows, encoding="gb18030")
    out = tmp_path / "out"
    run_match([tmp_path / "f"], [tmp_path / "s"], out)
    names = [
        "matches",
        "field_only",
        "system_only",
        "review",
        "duplicates",
        "differences",
        "problems",
    ]
    return {
        n: pd.read_csv(out / f"{n}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for n in names
    }


def pairs(res: dict[str, pd.DataFrame]) -> set[tuple[int, int]]:
    m = res["matches"]
    return {(int(f), int(s)) for f, s in zip(m["field_row"], m["system_row"], strict=True)}


ADDR = "古美路1255弄12号302室"
SYS_ADDR = "上海市闵行区古美路1255弄12号302室"


def test_exact_id_with_other_spelling_of_the_address(tmp_path):
    res = run(
        tmp_path,
        [["张伟", "男", ZHANG, "古美路1255弄12-302"]],
        [["张伟", "男", ZHANG, SYS_ADDR, "正常"]],
    )
    assert pairs(res) == {(2, 2)}
    assert res["matches"]["method"].tolist() == ["exact_id"]
    assert res["differences"].empty  # another spelling of the same flat is no change


def test_fifteen_digit_id_in_the_system(tmp_path):
    old = ZHANG[:6] + ZHANG[8:17]  # 15 digits: no century, no check
    res = run(tmp_path, [["张伟", "男", ZHANG, ADDR]], [["张伟", "男", old, SYS_ADDR, "正常"]])
    assert pairs(res) == {(2, 2)}
    assert "15位" in res["matches"]["reason"].iat[0]
    diff = res["differences"]
    assert diff["item"].tolist() == ["身份证号"]  # the system should hold the 18-digit number


def test_registered_under_a_mistyped_id(tmp_path):
    typo = ZHANG[:10] + ("9" if ZHANG[10] != "9" else "8") + ZHANG[11:]  # one wrong digit
    res = run(tmp_path, [["张伟", "男", ZHANG, ADDR]], [["张伟", "男", typo, SYS_ADDR, "正常"]])
    assert pairs(res) == {(2, 2)}
    assert res["matches"]["method"].tolist() == ["repaired_id"]
    assert "第11位" in res["matches"]["reason"].iat[0]
    assert res["field_only"].empty and res["system_only"].empty
    assert "身份证号" in res["differences"]["item"].tolist()


def test_collector_swapped_two_digits(tmp_path):
    swapped = ZHANG[:12] + ZHANG[13] + ZHANG[12] + ZHANG[14:]
    assert swapped != ZHANG
    res = run(tmp_path, [["张伟", "男", swapped, ADDR]], [["张伟", "男", ZHANG, SYS_ADDR, "正常"]])
    assert pairs(res) == {(2, 2)}
    assert res["matches"]["method"].tolist() == ["repaired_id"]


def test_damaged_id_from_a_number_cell(tmp_path):
    damaged = ZHANG[:15] + "000"  # what Excel keeps of an 18-digit number
    res = run(tmp_path, [["张伟", "男", damaged, ADDR]], [["张伟", "男", ZHANG, SYS_ADDR, "正常"]])
    assert pairs(res) == {(2, 2)}
    assert res["matches"]["method"].tolist() == ["damaged_id"]
    assert any("受损" in p for p in res["problems"]["problem"])


def test_damaged_id_in_scientific_notation(tmp_path):
    res = run(
        tmp_path, [["张伟", "男", ZHANG, ADDR]], [["张伟", "男", "3.40102E+17", SYS_ADDR, "正常"]]
    )
    assert pairs(res) == {(2, 2)}
    assert res["matches"]["method"].tolist() == ["damaged_id"]


def test_missing_id_matched_by_name_sex_and_flat(tmp_path):
    res = run(tmp_path, [["王芳", "女", "", ADDR]], [["王芳", "女", WANG, SYS_ADDR, "正常"]])
    assert pairs(res) == {(2, 2)}
    assert res["matches"]["method"].tolist() == ["missing_id"]


def test_traditional_characters_in_the_name(tmp_path):
    res = run(tmp_path, [["張偉", "男", "", ADDR]], [["张伟", "男", ZHANG, SYS_ADDR, "正常"]])
    assert pairs(res) == {(2, 2)}
    assert "繁简" in res["matches"]["reason"].iat[0]


def test_homophone_slip_with_a_damaged_id(tmp_path):
    damaged = ZHANG[:15] + "000"
    res = run(tmp_path, [["张玮", "男", damaged, ADDR]], [["张伟", "男", ZHANG, SYS_ADDR, "正常"]])
    assert pairs(res) == {(2, 2)}
    assert "同音" in res["matches"]["reason"].iat[0]
    assert "姓名" in res["differences"]["item"].tolist()


def test_two_valid_ids_that_differ_are_two_people(tmp_path):
    other = make_id("340102", "19900101", "125")  # same name, birth date, flat, sex
    res = run(tmp_path, [["张伟", "男", ZHANG, ADDR]], [["张伟", "男", other, SYS_ADDR, "正常"]])
    assert pairs(res) == set()
    assert len(res["field_only"]) == 1 and len(res["system_only"]) == 1
    assert res["review"].empty


def test_twins_in_one_flat_with_damaged_ids_are_not_crossed(tmp_path):
    res = run(
        tmp_path,
        [
            ["陈明", "男", TWIN_A[:15] + "000", ADDR],
            ["陈亮", "男", TWIN_B[:15] + "000", ADDR],
        ],
        [
            ["陈亮", "男", TWIN_B, SYS_ADDR, "正常"],
            ["陈明", "男", TWIN_A, SYS_ADDR, "正常"],
        ],
    )
    assert pairs(res) == {(2, 3), (3, 2)}


def test_homonyms_at_one_address_are_told_apart_by_id(tmp_path):
    other = make_id("620102", "19880808", "135")  # another 张伟 in the same flat
    res = run(
        tmp_path,
        [["张伟", "男", ZHANG, ADDR], ["张伟", "男", other, ADDR]],
        [["张伟", "男", other, SYS_ADDR, "正常"], ["张伟", "男", ZHANG, SYS_ADDR, "正常"]],
    )
    assert pairs(res) == {(2, 3), (3, 2)}


def test_homonyms_at_one_address_without_id_go_to_review(tmp_path):
    other = make_id("620102", "19880808", "135")
    res = run(
        tmp_path,
        [["张伟", "男", "", ADDR]],
        [["张伟", "男", other, SYS_ADDR, "正常"], ["张伟", "男", ZHANG, SYS_ADDR, "正常"]],
    )
    assert pairs(res) == set()
    assert set(res["review"]["system_row"].astype(int)) == {2, 3}
    assert res["field_only"].empty  # not "to enter": it may well be one of them


def test_cancelled_record_is_never_matched_and_never_visited(tmp_path):
    res = run(
        tmp_path,
        [["王芳", "女", WANG, ADDR]],
        [["张伟", "男", ZHANG, SYS_ADDR, "注销"]],
    )
    assert pairs(res) == set()
    assert res["system_only"].empty
    assert len(res["field_only"]) == 1


def test_re_registration_when_only_a_cancelled_record_exists(tmp_path):
    res = run(tmp_path, [["王芳", "女", WANG, ADDR]], [["王芳", "女", WANG, SYS_ADDR, "已注销"]])
    assert pairs(res) == set()
    assert len(res["field_only"]) == 1
    assert "重新登记" in res["field_only"]["note"].iat[0]
    assert res["system_only"].empty


def test_duplicate_in_the_field_is_not_entered_twice(tmp_path):
    res = run(
        tmp_path,
        [["李娜", "女", LI, ADDR], ["李娜", "女", LI.lower(), "古美路1255弄12-302"]],
        [["张伟", "男", ZHANG, SYS_ADDR, "正常"]],
    )
    assert len(res["field_only"]) == 1
    dup = res["duplicates"]
    assert dup["side"].tolist() == ["field"] and dup["row"].astype(int).tolist() == [3]


def test_duplicate_in_the_field_with_a_damaged_id(tmp_path):
    res = run(
        tmp_path,
        [["李娜", "女", LI, ADDR], ["李娜", "女", LI[:15] + "000", ADDR]],
        [["张伟", "男", ZHANG, SYS_ADDR, "正常"]],
    )
    assert len(res["field_only"]) == 1  # the unregistered person is entered once
    assert res["duplicates"]["row"].astype(int).tolist() == [3]


def test_duplicate_registration_in_the_system(tmp_path):
    typo = ZHANG[:16] + ("1" if ZHANG[16] != "1" else "3") + ZHANG[17]
    res = run(
        tmp_path,
        [["张伟", "男", ZHANG, ADDR]],
        [
            ["张伟", "男", ZHANG, SYS_ADDR, "正常"],
            ["张伟", "男", ZHANG, "上海市闵行区平阳路258弄5号102室", "正常"],
            ["张伟", "男", typo, SYS_ADDR, "正常"],
        ],
    )
    assert pairs(res) == {(2, 2)}
    dup = res["duplicates"]
    assert set(dup["row"].astype(int)) == {3, 4}
    assert set(dup["side"]) == {"system"}
    assert res["system_only"].empty  # nobody is sent to visit a double registration


def test_moved_within_the_street_is_a_change_of_address(tmp_path):
    res = run(
        tmp_path,
        [["王芳", "女", WANG, "平阳路258弄5号102室"]],
        [["王芳", "女", WANG, SYS_ADDR, "正常"]],
    )
    assert pairs(res) == {(2, 2)}
    diff = res["differences"]
    assert diff["item"].tolist() == ["现居住地址"]
    assert diff["field_value"].iat[0] == "平阳路258弄5号102室"


def test_every_row_has_exactly_one_outcome(tmp_path):
    rows = [
        ["张伟", "男", ZHANG, ADDR],
        ["王芳", "女", "", ADDR],
        ["", "", "", "古美路1号"],  # nothing to identify a person: unusable
        ["李娜", "女", LI, ADDR],
    ]
    sys_rows = [
        ["张伟", "男", ZHANG, SYS_ADDR, "正常"],
        ["赵六", "女", make_id("110105", "19491231", "002"), SYS_ADDR, "注销"],
        ["王芳", "女", WANG, SYS_ADDR, "正常"],
    ]
    run(tmp_path, rows, sys_rows)
    import json

    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    for side, n in (("field", 4), ("system", 3)):
        assert summary["rows_read"][side] == n
        assert sum(summary["outcomes"][side].values()) == n
        assert summary["totals_check"][side]["ok"]
    assert summary["outcomes"]["field"]["unusable"] == 1
    assert summary["outcomes"]["system"]["inactive"] == 1


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-1+2", "@SUM(1)"]
)
def test_formula_like_names_are_written_as_text(tmp_path, name):
    import openpyxl

    from recon.normalize.names import clean_name

    shown = clean_name(name)  # the display form drops stray spaces
    res = run(tmp_path, [[name, "男", ZHANG, ADDR]], [["张伟", "男", WANG, SYS_ADDR, "正常"]])
    written = res["field_only"]["field_name"].iat[0]
    assert written == "'" + shown  # OWASP: a leading quote in CSV
    wb = openpyxl.load_workbook(tmp_path / "out" / "核对结果.xlsx")
    cells = [c for row in wb["人到机_待录入"].iter_rows() for c in row if c.value == shown]
    assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula


# --- what both sides carry besides the ID: hukou address, phone ------------------------

FIELD_MORE = ["姓名", "性别", "公民身份号码", "现居住地址", "户籍地址", "联系电话"]
SYSTEM_MORE = ["姓名", "性别", "公民身份号码", "暂住地址", "户籍地址", "联系电话", "人员状态"]
# two men named 刘洋 renting rooms of one flat, born the same year (not the same day)
LIU_A = make_id("411082", "19920304", "111")  # 河南 长葛
LIU_B = make_id("340828", "19921130", "131")  # 安徽 岳西
HUKOU_A = "河南省许昌市长葛市石门乡五一村8组54号"
HUKOU_B = "安徽省安庆市岳西县青山乡高台村115号"
MOBILE_A, MOBILE_B = "13912345678", "18687654321"


def _co_tenants(
    field_row: list[str],
    hukou: tuple[str, str],
    phone: tuple[str, str],
    ids: tuple[str, str] = (LIU_A, LIU_B),
) -> list:
    return [
        [field_row],
        [
            ["刘洋", "男", ids[0], SYS_ADDR, hukou[0], phone[0], "正常"],
            ["刘洋", "男", ids[1], SYS_ADDR, hukou[1], phone[1], "正常"],
        ],
    ]


@pytest.mark.parametrize(
    ("description", "field_row", "system_hukou", "system_phone", "expected"),
    [
        (
            "the field row's hukou address is A's (spelt without the province)",
            ["刘洋", "男", "", ADDR, "长葛市石门乡五一村八组54号", ""],
            (HUKOU_A, HUKOU_B),
            ("", ""),
            {(2, 2)},
        ),
        (
            "... is B's",
            ["刘洋", "男", "", ADDR, HUKOU_B, ""],
            (HUKOU_A, HUKOU_B),
            ("", ""),
            {(2, 3)},
        ),
        (
            "no hukou address on the field row: nothing tells them apart",
            ["刘洋", "男", "", ADDR, "", ""],
            (HUKOU_A, HUKOU_B),
            ("", ""),
            set(),
        ),
    ],
)
def test_two_same_name_co_tenants_told_apart_by_hukou_address(
    tmp_path, description, field_row, system_hukou, system_phone, expected
):
    # the field row has no ID and no birth date: name, sex and flat fit both
    res = run(
        tmp_path,
        *_co_tenants(field_row, system_hukou, system_phone),
        field_header=FIELD_MORE,
        system_header=SYSTEM_MORE,
    )
    assert pairs(res) == expected, description
    if expected:
        assert res["review"].empty, description
        assert res["matches"]["method"].tolist() == ["missing_id"]
        assert "户籍地址为同一套房" in res["matches"]["reason"].iat[0]
        assert len(res["system_only"]) == 1  # the other co-tenant: still to visit
    else:
        assert len(res["review"]) == 2  # both candidates, for a person to decide


@pytest.mark.parametrize(
    ("description", "phone", "expected"),
    [
        ("A's mobile number", MOBILE_A, {(2, 2)}),
        ("B's mobile number (written with +86 and spaces)", "+86 186 8765 4321", {(2, 3)}),
        ("no phone: nothing tells them apart", "", set()),
    ],
)
def test_two_same_name_co_tenants_told_apart_by_phone(tmp_path, description, phone, expected):
    # relatives: one hukou flat, IDs of one county, one rented flat, one
    # name; only the phone differs
    cousin = make_id("411082", "19921130", "131")
    res = run(
        tmp_path,
        *_co_tenants(
            ["刘洋", "男", "", ADDR, HUKOU_A, phone],
            (HUKOU_A, HUKOU_A),
            (MOBILE_A, MOBILE_B),
            (LIU_A, cousin),
        ),
        field_header=FIELD_MORE,
        system_header=SYSTEM_MORE,
    )
    assert pairs(res) == expected, description
    if expected:
        assert "手机号一致" in res["matches"]["reason"].iat[0]
    else:
        assert len(res["review"]) == 2


@pytest.mark.parametrize(
    ("description", "field_hukou", "expected"),
    [
        ("the field row's hukou names A's ID region (长葛)", HUKOU_A, {(2, 2)}),
        ("... names B's ID region (岳西)", HUKOU_B, {(2, 3)}),
        ("... names neither: both contradict it", "江苏省常州市武进区东风路46号", set()),
    ],
)
def test_a_hukou_address_that_contradicts_the_id_region(
    tmp_path, description, field_hukou, expected
):
    # the system holds no hukou address: the field row's is checked against
    # the region code of each candidate's ID
    res = run(
        tmp_path,
        *_co_tenants(["刘洋", "男", "", ADDR, field_hukou, ""], ("", ""), ("", "")),
        field_header=FIELD_MORE,
        system_header=SYSTEM_MORE,
    )
    assert pairs(res) == expected, description
    if expected:
        assert res["review"].empty
    reasons = " ".join(res["review"]["reason"].tolist() + res["matches"]["reason"].tolist())
    if not expected:
        assert "户籍地与身份证号地区不符" in reasons


def test_two_valid_ids_with_the_same_hukou_address_and_phone_are_never_merged(tmp_path):
    # everything agrees -- name, sex, flat, hukou flat, mobile -- but the IDs are
    # two different valid numbers: two people (twins sharing a phone, say)
    res = run(
        tmp_path,
        [["刘洋", "男", LIU_A, ADDR, HUKOU_A, MOBILE_A]],
        [["刘洋", "男", make_id("411082", "19920304", "131"), SYS_ADDR, HUKOU_A, MOBILE_A, "正常"]],
        field_header=FIELD_MORE,
        system_header=SYSTEM_MORE,
    )
    assert pairs(res) == set()
    assert res["review"].empty
    assert len(res["field_only"]) == 1 and len(res["system_only"]) == 1
