"""居住房屋基础信息核对表: a printable form per dwelling, and reading it back.

Per 居委, in walking order, each dwelling is a heading line (code, address,
how many registered and found), a line of its facts to confirm or correct
(用途, 出租, 建筑面积, 房间数 -- prefilled from the house list), a line per
person the run knows lives there with 在住 / 已离开 to tick, and two blank
lines for people nobody listed. Read back (``read_house_checks``), the form
updates the register (``house_checks``: what was confirmed, when) and counts
towards the 房屋编码管理工作进度表.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recon.forms import (  # tick_state: the one reading of a mark a clerk writes
    FilledForm,
    FormColumn,
    FormSpec,
    RowKind,
    read_form,
    tick_state,
    write_form,
)
from recon.register import Register
from recon.resultdir import HOUSE_FORM_WORKBOOK
from recon.rules import OutputRules

__all__ = [
    "HOUSE_FORM",
    "HouseChecks",
    "apply_house_checks",
    "read_house_checks",
    "write_house_form",
]

FACTS_PREFIX = "H-"
NEW_PREFIX = "新增-"
OPTIONS = ("在住", "已离开")
HOUSE_FORM = FormSpec(
    workbook=HOUSE_FORM_WORKBOOK,
    title="{group} 居住房屋基础信息核对表",
    columns=(
        FormColumn("seq", "序号", 5, "int"),
        FormColumn("name", "房屋／姓名", 26, "wrap"),
        FormColumn("sex", "性别", 4, "check"),
        FormColumn("id_print", "身份证号", 19, "id"),
        FormColumn("source", "来源", 8),
        FormColumn("use", "用途", 8, write=True),
        FormColumn("rental", "出租", 6, write=True),
        FormColumn("area", "建筑面积", 8, write=True),
        FormColumn("rooms", "房间数", 7, write=True),
        FormColumn("c0", OPTIONS[0], 6, tick=True),
        FormColumn("c1", OPTIONS[1], 7, tick=True),
        FormColumn("remark", "备注", 14, "wrap", write=True),
        FormColumn("key", "记录号", 11, "key"),
    ),
    notes=(
        "逐户核对：在「房屋」那一行核对用途、是否出租、建筑面积、房间数，不对的直接改写；"
        "名单上的人在「在住」或「已离开」中打 √；住着、名单上没有的人写在该户下面的空行。"
        "「记录号」不要改动。"
    ),
    centre="居住房屋基础信息核对表",
    record_sheet="_房屋记录",
)


def _person_key(file: str, sheet: str, row: object) -> str:
    return "P" + hashlib.sha1(f"{file}|{sheet}|{row}".encode()).hexdigest()[:8].upper()


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_house_form(
    houses: pd.DataFrame, people: pd.DataFrame, path: Path, output: OutputRules, blank: int = 2
) -> int:
    """Write the form for ``houses`` (in walking order, with codes) and the
    ``people`` of each (``people_of``); returns the number of dwellings."""
    # the people of each dwelling as plain tuples, in their order (a DataFrame
    # per dwelling cost most of the run on a street of 15,000 dwellings)
    columns = ["house", "file", "sheet", "row", "name", "sex", "id", "side"]
    by_house: dict[Any, list[tuple[Any, ...]]] = {}
    for house, *rest in zip(*(people[c].tolist() for c in columns), strict=True):
        by_house.setdefault(house, []).append(tuple(rest))
    records: list[dict[str, Any]] = []
    groups: list[tuple[str, pd.DataFrame]] = []
    for committee, part in houses.groupby("committee", sort=False):
        rows: list[dict[str, Any]] = []
        seq = 0
        h: Any  # a row of houses
        for h in part.itertuples(index=False):
            code = str(h.house_code)
            rows.append(
                {
                    "name": f"{code}  {h.address}（登记 {int(h.registered)} 人，"
                    f"见到 {int(h.found)} 人）",
                    "_kind": RowKind.HEADING,
                }
            )
            facts = {
                "use": str(h.use),
                "rental": str(h.rental),
                "area": _fmt(h.area),
                "rooms": _fmt(h.rooms),
            }
            rows.append(
                {"name": "房屋", **facts, "key": FACTS_PREFIX + code, "_kind": RowKind.FACTS}
            )
            records.append(
                {
                    "记录号": FACTS_PREFIX + code,
                    "房屋编码": code,
                    "居委": committee,
                    "用途": facts["use"],
                    "出租": facts["rental"],
                    "建筑面积": facts["area"],
                    "房间数": facts["rooms"],
                }
            )
            for file, sheet, row, name, sex, pid, side in by_house.get(h.house_key, ()):
                seq += 1
                key = _person_key(str(file), str(sheet), row)
                rows.append(
                    {
                        "seq": str(seq),
                        "name": name,
                        "sex": sex,
                        "id_print": output.mask_id(str(pid)),
                        "source": "上门见到" if side == "field" else "系统登记",
                        "key": key,
                        "_kind": RowKind.PERSON,
                    }
                )
                records.append(
                    {
                        "记录号": key,
                        "房屋编码": code,
                        "居委": committee,
                        "用途": "",
                        "出租": "",
                        "建筑面积": "",
                        "房间数": "",
                    }
                )
            rows.extend({"key": NEW_PREFIX + code, "_kind": RowKind.BLANK} for _ in range(blank))
        groups.append((str(committee), pd.DataFrame(rows)))
    write_form(HOUSE_FORM, groups, pd.DataFrame(records), path)
    return len(houses)


@dataclass
class HouseChecks:
    """What filled forms say, per dwelling, and what could not be read."""

    facts: pd.DataFrame  # code, committee, use, rental, area, rooms, changed, file, sheet, row
    people: pd.DataFrame  # code, key, living, left, file, sheet, row
    new_people: pd.DataFrame  # code, name, id, file, sheet, row
    form: FilledForm
    problems: list[dict[str, Any]] = field(default_factory=list)


def read_house_checks(paths: list[Path]) -> HouseChecks:
    """Filled 居住房屋基础信息核对表 (files or folders)."""
    form = read_form(HOUSE_FORM, paths)
    rows, records = form.rows, form.records
    record = records.set_index("记录号") if len(records) else pd.DataFrame()
    problems = list(form.problems)
    keys = rows["key"].astype(str)
    facts_rows = rows[keys.str.startswith(FACTS_PREFIX)]
    facts = []
    for r in facts_rows.to_dict("records"):
        code = str(r["key"])[len(FACTS_PREFIX) :]
        before = record.loc[r["key"]] if r["key"] in record.index else None
        now = {
            k: str(r.get(h, "")).strip()
            for k, h in (
                ("use", "用途"),
                ("rental", "出租"),
                ("area", "建筑面积"),
                ("rooms", "房间数"),
            )
        }
        was = {
            k: "" if before is None else str(before[h])
            for k, h in (
                ("use", "用途"),
                ("rental", "出租"),
                ("area", "建筑面积"),
                ("rooms", "房间数"),
            )
        }
        changed = [k for k in now if now[k] != was[k]]
        facts.append(
            {
                "code": code,
                **now,
                "changed": ";".join(changed),
                "file": r["file"],
                "sheet": r["sheet"],
                "row": r["row"],
            }
        )
    people = []
    for r in rows[keys.str.startswith("P")].to_dict("records"):
        states = {o: tick_state(r.get(o, ""), o) for o in OPTIONS}
        where = {"file": r["file"], "sheet": r["sheet"], "row": r["row"]}
        for o, st in states.items():
            if st == "unknown":
                problems.append(
                    {**where, "column": o, "problem": f"看不懂的标记「{r.get(o, '')}」"}
                )
        ticked = [o for o, st in states.items() if st == "ticked"]
        if len(ticked) > 1:
            problems.append(
                {**where, "column": "在住", "problem": "在住和已离开都打了勾，按未核对计"}
            )
            ticked = []
        code = str(record.loc[r["key"], "房屋编码"]) if r["key"] in record.index else ""
        if not code:
            problems.append({**where, "column": "记录号", "problem": f"记录号「{r['key']}」不认识"})
            continue
        people.append(
            {
                "code": code,
                "key": r["key"],
                "living": ticked == ["在住"],
                "left": ticked == ["已离开"],
                **where,
            }
        )
    new = []
    for r in rows[keys.str.startswith(NEW_PREFIX)].to_dict("records"):
        name, id_ = str(r.get("房屋／姓名", "")).strip(), str(r.get("身份证号", "")).strip()
        if name or id_:
            new.append(
                {
                    "code": str(r["key"])[len(NEW_PREFIX) :],
                    "name": name,
                    "id": id_,
                    "file": r["file"],
                    "sheet": r["sheet"],
                    "row": r["row"],
                }
            )
    return HouseChecks(
        facts=pd.DataFrame(
            facts,
            columns=["code", "use", "rental", "area", "rooms", "changed", "file", "sheet", "row"],
        ),
        people=pd.DataFrame(
            people, columns=["code", "key", "living", "left", "file", "sheet", "row"]
        ),
        new_people=pd.DataFrame(new, columns=["code", "name", "id", "file", "sheet", "row"]),
        form=form,
        problems=problems,
    )


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _per_code(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if not len(frame):
        return {}
    sums = frame.groupby("code")[column].sum()
    return {str(k): int(v) for k, v in sums.items()}


def apply_house_checks(reg: Register, checks: HouseChecks, day: dt.date) -> int:
    """Record what the forms confirmed, per dwelling (inside a transaction);
    returns the number of dwellings checked."""
    people, found = checks.people, checks.new_people
    living = _per_code(people, "living")
    left = _per_code(people, "left")
    new = _per_code(found.assign(one=1), "one")
    ticked = set(checks.people.loc[checks.people["living"] | checks.people["left"], "code"])
    done = 0
    for f in checks.facts.to_dict("records"):
        code = str(f["code"])
        if code not in ticked and not f["changed"] and not int(new.get(code, 0)):
            continue  # a dwelling nobody wrote anything about is not checked
        done += 1
        reg.conn.execute(
            "INSERT INTO house_checks(code, day, use, rental, area, rooms, living, left_, "
            "new_people, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(code, day) DO UPDATE SET use = excluded.use, rental = excluded.rental, "
            "area = excluded.area, rooms = excluded.rooms, living = excluded.living, "
            "left_ = excluded.left_, new_people = excluded.new_people, source = excluded.source",
            (
                code,
                day.isoformat(),
                f["use"],
                f["rental"],
                _number(str(f["area"])),
                _number(str(f["rooms"])),
                int(living.get(code, 0)),
                int(left.get(code, 0)),
                int(new.get(code, 0)),
                f"{f['file']}／{f['sheet']} 第{f['row']}行",
            ),
        )
    return done
