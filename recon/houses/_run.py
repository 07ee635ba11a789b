"""``recon houses``: the house register of a match result, written out."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from recon.audit import next_report_day
from recon.csvio import write_csv
from recon.houses._build import FLAG_LABELS, FLAGS, dwellings
from recon.houses._codes import LOCAL_PREFIX, assign_codes
from recon.houses._form import HOUSE_FORM, apply_house_checks, read_house_checks, write_house_form
from recon.houses._list import HouseList, load_house_list
from recon.loaders import file_sha256
from recon.normalize.address import walk_order
from recon.outdir import replace_file
from recon.register import Register, default_register_path
from recon.resultdir import (
    HOUSE_PROGRESS_CSV,
    HOUSES_CSV,
    HOUSES_WORKBOOK,
    LEDGER,
    RESIDENTS_CSV,
    ResultFolder,
)
from recon.rounds import record_houses
from recon.rules import HouseRules, load_house_rules, load_rules
from recon.writers import Col, WorkbookWriter, with_total

__all__ = ["HOUSES_CSV", "HOUSES_WORKBOOK", "RESIDENTS_CSV", "HouseReport", "run_houses"]

HOUSE_COLUMNS = [
    "house_code",
    "house_key",
    "committee",
    "address",
    "in_list",
    "registered",
    "found",
    "matched",
    "to_enter",
    "to_visit",
    "use",
    "rental",
    "area",
    "flags",
    "rooms",
    "people",
    "households",
    "surnames",
    "people_per_10m2",
    "reasons",
    "list_file",
    "list_sheet",
    "list_row",
]
RESIDENT_COLUMNS = [
    "side",
    "file",
    "sheet",
    "row",
    "house_code",
    "committee",
    "outcome",
    "house_key",
]


@dataclass
class HouseReport:
    houses: pd.DataFrame
    overview: pd.DataFrame
    out: Path
    register: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[dict[str, object]] = field(default_factory=list)


def _overview(houses: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for committee, h in houses.groupby("committee", sort=True):
        flags = h["flags"].astype(str)
        rows.append(
            {
                "committee": committee or "（未识别居委）",
                "dwellings": len(h),
                "in_list": int(h["in_list"].sum()),
                "with_people": int((h["people"] > 0).sum()),
                "people": int(h["people"].sum()),
                "registered": int(h["registered"].sum()),
                "flagged": int(flags.ne("").sum()),
                **{f: int(flags.str.contains(f, regex=False).sum()) for f in FLAGS},
            }
        )
    return with_total(pd.DataFrame(rows))


PROGRESS_COLUMNS = [
    "居委",
    "房屋套数",
    "清册中有",
    "统一编码",
    "本地编码",
    "有人居住",
    "已核对",
    "需上门",
    "未核对",
]


def progress_table(houses: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """房屋编码管理工作进度表: per 居委, dwellings listed, coded, lived in,
    checked (a 核对表 read back by ``day``), flagged, not yet checked."""
    local = houses["house_code"].astype(str).str.startswith(LOCAL_PREFIX)
    frame = pd.DataFrame(
        {
            "居委": houses["committee"].astype(str).replace("", "（未识别居委）"),
            "房屋套数": 1,
            "清册中有": houses["in_list"].astype(int),
            "统一编码": (~local).astype(int),
            "本地编码": local.astype(int),
            "有人居住": (houses["people"] > 0).astype(int),
            "已核对": houses["checked_on"].ne("").astype(int),
            "需上门": houses["flags"].ne("").astype(int),
        }
    )
    table = frame.groupby("居委", sort=True).sum().reset_index()
    table["未核对"] = table["房屋套数"] - table["已核对"]
    if len(table):
        total = table.drop(columns="居委").sum()
        table.loc[len(table)] = {"居委": "合计", **total.to_dict()}
    return table[PROGRESS_COLUMNS]


_FORM_META = "form_sha256:"


def _remember_form(path: Path, register: Path) -> None:
    """Note the SHA-256 of the form recon wrote, to tell a filled copy from it."""
    with Register.open(register) as reg, reg.transaction():
        reg.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (_FORM_META + str(path.resolve()), file_sha256(path)),
        )


def _changed_since_written(path: Path, register: Path) -> bool:
    """True when the form at ``path`` is not the one recon last wrote there
    (probably filled in): it must not be overwritten."""
    with Register.open(register) as reg:
        row = reg.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (_FORM_META + str(path.resolve()),)
        ).fetchone()
    return row is None or row[0] != file_sha256(path)


def run_houses(
    result: Path,
    lists: list[Path] | None = None,
    register: Path | None = None,
    out: Path | None = None,
    rules_path: Path | None = None,
    day: dt.date | None = None,
    checked: list[Path] | None = None,
) -> HouseReport:
    """Build the house register of ``result``; codes kept in ``register``."""
    folder = ResultFolder.open(result)
    rules: HouseRules = load_house_rules(rules_path)
    day = day or dt.date.today()
    ledger = folder.table(LEDGER)
    listed: HouseList | None = load_house_list(lists, rules) if lists else None
    houses, people = dwellings(ledger, listed.rows if listed else None, rules)
    order = walk_order(houses["house_key"], houses["committee"].astype(str))
    houses = houses.iloc[order].reset_index(drop=True)
    register_path = Path(register) if register else default_register_path(folder.path)
    checks = read_house_checks(checked) if checked else None
    with Register.open(register_path) as reg, reg.transaction():
        houses.insert(0, "house_code", assign_codes(reg, houses, day))
        checked_now = apply_house_checks(reg, checks, day) if checks else 0
        record_houses(
            reg,
            folder,
            day,
            [*(listed.files if listed else []), *(checks.form.files if checks else [])],
            {"houses": len(houses), "checked": checked_now},
        )
        done = dict(
            reg.conn.execute(
                "SELECT code, max(day) FROM house_checks WHERE day <= ? GROUP BY code",
                (day.isoformat(),),
            ).fetchall()
        )
    houses["checked_on"] = houses["house_code"].map(lambda c: done.get(c, ""))
    houses["in_list"] = houses["in_list"].astype(bool)
    code_of = dict(zip(houses["house_key"], houses["house_code"], strict=True))
    residents = ledger[["side", "file", "sheet", "row", "committee", "outcome", "house"]].rename(
        columns={"house": "house_key"}
    )
    residents.insert(4, "house_code", residents["house_key"].map(code_of).fillna(""))
    overview = _overview(houses)
    progress = progress_table(houses, day)
    target = Path(out) if out else folder.path
    target.mkdir(parents=True, exist_ok=True)
    report = HouseReport(houses, overview, target, register_path, progress=progress)
    if listed is not None:
        report.notes.append(f"房屋清册 {len(listed.files)} 个文件，{len(listed.rows)} 套房")
    if checks is not None:
        report.notes.append(
            f"读回核对表 {len(checks.form.files)} 个文件：核对了 {checked_now} 套房，"
            f"新发现 {len(checks.new_people)} 人，读不懂 {len(checks.problems)} 处"
        )
        report.problems = checks.problems
    report.notes.append(f"下一个上报日：{next_report_day(day):%Y年%m月%d日}（每月10日、25日上报）")
    form_path = target / HOUSE_FORM.workbook
    write_form_now = not form_path.exists() or not _changed_since_written(form_path, register_path)
    stage = target / f".houses.part-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        write_csv(houses[HOUSE_COLUMNS], stage / HOUSES_CSV)
        write_csv(residents[RESIDENT_COLUMNS], stage / RESIDENTS_CSV)
        write_csv(progress, stage / HOUSE_PROGRESS_CSV)
        _workbook(houses, overview, progress, listed, stage / HOUSES_WORKBOOK, day)
        names = [HOUSES_CSV, RESIDENTS_CSV, HOUSE_PROGRESS_CSV, HOUSES_WORKBOOK]
        if write_form_now:
            write_house_form(houses, people, stage / HOUSE_FORM.workbook, load_rules().output)
            names.append(HOUSE_FORM.workbook)
        else:
            report.notes.append(f"「{HOUSE_FORM.workbook}」已填写过，没有覆盖；读回请用 --checked")
        for name in names:
            replace_file(stage / name, target / name)
            report.files.append(target / name)
        if write_form_now:
            _remember_form(form_path, register_path)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return report


_OVERVIEW_COLS = [
    Col("committee", "居委", 14),
    Col("dwellings", "房屋套数", 9, "int"),
    Col("in_list", "清册中有", 9, "int"),
    Col("with_people", "有人居住", 9, "int"),
    Col("people", "居住人数", 9, "int"),
    Col("registered", "登记人数", 9, "int"),
    Col("flagged", "需上门的房屋", 10, "int"),
    *[Col(f, FLAG_LABELS[f], 9, "int") for f in FLAGS],
]
_HOUSE_COLS = [
    Col("house_code", "房屋编码", 14, "id"),
    Col("committee", "居委", 12),
    Col("address", "地址", 30, wrap=True),
    Col("in_list_text", "清册中有", 8),
    Col("use", "用途", 8),
    Col("occupancy", "使用情况", 8),
    Col("area", "建筑面积", 8, "number"),
    Col("rooms", "房间数", 7, "number"),
    Col("people", "居住人数", 8, "int"),
    Col("registered", "登记人数", 8, "int"),
    Col("found", "上门见到", 8, "int"),
    Col("to_enter", "待录入", 7, "int"),
    Col("to_visit", "待核查", 7, "int"),
    Col("flag_text", "标记", 16, wrap=True),
]


def _workbook(
    houses: pd.DataFrame,
    overview: pd.DataFrame,
    progress: pd.DataFrame,
    listed: HouseList | None,
    path: Path,
    day: dt.date,
) -> None:
    shown = houses.assign(
        in_list_text=np.where(houses["in_list"], "是", "否"),
        flag_text=houses["flags"].map(
            lambda s: "、".join(FLAG_LABELS[f] for f in str(s).split(";") if f)
        ),
    )
    wb = WorkbookWriter(path)
    try:
        guide = pd.DataFrame(
            {
                "what": [
                    "房屋编码：清册给出的沿用；没有的由登记库发给本地编码（L + 7 位流水号），"
                    "同一套房以后再出现（地址写法不同也一样）编码不变，编码永不重复使用。",
                    "群租嫌疑：人均居住面积低于标准、每间超过规定人数，或面积和房间数都不明时同住人数过多"
                    "（一户家庭同住的除外）；标准见 houses.toml。",
                    "未入册：有人居住或登记，但房屋清册中没有。人房不符：有登记没见到人，或见到人没有登记。",
                    "居改非：非居住用途的房屋里住了人。出租未登记：住着非产权人家庭的人却未标出租，"
                    "或标为出租却无人登记。",
                ]
            }
        )
        wb.key_values(
            "概况",
            f"实有房屋清册（{day:%Y年%m月%d日}）",
            [
                ("按居委统计", overview, _OVERVIEW_COLS),
                ("说明", guide, [Col("what", "说明", 100, wrap=True)]),
            ],
            [],
        )
        wb.table(
            "进度表",
            progress,
            [
                Col(c, c, 10 if c != "居委" else 14, "text" if c == "居委" else "int")
                for c in progress.columns
            ],
            title=f"房屋编码管理工作进度表（截至 {day:%Y年%m月%d日}）",
            notes=["填报单位：____________  填报人：________  联系电话：____________"],
            autofilter=False,
        )
        wb.table("房屋清册", shown, _HOUSE_COLS, title="实有房屋清册（按地址顺序）")
        flagged = shown[shown["flags"].ne("")]
        wb.table(
            "需上门的房屋",
            flagged,
            [
                *_HOUSE_COLS[:3],
                Col("people", "居住人数", 8, "int"),
                Col("reasons", "原因", 60, wrap=True),
            ],
            title="需上门核查的房屋（按地址顺序）",
        )
        problems = pd.DataFrame(
            listed.problems if listed else [], columns=["file", "sheet", "row", "column", "problem"]
        )
        wb.table(
            "清册问题",
            problems,
            [
                Col("file", "文件", 24),
                Col("sheet", "工作表", 12),
                Col("row", "行号", 7, "int"),
                Col("column", "列", 10),
                Col("problem", "问题", 50, wrap=True),
            ],
            title="房屋清册中读不懂或未使用的行",
        )
    finally:
        wb.close()
