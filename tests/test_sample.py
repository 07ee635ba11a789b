"""The sample street: deterministic, realistic, and its truth points at real cells."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from stdnum import numdb

import recon
from recon.errors import UsageError
from recon.normalize import check_chars, upgrade_15
from recon.sample import (
    SCENARIOS,
    SampleFiles,
    Street,
    StreetSpec,
    generate_street,
    write_street,
)

RULES = Path(recon.__file__).parent / "rules"
SYNONYMS = {
    field: set(entry["synonyms"])
    for field, entry in tomllib.loads((RULES / "headers.toml").read_text("utf-8"))["fields"].items()
}
STATUS = tomllib.loads((RULES / "status.toml").read_text("utf-8"))
ID_LABELS = {
    "id_typo", "id_swap", "id_lower_x", "id_fullwidth", "id_space", "id_apostrophe",
    "id_missing", "id15", "id_number_cell", "id_sci",
}  # fmt: skip
Sheets = dict[tuple[str, str], list[list[object]]]
SYSTEM_HEADERS = [
    "姓名", "性别", "公民身份号码", "出生日期", "户籍地址", "暂住地址", "所属居委", "登记日期",
    "人员状态", "注销日期", "联系电话", "人员编号",
]  # fmt: skip


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def street() -> Street:
    return generate_street(StreetSpec())


@pytest.fixture(scope="module")
def files(street: Street, tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    return write_street(street, tmp_path_factory.mktemp("street"))


@pytest.fixture(scope="module")
def truth(files: SampleFiles) -> pd.DataFrame:
    return pd.read_csv(files.truth_path, dtype={"sheet": str, "noise": str, "status": str},
                       keep_default_na=False, encoding="utf-8-sig")  # fmt: skip


@pytest.fixture(scope="module")
def sheets(files: SampleFiles) -> Sheets:
    """Every sheet of every field workbook, as calamine reads it (row r = index r-1)."""
    out: Sheets = {}
    for path in files.field_files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            out[(path.name, name)] = [list(r) for r in rows]
    return out


def labels(noise: pd.Series) -> pd.Series:
    """Set of labels of each row."""
    return noise.map(lambda s: set(s.split(";")) - {""})


def share(noise: pd.Series, label: str) -> float:
    return float(labels(noise).map(lambda s: label in s).mean())


def header_row(rows: list[list[object]]) -> tuple[int, dict[str, int]]:
    """(0-based index of the header row, field -> column) found through the synonyms."""
    for i, row in enumerate(rows[:10]):
        cols = {}
        for j, cell in enumerate(row):
            for field, names in SYNONYMS.items():
                if isinstance(cell, str) and cell in names:
                    cols[field] = j
        if "name" in cols and "id_number" in cols:
            return i, cols
    raise AssertionError("no header row")


def is_valid18(s: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dX]", s)) and check_chars([s[:17]])[0] == s[17]


# --- determinism -----------------------------------------------------------------------


def test_same_seed_gives_the_same_street(street: Street) -> None:
    again = generate_street(StreetSpec())
    for name in ("persons", "field", "system", "committees"):
        pd.testing.assert_frame_equal(getattr(street, name), getattr(again, name))


def test_another_seed_gives_another_street(street: Street) -> None:
    other = generate_street(StreetSpec(seed=7))
    assert not set(other.persons["id18"]) & set(street.persons["id18"])
    assert list(other.field["name"][:50]) != list(street.field["name"][:50])


def test_written_values_are_deterministic(street: Street, tmp_path: Path) -> None:
    a = write_street(street, tmp_path / "a")
    b = write_street(street, tmp_path / "b")
    for pa_, pb in zip(a.field_files, b.field_files, strict=True):
        wa, wb = CalamineWorkbook.from_path(str(pa_)), CalamineWorkbook.from_path(str(pb))
        assert wa.sheet_names == wb.sheet_names
        for s in wa.sheet_names:
            assert wa.get_sheet_by_name(s).to_python() == wb.get_sheet_by_name(s).to_python()
    for pa_, pb in zip(a.system_files, b.system_files, strict=True):
        assert pa_.read_bytes() == pb.read_bytes()
    assert a.truth_path.read_bytes() == b.truth_path.read_bytes()


def test_spec_is_validated() -> None:
    with pytest.raises(ValueError, match="more than 1"):
        StreetSpec(new_arrival=0.6, left_active=0.5)
    with pytest.raises(ValueError, match="field_id_typo"):
        StreetSpec(field_id_typo=-0.1)
    with pytest.raises(ValueError, match="committees"):
        StreetSpec(committees=0)


# --- persons ---------------------------------------------------------------------------


def test_ids_are_valid_unique_and_agree_with_birth_and_sex(street: Street) -> None:
    p = street.persons
    assert len(p) == 8 * 400
    assert p["id18"].is_unique
    assert all(is_valid18(s) for s in p["id18"])
    assert (p["id18"].str.slice(6, 14) == p["birth"].str.replace("-", "")).all()
    odd = p["id18"].str.slice(16, 17).astype(int) % 2 == 1
    assert (odd == (p["sex"] == "男")).all()
    assert p["birth"].min() >= "1950-01-01"
    assert p["birth"].max() <= "2005-12-31"


def test_region_codes_are_real_counties_of_migrant_provinces(street: Street) -> None:
    loc = numdb.get("cn/loc")
    regions = street.persons["id18"].str.slice(0, 6)
    provinces: Counter[str] = Counter()
    for code in regions.unique():
        parts = loc.info(code)  # [(province prefix, props), (county suffix, props)]
        assert len(parts) == 2 and "county" in parts[1][1], code
        provinces[parts[0][1]["province"]] += 1
    for name in ("安徽省", "河南省", "江苏省", "四川省", "江西省", "湖北省", "山东省", "浙江省"):
        assert provinces[name] > 0, name
    # the hukou address starts with the province of the region code
    sample = street.persons.sample(300, random_state=1)
    for code, hukou in zip(sample["id18"].str.slice(0, 6), sample["hukou_address"], strict=True):
        assert hukou.startswith(loc.info(code)[0][1]["province"])


def test_legacy_15_digit_numbers_upgrade_to_the_id18(street: Street) -> None:
    p = street.persons
    old = p[p["id15"] != ""]
    assert len(old) >= 20
    assert (old["birth"] < "1980-01-01").all()
    assert all(upgrade_15(a) == b for a, b in zip(old["id15"], old["id18"], strict=True))
    # and they are in use: on the system side mostly, on some field rows
    s = street.system[labels(street.system["noise"]).map(lambda x: "id15" in x)]
    assert len(s) >= 20
    assert (s["id_number"].str.len() == 15).all()
    ups = [upgrade_15(v) for v in s["id_number"]]
    assert ups == p["id18"].to_numpy()[s["person_id"]].tolist()
    assert share(street.field["noise"], "id15") > 0.003


def test_names_have_many_homonyms(street: Street) -> None:
    counts = street.persons["name"].value_counts()
    assert counts["张伟"] >= 24  # dozens
    for name in ("王芳", "李娜", "刘洋"):
        assert counts[name] >= 8, name
    single = street.persons["name"].str.len() == 2
    assert 0.2 < single.mean() < 0.6
    p = street.persons[street.persons["twin_of"] < 0]
    same_flat = p.groupby(["flat_id", "name"]).size()
    assert (same_flat >= 2).sum() >= 5
    building = p["address"].str.replace(r"\d+室$", "", regex=True)
    per_building = p.assign(b=building).groupby(["b", "name"])["flat_id"].nunique()
    assert (per_building >= 2).sum() >= 5


def test_same_name_flatmates_differ_in_hukou_and_phone(street: Street) -> None:
    # co-tenants given one name (not a family): what tells them apart besides
    # the ID is what both sides carry -- the hukou address and the phone
    p = street.persons[street.persons["twin_of"] < 0]
    groups = p.groupby(["flat_id", "name"])
    pairs = groups.filter(lambda g: len(g) >= 2)
    assert pairs.groupby(["flat_id", "name"]).ngroups >= 5
    by = pairs.groupby(["flat_id", "name"])
    differ_hukou = (by["hukou_address"].nunique() >= 2).mean()
    differ_phone = (by["phone"].nunique() >= 2).mean()
    assert differ_hukou > 0.5 and differ_phone > 0.9
    # and some field rows of such people carry no ID at all
    noisy = street.field["noise"].astype(str)
    assert noisy.str.contains("id_missing").sum() > 0


def test_surnames_follow_a_realistic_frequency(street: Street) -> None:
    surnames = street.persons["surname"]
    top = surnames.value_counts(normalize=True)
    assert set(top.index[:5]) <= {"王", "李", "张", "刘", "陈", "杨"}
    assert 0.2 < top[["王", "李", "张"]].sum() < 0.4
    assert surnames.isin(["欧阳", "司马", "上官", "诸葛"]).sum() >= 1 or len(surnames) < 5000


def test_minority_names_carry_a_middle_dot(street: Street) -> None:
    p = street.persons
    dotted = p["name"].str.contains("·", regex=False)
    assert dotted.sum() == p["minority"].sum()
    assert 0.005 < dotted.mean() < 0.02
    assert (p.loc[dotted, "ethnicity"] == "维吾尔族").all()
    assert (p.loc[dotted, "id18"].str.slice(0, 2) == "65").all()
    f = street.field
    variants = f[labels(f["noise"]).map(lambda s: "name_dot" in s)]
    assert len(variants) >= 5
    assert not variants["name"].str.contains("·", regex=False).any()


def test_twins_share_surname_birth_flat_and_consecutive_numbers(street: Street) -> None:
    p = street.persons
    a = p[(p["twin_of"] >= 0) & (p["twin_of"] > p["person_id"])]
    assert len(a) >= 5
    b = p.iloc[a["twin_of"].to_numpy()]
    assert (a["surname"].to_numpy() == b["surname"].to_numpy()).all()
    assert (a["birth"].to_numpy() == b["birth"].to_numpy()).all()
    assert (a["flat_id"].to_numpy() == b["flat_id"].to_numpy()).all()
    assert (a["name"].to_numpy() != b["name"].to_numpy()).all()
    gap = (
        b["id18"].str.slice(14, 17).astype(int).to_numpy()
        - a["id18"].str.slice(14, 17).astype(int).to_numpy()
    )
    assert set(gap) <= {1, 2}
    assert (a["id18"].str.slice(0, 14).to_numpy() == b["id18"].str.slice(0, 14).to_numpy()).all()


def test_flats_have_unique_canonical_parts(street: Street) -> None:
    p = street.persons
    flats = p.drop_duplicates("flat_id")
    parts = flats[["road", "lane", "number", "room", "village", "group"]]
    assert not parts.duplicated().any()
    assert flats["address"].is_unique
    rural = flats[flats["village"] != ""]
    assert len(rural) > 10
    assert rural["group"].astype(int).between(1, 15).all()
    urban = flats[flats["village"] == ""]
    room = urban["room"].astype(int)
    assert (room // 100).between(1, 18).all() and (room % 100).between(1, 4).all()
    assert urban["lane"].astype(int).between(1, 2000).all()
    assert urban["number"].astype(int).between(1, 80).all()
    assert (p.groupby("flat_id").size() >= 2).mean() > 0.5


# --- scenarios -------------------------------------------------------------------------


def test_scenario_shares_match_the_spec(street: Street) -> None:
    got = street.persons["scenario"].value_counts(normalize=True)
    for name, want in StreetSpec().scenario_shares().items():
        assert abs(got.get(name, 0.0) - want) < 0.006, name
    assert set(got.index) == set(SCENARIOS)


def test_each_side_holds_what_the_scenario_says(street: Street) -> None:
    p, f, s = street.persons, street.field, street.system
    scen = p.set_index("person_id")["scenario"]
    in_field = set(f["person_id"])
    assert in_field == set(
        p.loc[p["scenario"].isin(["registered", "new_arrival", "reregister", "moved"]), "person_id"]
    )
    main = s[s["kind"] == "main"]
    by_scen = main.assign(scenario=scen.to_numpy()[main["person_id"]])
    assert not (by_scen["scenario"] == "new_arrival").any()
    active = by_scen.groupby("scenario")["active"].all()
    inactive = ~by_scen.groupby("scenario")["active"].any()
    assert active["registered"] and active["left_active"] and active["moved"]
    assert inactive["reregister"] and inactive["left_cancelled"]
    moved = by_scen[by_scen["scenario"] == "moved"]
    assert (moved["flat_id"].to_numpy() != p["flat_id"].to_numpy()[moved["person_id"]]).all()
    dup = s[s["kind"] == "duplicate"]
    assert dup["active"].all() and len(dup) == p["dup_system"].sum() >= 10
    twice = f.groupby("person_id").size()
    assert (twice == 2).sum() == p["field_twice"].sum() >= 10
    # field rows sit in the workbook of the 居委 the person lives in
    assert (f["committee"].to_numpy() == p["committee"].to_numpy()[f["person_id"]]).all()


def test_status_words_and_dates(street: Street) -> None:
    s = street.system
    assert set(s.loc[s["active"], "status"]) <= set(STATUS["active"])
    assert set(s.loc[~s["active"], "status"]) <= set(STATUS["inactive"])
    assert len(set(s.loc[~s["active"], "status"])) >= 2
    assert (s.loc[~s["active"], "cancelled_on"] > s.loc[~s["active"], "registered_on"]).all()
    assert (s.loc[s["active"], "cancelled_on"] == "").all()


def test_this_rounds_arrivals_are_entered_mostly_within_two_working_days(
    street: Street,
) -> None:
    """Some registered people came shortly before collection and were entered
    after it: most within 2 working days, some later (the audit's 录入及时率)."""
    from recon.workdays import WorkCalendar

    f = street.field[street.field["copy"].eq(0)].set_index("person_id")
    s = street.system[street.system["kind"].eq("main") & street.system["active"]]
    s = s[s["person_id"].isin(f.index)]
    collected = f.loc[s["person_id"], "collected_iso"].to_numpy()
    after = s[s["registered_on"].to_numpy() >= collected]
    share = len(after) / len(street.persons)
    assert abs(share - street.spec.entered_after_collection) < 0.02, share
    calendar = WorkCalendar()
    delays = [
        calendar.workdays_after(dt.date.fromisoformat(c), dt.date.fromisoformat(r))
        for c, r in zip(f.loc[after["person_id"], "collected_iso"], after["registered_on"],
                        strict=True)
    ]  # fmt: skip
    on_time = np.mean(np.array(delays) <= 2)
    assert 0.7 < on_time < 0.95, on_time
    assert max(delays) > 5
    # they came 0-9 days before being collected, and the record's key has its year
    came = f.loc[after["person_id"], "arrived_iso"]
    gap = [
        (dt.date.fromisoformat(c) - dt.date.fromisoformat(a)).days
        for a, c in zip(came, f.loc[after["person_id"], "collected_iso"], strict=True)
        if a
    ]
    assert gap and min(gap) >= 0 and max(gap) <= 9
    assert (after["record_key"].str.slice(2, 6) == after["registered_on"].str.slice(0, 4)).all()


def test_this_rounds_arrivals_change_nothing_else() -> None:
    """Their own random stream: without them, every other value is the same."""
    spec = StreetSpec(seed=3, committees=2, residents_per_committee=60)
    with_round = generate_street(spec)
    without = generate_street(dataclasses.replace(spec, entered_after_collection=0.0))
    moved = ["registered_on", "record_key"]
    pd.testing.assert_frame_equal(
        with_round.system.drop(columns=moved), without.system.drop(columns=moved)
    )
    moved = ["arrived_on", "arrived_iso"]
    pd.testing.assert_frame_equal(
        with_round.field.drop(columns=moved), without.field.drop(columns=moved)
    )
    pd.testing.assert_frame_equal(with_round.persons, without.persons)
    assert (with_round.system["registered_on"] != without.system["registered_on"]).sum() > 10


def test_review_rows_by_design_change_only_themselves() -> None:
    """``review_pairs`` rows lose their ID and birth date and get a homophone name or
    lose their room; nothing else of the street moves."""
    spec = StreetSpec(seed=4, committees=3, residents_per_committee=100)
    plain = generate_street(spec).field
    field = generate_street(dataclasses.replace(spec, review_pairs=4)).field
    changed = field["noise"].str.contains("review_")
    assert changed.sum() == 4
    assert set(field.loc[changed, "noise"].str.extract(r"(review_\w+)")[0]) == {
        "review_name", "review_room",
    }  # fmt: skip
    assert (field.loc[changed, "id_number"] == "").all()
    assert (field.loc[changed, "birth_date"] == "").all()
    room = field["noise"].str.contains("review_room")
    assert not field.loc[room, "address"].str.contains("室").any()
    assert (field.loc[room, "name"] == plain.loc[room, "name"]).all()
    name = field["noise"].str.contains("review_name")
    assert (field.loc[name, "name"] != plain.loc[name, "name"]).all()
    pd.testing.assert_frame_equal(field[~changed], plain[~changed])
    with pytest.raises(ValueError, match="review_pairs"):
        StreetSpec(review_pairs=-1)


# --- noise -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "want", "tol"),
    [
        ("id_typo", 0.015, 0.004),
        ("id_swap", 0.005, 0.002),
        ("id_missing", 0.01, 0.003),
        ("name_homophone", 0.01, 0.003),
        ("name_trad", 0.01, 0.003),
        ("name_space", 0.005, 0.002),
        ("sex_slip", 0.002, 0.0015),
        ("id_number_cell", 0.02, 0.012),
    ],
)
def test_field_noise_rates(street: Street, label: str, want: float, tol: float) -> None:
    assert abs(share(street.field["noise"], label) - want) <= tol


def test_field_format_and_address_noise_rates(street: Street) -> None:
    lab = labels(street.field["noise"])
    fmt = lab.map(lambda s: bool(s & {"id_lower_x", "id_fullwidth", "id_space", "id_apostrophe"}))
    assert 0.02 <= fmt.mean() <= 0.04
    addr = lab.map(lambda s: any(x.startswith("addr_") for x in s))
    assert abs(addr.mean() - 0.40) < 0.01
    kinds = Counter(x for s in lab for x in s if x.startswith("addr_"))
    for kind in ("addr_dash", "addr_floor", "addr_prefix", "addr_cn_num", "addr_fullwidth",
                 "addr_building_word"):  # fmt: skip
        assert kinds[kind] >= 20, kind


def test_field_noise_labels_tell_the_truth(street: Street) -> None:
    f, p = street.field, street.persons
    lab = labels(f["noise"])
    id18 = p["id18"].to_numpy()[f["person_id"]]
    name = p["name"].to_numpy()[f["person_id"]]
    address = p["address"].to_numpy()[f["person_id"]]
    for i, (labs, written) in enumerate(zip(lab, f["id_number"], strict=True)):
        true = id18[i]
        if not labs & ID_LABELS:
            assert written == true
        elif labs & {"id_typo", "id_swap"} and "id_number_cell" not in labs:
            assert len(written) == 18 and written != true and not is_valid18(written)
            diff = [k for k in range(18) if written[k] != true[k]]
            assert len(diff) == 1 if "id_typo" in labs else diff == [diff[0], diff[0] + 1]
        elif "id_number_cell" in labs:
            assert written.endswith("000") and len(written) == 18 and f["id_is_number"].iloc[i]
        elif "id_missing" in labs:
            assert written in ("", "无", "暂无", "/")
        elif labs & {"id_fullwidth", "id_space", "id_apostrophe", "id_lower_x"}:
            cleaned = unicodedata.normalize("NFKC", written).strip().lstrip("'").replace(" ", "")
            assert written != true and cleaned.upper() == true
    for i, (labs, written) in enumerate(zip(lab, f["name"], strict=True)):
        if not any(x.startswith("name_") for x in labs):
            assert written == name[i]
        elif "name_homophone" in labs:
            assert (
                len(written) == len(name[i])
                and sum(a != b for a, b in zip(written, name[i], strict=True)) == 1
            )
        elif "name_space" in labs:
            assert written != name[i] and written.replace(" ", "") == name[i]
        elif "name_trad" in labs:
            assert written != name[i] and len(written) == len(name[i])
    for i, (labs, written) in enumerate(zip(lab, f["address"], strict=True)):
        if not any(x.startswith("addr_") for x in labs):
            assert written == address[i]
        else:
            assert written != address[i]


def test_system_noise(street: Street) -> None:
    s, p = street.system, street.persons
    lab = labels(s["noise"])
    id18 = p["id18"].to_numpy()[s["person_id"]]
    typo = lab.map(lambda x: bool(x & {"id_typo", "id_swap"})).to_numpy()
    assert 0.015 <= typo.mean() <= 0.03
    assert all(not is_valid18(v) and len(v) == 18 for v in s["id_number"][typo])
    sci = lab.map(lambda x: "id_sci" in x).to_numpy()
    assert sci.sum() >= 3
    assert all(re.fullmatch(r"\d(\.\d{1,5})?E\+17", v) for v in s["id_number"][sci])
    plain = lab.map(lambda x: not x & ID_LABELS).to_numpy()
    assert (s["id_number"].to_numpy()[plain] == id18[plain]).all()
    prefixed = s["address"].str.startswith("上海市闵行区")
    assert 0.88 < prefixed.mean() < 0.96
    # the key case: an active record under a mistyped ID of a person who is present
    present = p["scenario"].to_numpy()[s["person_id"]] == "registered"
    assert (typo & present & s["active"].to_numpy()).sum() >= 20


# --- files -----------------------------------------------------------------------------


def test_layout_and_templates(street: Street, files: SampleFiles, sheets: Sheets) -> None:
    names = [p.name for p in files.field_files]
    assert len(names) == 8 == len(set(names))
    assert sum(n.endswith(".xls") for n in names) == 1
    assert all(p.parent == files.field_dir for p in files.field_files)
    assert files.truth_path.parent not in (files.field_dir, files.system_dir)
    books: dict[str, list[tuple[str, list[list[object]]]]] = {}
    for (file, sheet), rows in sheets.items():
        books.setdefault(file, []).append((sheet, rows))
    numeric_books = []
    for file, book in books.items():
        data_sheets = [(s, r) for s, r in book if s != "填表说明"]
        kinds: Counter[str] = Counter()
        for _sheet, rows in data_sheets:
            h, cols = header_row(rows)
            ids = [r[cols["id_number"]] for r in rows[h + 1 :] if len(r) > cols["id_number"]]
            kinds.update(type(v).__name__ for v in ids if v != "")
        if kinds["float"] + kinds["int"] > 0.8 * sum(kinds.values()):
            numeric_books.append(file)
        else:
            assert kinds["float"] + kinds["int"] == 0, file
        if book[0][0] == "填表说明":
            assert len(book) == 2 and "填表说明" in str(book[0][1][0][0])
    assert len(numeric_books) == 1
    assert any(len([s for s, _ in b if s != "填表说明"]) >= 2 for b in books.values())
    assert any(b[0][0] == "填表说明" for b in books.values())


def test_headers_are_known_synonyms(sheets: Sheets) -> None:
    known = set().union(*SYNONYMS.values())
    for (file, sheet), rows in sheets.items():
        if sheet == "填表说明":
            continue
        h, _cols = header_row(rows)
        header = [c for c in rows[h] if c != ""]
        assert set(header) <= known, (file, header)


def test_truth_points_to_the_right_cells(
    street: Street, truth: pd.DataFrame, sheets: Sheets
) -> None:
    field = truth[truth["side"] == "field"]
    assert len(field) == len(street.field)
    assert sorted(field["record"]) == list(range(len(street.field)))
    headers = {key: header_row(rows) for key, rows in sheets.items() if key[1] != "填表说明"}
    f = street.field
    for file, sheet, row, record, person in zip(
        field["file"],
        field["sheet"],
        field["row"],
        field["record"],
        field["person_id"],
        strict=True,
    ):
        rows = sheets[(file, sheet)]
        h, cols = headers[(file, sheet)]
        assert row - 1 > h
        cells = rows[row - 1]
        assert cells[cols["name"]] == f["name"].iloc[record]
        written = f["id_number"].iloc[record]
        cell = cells[cols["id_number"]]
        if f["id_is_number"].iloc[record]:
            assert isinstance(cell, float | int) and cell == float(int(written))
        else:
            assert cell == written
        assert person == f["person_id"].iloc[record]


def test_only_data_rows_are_in_the_truth(truth: pd.DataFrame, sheets: Sheets) -> None:
    located = set(zip(truth["file"], truth["sheet"], truth["row"], strict=True))
    blank_between = 0
    totals = 0
    for (file, sheet), rows in sheets.items():
        if sheet == "填表说明":
            continue
        h, _ = header_row(rows)
        data_rows = [r for r in range(h + 2, len(rows) + 1) if (file, sheet, r) in located]
        for r in range(h + 2, len(rows) + 1):
            filled = [c for c in rows[r - 1] if c != ""]
            if (file, sheet, r) in located:
                assert filled
            elif filled:
                assert filled[0] == "合计" and r == len(rows), (file, sheet, r)
                totals += 1
            elif data_rows and r < data_rows[-1]:
                blank_between += 1
    assert totals >= 1
    assert blank_between >= 1


def test_structure_rows(sheets: Sheets) -> None:
    firsts = [rows[0][0] for key, rows in sheets.items() if key[1] != "填表说明"]
    assert any(str(c).endswith("来沪人员信息采集表") for c in firsts)  # title row
    assert "基本信息" in firsts  # two-row header
    info = [rows[1][0] for rows in sheets.values() if len(rows) > 1]
    assert any(str(c).startswith("居委：") and "采集人：" in str(c) for c in info)


def test_system_export(street: Street, files: SampleFiles, truth: pd.DataFrame) -> None:
    (path,) = files.system_files
    assert path.name == "暂住人口导出.csv"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(path, encoding="gb18030", dtype=str, keep_default_na=False)
    assert list(table.columns) == SYSTEM_HEADERS
    assert len(table) == len(street.system)
    sys_truth = truth[truth["side"] == "system"]
    assert len(sys_truth) == len(street.system)
    for row, record in zip(sys_truth["row"], sys_truth["record"], strict=True):
        line = table.iloc[row - 2]
        assert line["公民身份号码"] == street.system["id_number"].iloc[record]
        assert line["姓名"] == street.system["name"].iloc[record]
    committees = table["所属居委"].tolist()
    assert committees != sorted(committees)
    assert set(sys_truth["status"]) <= set(STATUS["active"]) | set(STATUS["inactive"])


def test_pinyin_export_on_request(tmp_path: Path) -> None:
    street = generate_street(
        StreetSpec(committees=3, residents_per_committee=200, pinyin_export=True)
    )
    out = write_street(street, tmp_path)
    assert [p.name for p in out.system_files] == ["暂住人口导出.csv", "暂住人口导出_补充.csv"]
    extra = pd.read_csv(out.system_files[1], encoding="gb18030", dtype=str, keep_default_na=False)
    assert list(extra.columns) == [
        "xm",
        "xb",
        "sfzh",
        "hjdz",
        "dzmc",
        "jwh",
        "djsj",
        "zxbs",
        "zxsj",
    ]
    assert 0.05 < len(extra) / len(street.system) < 0.3
    assert set(extra["zxbs"]) == {"0", "1"}
    assert (extra.loc[extra["zxbs"] == "1", "zxsj"].str.fullmatch(r"\d{8}")).all()
    truth = pd.read_csv(out.truth_path, encoding="utf-8-sig", keep_default_na=False)
    assert (truth["side"] == "system").sum() == len(street.system)


def test_flat_layout(tmp_path: Path) -> None:
    street = generate_street(StreetSpec(committees=4, residents_per_committee=1000, seed=3))
    out = write_street(street, tmp_path, layout="flat")
    (field,) = out.field_files
    (system,) = out.system_files
    assert field.read_bytes().startswith(b"\xef\xbb\xbf")
    assert field.read_bytes().count(b"\n") == len(street.field) + 1
    assert system.read_bytes().count(b"\r\n") == len(street.system) + 1
    table = pd.read_csv(field, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert (table["姓名"].to_numpy() == street.field["name"].to_numpy()).all()
    assert (table["公民身份号码"].to_numpy() == street.field["id_number"].to_numpy()).all()
    truth = pd.read_csv(out.truth_path, encoding="utf-8-sig", keep_default_na=False)
    assert len(truth) == out.truth_rows == len(street.field) + len(street.system)
    assert truth.loc[truth["side"] == "field", "row"].tolist() == list(
        range(2, len(street.field) + 2)
    )


def test_refuses_a_folder_with_sample_files(street: Street, files: SampleFiles) -> None:
    with pytest.raises(UsageError):
        write_street(street, files.folder)
    with pytest.raises(UsageError):
        write_street(street, files.folder / "x", layout="csv")  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_million_persons_flat_is_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    street = generate_street(StreetSpec(committees=40, residents_per_committee=25_000))
    out = write_street(street, tmp_path, layout="flat")
    elapsed = time.perf_counter() - start
    assert len(street.persons) == 1_000_000
    with open(out.field_files[0], "rb") as fh:
        assert sum(1 for _ in fh) == len(street.field) + 1
    assert elapsed < 90, elapsed
    assert np.isclose(
        share(street.field["noise"].sample(100_000, random_state=0), "id_typo"), 0.015, atol=0.002
    )
