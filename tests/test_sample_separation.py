"""The 人户分离 sample: deterministic, realistic, its truth points at real rows."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import recon
from recon.errors import UsageError
from recon.loaders import LoadResult, committee_key
from recon.normalize import check_chars
from recon.sample import (
    SEPARATION_KINDS,
    SEPARATION_SCENARIOS,
    SampleFiles,
    Separation,
    SeparationSpec,
    generate_separation,
    write_separation,
)

HERE, AWAY, NONE = SEPARATION_KINDS
PREFIX = "上海市闵行区"
LIST_HEADERS = [
    "姓名", "性别", "公民身份号码", "户口所在地址", "现居住地址", "人户分离类型", "所属居委",
    "登记日期",
]  # fmt: skip
SWEEP_FIELDS = ("name", "sex", "id_number", "hukou_address", "address", "collected_on")
LIST_FIELDS = ("name", "sex", "id_number", "hukou_address", "address", "kind", "committee")
ID_LABELS = {
    "id_typo", "id_swap", "id_lower_x", "id_fullwidth", "id_space", "id_apostrophe",
    "id_missing", "id15", "id_number_cell", "id_sci",
}  # fmt: skip
SYNONYMS = {
    field: set(entry["synonyms"])
    for field, entry in tomllib.loads(
        (Path(recon.__file__).parent / "rules" / "headers.toml").read_text("utf-8")
    )["fields"].items()
}


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sep() -> Separation:
    return generate_separation(SeparationSpec())


@pytest.fixture(scope="module")
def files(sep: Separation, tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    return write_separation(sep, tmp_path_factory.mktemp("separation"))


@pytest.fixture(scope="module")
def truth(files: SampleFiles) -> pd.DataFrame:
    return pd.read_csv(files.truth_path, dtype={"sheet": str, "noise": str, "status": str},
                       keep_default_na=False, encoding="utf-8-sig")  # fmt: skip


@pytest.fixture(scope="module")
def swept(files: SampleFiles) -> LoadResult:
    return recon.load(files.field_dir, side="field")


@pytest.fixture(scope="module")
def listed(files: SampleFiles) -> LoadResult:
    return recon.load(files.system_files, side="system")


def labels(noise: pd.Series) -> pd.Series:
    return noise.map(lambda s: set(s.split(";")) - {""})


def has(noise: pd.Series, test: str) -> np.ndarray:
    """Rows with a label equal to ``test`` or, for a prefix ending in '_', starting with it."""
    if test.endswith("_"):
        return labels(noise).map(lambda s: any(x.startswith(test) for x in s)).to_numpy(bool)
    return labels(noise).map(lambda s: test in s).to_numpy(bool)


def is_valid18(s: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dX]", s)) and check_chars([s[:17]])[0] == s[17]


def workbook_values(paths: list[Path]) -> list[object]:
    out: list[object] = []
    for path in paths:
        wb = CalamineWorkbook.from_path(str(path))
        out.append((path.name, wb.sheet_names))
        out += [wb.get_sheet_by_name(s).to_python() for s in wb.sheet_names]
    return out


# --- determinism and spec --------------------------------------------------------------


def test_same_seed_gives_the_same_files(
    sep: Separation, files: SampleFiles, tmp_path: Path
) -> None:
    again = generate_separation(SeparationSpec())
    for name in ("persons", "places", "sweep", "police_list", "committees"):
        pd.testing.assert_frame_equal(getattr(sep, name), getattr(again, name))
    other = write_separation(again, tmp_path / "again")
    assert files.system_files[0].read_bytes() == other.system_files[0].read_bytes()
    assert files.truth_path.read_bytes() == other.truth_path.read_bytes()
    # a workbook's bytes carry the save time: the cells must be the same
    assert workbook_values(files.field_files) == workbook_values(other.field_files)
    flat_a = write_separation(sep, tmp_path / "flat_a", "flat")
    flat_b = write_separation(again, tmp_path / "flat_b", "flat")
    for a, b in zip(
        flat_a.field_files + flat_a.system_files + [flat_a.truth_path],
        flat_b.field_files + flat_b.system_files + [flat_b.truth_path],
        strict=True,
    ):
        assert a.read_bytes() == b.read_bytes()


def test_another_seed_gives_another_street(sep: Separation) -> None:
    other = generate_separation(SeparationSpec(seed=7, committees=3, residents_per_committee=100))
    assert not set(other.persons["id18"]) & set(sep.persons["id18"])


def test_spec_is_validated() -> None:
    with pytest.raises(ValueError, match="more than 1"):
        SeparationSpec(still=0.8, gone=0.3)
    with pytest.raises(ValueError, match="sweep_id_typo"):
        SeparationSpec(sweep_id_typo=1.5)
    with pytest.raises(ValueError, match="committees"):
        SeparationSpec(committees=0)
    assert SeparationSpec().local == pytest.approx(0.17)


def test_unknown_layout_and_a_used_folder_are_refused(sep: Separation, files: SampleFiles) -> None:
    with pytest.raises(UsageError):
        write_separation(sep, files.folder / "x", layout="csv")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        write_separation(sep, files.folder)


# --- persons and scenarios -----------------------------------------------------------


def test_scenario_and_type_shares(sep: Separation) -> None:
    p = sep.persons
    n = len(p)
    assert n == 8 * 300
    shares = p["scenario"].value_counts(normalize=True)
    for scenario, want in SeparationSpec().scenario_shares().items():
        assert shares[scenario] == pytest.approx(want, abs=1.5 / n), scenario
    assert set(p["scenario"]) == set(SEPARATION_SCENARIOS)
    kind = p["kind"]
    assert (kind[p["scenario"] == "local"] == NONE).all()
    assert (kind[p["scenario"] == "back_home"] == AWAY).all()
    separated = kind[~p["scenario"].isin(["local", "back_home"])]
    assert set(separated) == {HERE, AWAY}
    assert (separated == HERE).mean() == pytest.approx(0.6, abs=0.01)


def test_persons_are_local_hukou(sep: Separation) -> None:
    p = sep.persons
    assert p["id18"].is_unique and all(is_valid18(s) for s in p["id18"])
    shanghai = p["id18"].str.startswith("31")
    assert (shanghai | p["minority"]).all()
    assert p["minority"].sum() >= 1
    assert (
        p["hukou_address"].str.startswith("上海市") & p["residence"].str.startswith("上海市")
    ).all()


def test_places_follow_the_scenario(sep: Separation) -> None:
    p, places = sep.persons, sep.places
    in_street = places["in_street"].to_numpy(bool)
    hukou_in = in_street[p["hukou_place"]]
    live_in = in_street[p["live_place"]]
    kind = p["kind"].to_numpy()
    scenario = p["scenario"].to_numpy()
    now_here = (kind == HERE) & (scenario != "back_home")
    now_away = (kind == AWAY) & (scenario != "back_home")
    assert (live_in[now_here] & ~hukou_in[now_here]).all()
    assert (hukou_in[now_away] & ~live_in[now_away]).all()
    settled = np.isin(scenario, ["local", "back_home"])
    assert (hukou_in[settled] & live_in[settled]).all()
    assert (p["hukou_place"][settled] == p["live_place"][settled]).all()
    # the flat a person is tied to is the street end of their addresses
    assert (p["flat_id"] == np.where(live_in, p["live_place"], p["hukou_place"])).all()
    listed = p["listed"].to_numpy(bool)
    assert (listed == np.isin(scenario, ["still", "back_home", "moved", "gone"])).all()
    same = p["list_live_place"] == p["live_place"]
    assert same[np.isin(scenario, ["still", "gone"])].all()
    assert not same[np.isin(scenario, ["moved", "back_home"])].any()
    moved_here = (scenario == "moved") & (kind == HERE)
    assert in_street[p["list_live_place"][moved_here]].all()
    assert (p["list_hukou_place"][listed] == p["hukou_place"][listed]).all()


def test_each_side_holds_what_the_scenario_says(sep: Separation, truth: pd.DataFrame) -> None:
    p = sep.persons
    assert not truth.duplicated(["side", "person_id"]).any()
    on_sweep = set(truth.loc[truth["side"] == "field", "person_id"])
    on_list = set(truth.loc[truth["side"] == "system", "person_id"])
    scenario = p["scenario"].to_numpy()
    assert on_sweep == set(np.flatnonzero(scenario != "gone"))
    assert on_list == set(np.flatnonzero(p["listed"].to_numpy(bool)))
    s = sep.sweep
    shown = scenario[s["person_id"]]
    kind = p["kind"].to_numpy()[s["person_id"]]
    settled = np.isin(shown, ["local", "back_home"])
    assert (s["found"].to_numpy()[settled] == NONE).all()
    assert (s["found"].to_numpy()[~settled] == kind[~settled]).all()
    assert set(truth["kind"]) == set(SEPARATION_KINDS)
    assert (truth["kind"].to_numpy() == p["kind"].to_numpy()[truth["person_id"]]).all()


# --- the list --------------------------------------------------------------------------


def test_list_type_agrees_with_the_addresses(sep: Separation, files: SampleFiles) -> None:
    (path,) = files.system_files
    assert path.name == "人户分离人员名单.csv" and path.parent.name == "系统导出"
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(path, encoding="gb18030", dtype=str, keep_default_na=False)
    assert list(table.columns) == LIST_HEADERS
    assert set(table["人户分离类型"]) == {HERE, AWAY}
    places = sep.places[sep.places["in_street"]]
    street = set(places["local"])
    committee_of = dict(zip(places["local"], places["committee"], strict=True))

    def in_street(text: str) -> bool:
        return text.removeprefix(PREFIX) in street

    here = table["人户分离类型"] == HERE
    home = np.where(here, table["现居住地址"], table["户口所在地址"])
    away = np.where(here, table["户口所在地址"], table["现居住地址"])
    assert all(in_street(a) for a in home)
    assert not any(in_street(a) or a.startswith(PREFIX) for a in away)
    assert all(a.startswith("上海市") and not a.startswith(PREFIX) for a in away)
    assert [committee_of[a.removeprefix(PREFIX)] for a in home] == table["所属居委"].tolist()
    short = [not a.startswith(PREFIX) for a in home]
    assert np.mean(short) == pytest.approx(SeparationSpec().list_address_short, abs=0.002)
    # exported 居委 by 居委
    order = list(dict.fromkeys(table["所属居委"]))
    assert order == [c for c in sep.committees["committee"] if c in order]


def test_list_noise(sep: Separation) -> None:
    s, p = sep.police_list, sep.persons
    id18 = p["id18"].to_numpy()[s["person_id"]]
    typo = has(s["noise"], "id_typo") | has(s["noise"], "id_swap")
    assert typo.mean() == pytest.approx(SeparationSpec().list_id_typo, abs=0.002)
    assert all(len(v) == 18 and not is_valid18(v) for v in s["id_number"][typo])
    plain = ~labels(s["noise"]).map(lambda x: bool(x & ID_LABELS)).to_numpy(bool)
    assert (s["id_number"].to_numpy()[plain] == id18[plain]).all()
    assert has(s["noise"], "id15").sum() >= 5
    assert has(s["noise"], "name_").sum() >= 3
    clean = ~has(s["noise"], "name_")
    assert (s["name"].to_numpy()[clean] == p["name"].to_numpy()[s["person_id"]][clean]).all()
    short = has(s["noise"], "addr_short") | has(s["noise"], "hukou_addr_short")
    listed = p.set_index("person_id").loc[s["person_id"]]
    assert (s["address"].to_numpy()[~short] == listed["list_residence"].to_numpy()[~short]).all()
    assert (
        s["hukou_address"].to_numpy()[~short] == listed["list_hukou_address"].to_numpy()[~short]
    ).all()


# --- the sweep -------------------------------------------------------------------------


def test_sweep_noise(sep: Separation) -> None:
    s, p = sep.sweep, sep.persons
    spec = SeparationSpec()
    n = len(s)
    assert has(s["noise"], "id_typo").sum() == round(spec.sweep_id_typo * n)
    assert has(s["noise"], "id_swap").sum() == round(spec.sweep_id_swap * n)
    assert has(s["noise"], "id_missing").sum() == round(spec.sweep_id_missing * n)
    assert has(s["noise"], "id_number_cell").sum() >= 10
    fmt = [has(s["noise"], x) for x in ("id_fullwidth", "id_space", "id_apostrophe")]
    assert np.logical_or.reduce(fmt).sum() >= 20
    assert has(s["noise"], "name_trad").sum() >= 5 and has(s["noise"], "name_homophone").sum() >= 5
    assert has(s["noise"], "addr_").mean() == pytest.approx(spec.sweep_address_variant, abs=0.002)
    assert has(s["noise"], "hukou_addr_").mean() == pytest.approx(
        spec.sweep_hukou_variant, abs=0.002
    )
    # labels tell the truth
    who = s["person_id"].to_numpy()
    places = sep.places
    usual = np.where(places["in_street"], places["local"], places["full"])
    for column, place, label in (
        ("address", "live_place", "addr_"),
        ("hukou_address", "hukou_place", "hukou_addr_"),
    ):
        want = usual[p[place].to_numpy()[who]]
        respelt = has(s["noise"], label)
        assert (s[column].to_numpy()[~respelt] == want[~respelt]).all()
        assert (s[column].to_numpy()[respelt] != want[respelt]).all()
    clean = ~labels(s["noise"]).map(lambda x: bool(x & ID_LABELS)).to_numpy(bool)
    assert (s["id_number"].to_numpy()[clean] == p["id18"].to_numpy()[who][clean]).all()
    fmt_rows = has(s["noise"], "id_fullwidth") | has(s["noise"], "id_space")
    written_ids = s["id_number"].to_numpy()[fmt_rows]
    for written, true in zip(written_ids, p["id18"].to_numpy()[who][fmt_rows], strict=True):
        assert unicodedata.normalize("NFKC", written).replace(" ", "").upper() == true
    # another district keeps its name in front of every spelling
    other = ~places["in_street"].to_numpy(bool)[p["hukou_place"].to_numpy()[who]]
    districts = tuple(places.loc[~places["in_street"], "district"].unique())
    assert all(re.sub("^上海市", "", h).startswith(districts) for h in s["hukou_address"][other])
    roads = places["road"].to_numpy()[p["hukou_place"].to_numpy()[who][other]]
    assert all(r in h for r, h in zip(roads, s["hukou_address"][other], strict=True))
    assert (s["remark"] != "").mean() > 0.1


def test_sweep_is_written_flat_by_flat(sep: Separation) -> None:
    s = sep.sweep
    for _committee, rows in s.groupby("committee", sort=False):
        for _collector, walk in rows.groupby("collector", sort=False):
            days = walk["collected_iso"].tolist()
            assert days == sorted(days)
    # everyone met at one flat is written together
    flats = s["flat_id"].to_numpy()
    runs = (np.diff(flats) != 0).sum() + 1
    assert runs == len(np.unique(flats))


# --- files -----------------------------------------------------------------------------


def test_workbooks_and_headers(sep: Separation, files: SampleFiles, swept: LoadResult) -> None:
    names = [p.name for p in files.field_files]
    assert files.field_dir.name == "现场排查表"
    assert len(names) == 8 == len(set(names))
    assert "古美一村居委人户分离排查表.xlsx" in names
    assert all(n.endswith("人户分离排查表.xlsx") for n in names)
    known = set().union(*SYNONYMS.values())
    headers = set()
    for report in swept.sheets:
        assert report.read and not report.missing(SWEEP_FIELDS), report.file
        assert all(c.field for c in report.columns), [c.header for c in report.columns]
        assert report.committee and report.committee_source
        headers |= {c.header for c in report.columns}
    assert headers <= known
    assert {"户籍地址", "户口所在地址", "现居住地址", "现住址"} <= headers
    titles = [CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()[0][0]
              for p in files.field_files]  # fmt: skip
    assert all(isinstance(t, str) and "人户分离" in t for t in titles)


def test_list_loads_with_every_column(listed: LoadResult) -> None:
    (report,) = listed.sheets
    assert not report.missing(LIST_FIELDS)
    assert all(c.field for c in report.columns)
    assert set(listed.records["kind"]) == {HERE, AWAY}
    assert listed.records["active"].all()


def test_truth_points_at_the_loaded_rows(
    sep: Separation, truth: pd.DataFrame, swept: LoadResult, listed: LoadResult
) -> None:
    assert len(truth) == len(sep.sweep) + len(sep.police_list)
    for side, loaded, frame in (
        ("field", swept, sep.sweep),
        ("system", listed, sep.police_list),
    ):
        part = truth[truth["side"] == side]
        assert sorted(part["record"]) == list(range(len(frame)))
        rec = loaded.records.set_index(["file", "sheet", "row"])
        assert len(rec) == len(part)
        at = rec.loc[list(zip(part["file"], part["sheet"], part["row"], strict=True))]
        written = frame["name"].to_numpy()[part["record"]]
        squeeze = np.vectorize(lambda v: re.sub(r"\s", "", v))
        assert (squeeze(at["name_raw"].to_numpy(str)) == squeeze(written.astype(str))).all()
        committee = frame["committee"].to_numpy()[part["record"]]
        assert at["committee"].tolist() == [committee_key(c) for c in committee]
        assert (part["person_id"].to_numpy() == frame["person_id"].to_numpy()[part["record"]]).all()


def test_flat_layout_loads(sep: Separation, tmp_path: Path) -> None:
    out = write_separation(sep, tmp_path, "flat")
    assert [p.name for p in out.field_files] == ["sweep.csv"]
    loaded = recon.load(out.field_files, side="field")
    (report,) = loaded.sheets
    assert not report.missing((*SWEEP_FIELDS, "committee"))
    truth = pd.read_csv(out.truth_path, keep_default_na=False, encoding="utf-8-sig")
    field = truth[truth["side"] == "field"]
    assert (field["row"].to_numpy() == loaded.records["row"].to_numpy()).all()
    want = [committee_key(c) for c in sep.sweep["committee"]]
    assert loaded.records["committee"].tolist() == want
