"""Filled worklists back in: `recon results` and `recon match --decisions`.

A clerk ticks the printed or electronic 入户核查单 and 待人工确认单 in Excel
or WPS -- √ ✓ ☑ ■ 1 是, or the option's own word -- and may re-sort rows,
delete some, or save as .xls. Rows are found by their 记录号 / 配对号 and
resolved through the workbook's hidden record sheet (or, if that was lost,
through the `recon match` result folder), never by position. Whatever cannot
be read is listed with its file, sheet and row, never dropped silently.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from recon.errors import InputError, Where
from recon.loaders import collect_files
from recon.loaders._readers import EXCEL_SUFFIXES
from recon.loaders._sheet import cell_text
from recon.normalize.ids import parse_id
from recon.separation import SEP_NEW_ADDRESS, SEP_OPTIONS
from recon.worklists import (
    CHECK_OPTIONS,
    NEW_KEY,
    PAIR_SHEET,
    RECORD_SHEET,
    REVIEW_OPTIONS,
    record_key,
)

__all__ = [
    "Decisions",
    "FieldResults",
    "read_decisions",
    "read_filled_worklists",
    "tick_state",
    "write_results",
]

_TICKS = {"√", "✓", "✔", "☑", "☒", "■", "●", "◆", "▲", "★", "1", "是", "Y", "YES", "V", "对", "有"}
_EMPTY = {"", "□", "☐", "○", "◯", "0", "否", "N", "NO", "-", "—"}


def tick_state(text: object, option: str) -> str:
    """'ticked', 'empty' or 'unknown' for one tick cell of ``option``.

    A cell may hold a tick mark, the option's own word, or the printed box
    with a mark in front of or instead of it ("√□", "☑").
    """
    s = unicodedata.normalize("NFKC", cell_text(text)).strip().upper()
    if s in _EMPTY:
        return "empty"
    if s in _TICKS or s == option or s.replace(" ", "") == option:
        return "ticked"
    stripped = s.replace("□", "").replace("☐", "").strip()
    if stripped in _TICKS or stripped == option:
        return "ticked"
    return "unknown"


# --- reading our workbooks back ------------------------------------------------------


@dataclass
class _Sheet:
    file: str
    name: str
    rows: list[list[Any]]  # row i is Excel row i + 1


def _sheets(path: Path) -> list[_Sheet]:
    import python_calamine as pc

    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raise InputError(
            "核查单应为 Excel 工作簿（.xlsx 或 .xls）",
            Where(file=path.name),
            "请用 recon 生成的核查单文件，在 Excel/WPS 中填好后直接保存",
        )
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        return [
            _Sheet(path.name, name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in wb.sheet_names
        ]
    except Exception as exc:  # calamine's own error types
        raise InputError(
            "无法作为 Excel 工作簿打开（文件可能已损坏）",
            Where(file=path.name),
            "请用 Excel/WPS 另存后再试",
        ) from exc


def _header_row(sheet: _Sheet, needed: Iterable[str]) -> tuple[int, dict[str, int]] | None:
    """Row index of the header holding every ``needed`` label, and label -> column."""
    needed = list(needed)
    for i, row in enumerate(sheet.rows[:30]):
        labels = {cell_text(v): j for j, v in enumerate(row) if cell_text(v)}
        if all(n in labels for n in needed):
            return i, labels
    return None


def _hidden_table(sheets: list[_Sheet], name: str) -> pd.DataFrame:
    for sheet in sheets:
        if sheet.name == name and sheet.rows:
            header = [cell_text(v) for v in sheet.rows[0]]
            body = [
                [cell_text(v) for v in row]
                for row in sheet.rows[1:]
                if any(cell_text(v) for v in row)
            ]
            return pd.DataFrame(body, columns=header).astype(object)
    return pd.DataFrame()


@dataclass
class FieldResults:
    """What the filled 入户核查单 say, and what could not be read."""

    visits: pd.DataFrame  # one row per worklist record read back
    new_people: pd.DataFrame  # people written on the sheets, not registered
    records: pd.DataFrame  # every record of the worklists (the hidden sheets)
    problems: pd.DataFrame  # file, sheet, row, column, problem
    files: list[Path] = field(default_factory=list)  # the workbooks read

    def progress(self) -> pd.DataFrame:
        """Per 居委: listed, visited, still living, left, changed, not yet visited."""
        listed = self.records.groupby("居委").size() if len(self.records) else pd.Series(dtype=int)
        v = self.visits
        separation = len(v) and v["结果"].isin(SEP_OPTIONS).any()
        options = SEP_OPTIONS if separation else CHECK_OPTIONS
        committees = sorted(set(listed.index) | set(v["居委"] if len(v) else []))
        rows = []
        for c in committees:
            mine = v[v["居委"] == c] if len(v) else v
            outcome = mine["结果"] if len(mine) else pd.Series(dtype=object)
            n = int(listed.get(c, 0))
            done = int(outcome.isin(options).sum())
            rows.append(
                {
                    "居委": c,
                    "名单人数": n,
                    "已核查": done,
                    **{o: int((outcome == o).sum()) for o in options},
                    "未核查": n - done,
                    "新发现未登记": int((self.new_people["居委"] == c).sum())
                    if len(self.new_people)
                    else 0,
                }
            )
        frame = pd.DataFrame(rows)
        if len(frame):
            total = frame.drop(columns=["居委"]).sum()
            frame.loc[len(frame)] = {"居委": "合计", **total.to_dict()}
        return frame


VISIT_NEEDED = ("记录号", "姓名", *CHECK_OPTIONS)
SEP_NEEDED = ("记录号", "姓名", *SEP_OPTIONS)


def read_filled_worklists(paths: list[Path], match_dir: Path | None = None) -> FieldResults:
    """Read filled 入户核查单 workbooks (files or folders)."""
    problems: list[dict[str, Any]] = []
    records = pd.DataFrame()
    fallback = _records_from_result(match_dir) if match_dir else pd.DataFrame()
    visits: list[dict[str, Any]] = []
    new_people: list[dict[str, Any]] = []
    seen: dict[str, tuple[str, str, int]] = {}
    files = collect_files(paths)
    for path in files:
        sheets = _sheets(path)
        hidden = _hidden_table(sheets, RECORD_SHEET)
        if len(hidden):
            records = pd.concat([records, hidden], ignore_index=True).drop_duplicates("记录号")
        found_any = False
        for sheet in sheets:
            if sheet.name in (RECORD_SHEET, PAIR_SHEET):
                continue
            options = CHECK_OPTIONS
            header = _header_row(sheet, VISIT_NEEDED)
            if header is None:
                options, header = SEP_OPTIONS, _header_row(sheet, SEP_NEEDED)
            if header is None:
                continue
            found_any = True
            _read_visit_sheet(sheet, header, visits, new_people, problems, seen, options)
        if not found_any:
            problems.append(
                _problem(
                    path.name, "", 0, "", "没有找到入户核查单（表头应含「记录号」「仍居住」等列）"
                )
            )
    if not len(records):
        records = fallback
    elif len(fallback):
        records = pd.concat([records, fallback], ignore_index=True).drop_duplicates("记录号")
    if not len(records) and visits:
        raise InputError(
            "核查单里找不到隐藏的记录页（文件可能被另存为其他格式）",
            Where(file=files[0].name),
            "请加 --match 指定 recon match 的结果文件夹，或使用 recon 生成的原文件填写",
        )
    by_key = records.set_index("记录号") if len(records) else pd.DataFrame()
    resolved = []
    for v in visits:
        key = v["记录号"]
        if len(by_key) and key in by_key.index:
            rec = by_key.loc[key]
            resolved.append({**rec.to_dict(), **v, "记录号": key})
        else:
            problems.append(
                _problem(v["文件"], v["工作表"], v["行"], "记录号", f"记录号「{key}」不在名单中")
            )
    committee_of_sheet: dict[tuple[str, str], str] = {}
    for v in resolved:
        committee_of_sheet.setdefault((v["文件"], v["工作表"]), v.get("居委", ""))
    for person in new_people:
        person["居委"] = committee_of_sheet.get(
            (person["文件"], person["工作表"]), person["工作表"]
        )
    visit_cols = [
        "记录号", "居委", "姓名", "性别", "身份证号", "户籍地址", "登记住址", "登记日期",
        "联系电话", "人员编号", "系统文件", "系统工作表", "系统行号", "结果", "去向/现住址",
        "备注", "文件", "工作表", "行",
    ]  # fmt: skip
    return FieldResults(
        visits=pd.DataFrame(resolved, columns=visit_cols).astype(object),
        new_people=pd.DataFrame(
            new_people,
            columns=[
                "居委",
                "姓名",
                "性别",
                "身份证号",
                "证件说明",
                "现住址",
                "联系电话",
                "备注",
                "文件",
                "工作表",
                "行",
            ],
        ).astype(object),
        records=records,
        problems=pd.DataFrame(problems, columns=["file", "sheet", "row", "column", "problem"]),
        files=files,
    )


def _problem(file: str, sheet: str, row: int, column: str, text: str) -> dict[str, Any]:
    return {"file": file, "sheet": sheet, "row": row, "column": column, "problem": text}


def _read_visit_sheet(
    sheet: _Sheet,
    header: tuple[int, dict[str, int]],
    visits: list[dict[str, Any]],
    new_people: list[dict[str, Any]],
    problems: list[dict[str, Any]],
    seen: dict[str, tuple[str, str, int]],
    options: tuple[str, ...] = CHECK_OPTIONS,
) -> None:
    head, col = header

    def get(row: list[Any], label: str) -> str:
        j = col.get(label)
        return cell_text(row[j]) if j is not None and j < len(row) else ""

    for i in range(head + 1, len(sheet.rows)):
        row, excel_row = sheet.rows[i], i + 1
        key = get(row, "记录号")
        if key == NEW_KEY:
            if get(row, "姓名") or get(row, "身份证号"):
                info = parse_id(get(row, "身份证号"))
                new_people.append(
                    {
                        "姓名": get(row, "姓名"),
                        "性别": get(row, "性别"),
                        "身份证号": info.id if info.valid else get(row, "身份证号"),
                        "证件说明": "；".join(info.problems),
                        "现住址": get(row, "登记住址") or get(row, "去向/现住址"),
                        "联系电话": get(row, "联系电话"),
                        "备注": get(row, "备注"),
                        "文件": sheet.file,
                        "工作表": sheet.name,
                        "行": excel_row,
                    }
                )
            continue
        if not key:
            continue  # a building's heading line, the title of the new-people block, blanks
        states = {opt: tick_state(get(row, opt), opt) for opt in options}
        unknown = [opt for opt, st in states.items() if st == "unknown"]
        ticked = [opt for opt, st in states.items() if st == "ticked"]
        where = (sheet.file, sheet.name, excel_row)
        for opt in unknown:
            problems.append(
                _problem(*where, opt, f"看不懂的标记「{get(row, opt)}」：请打 √ 或留空")
            )
        if len(ticked) > 1:
            problems.append(
                _problem(*where, "核查结果", f"勾了多个结果：{'、'.join(ticked)}，请只选一个")
            )
            outcome = "多个结果"
        elif unknown:
            outcome = "标记不明"
        elif ticked:
            outcome = ticked[0]
        else:
            outcome = "未核查"
        if key in seen:
            first = seen[key]
            problems.append(
                _problem(
                    *where,
                    "记录号",
                    f"记录号「{key}」重复出现（另见{first[0]} {first[1]} "
                    f"第{first[2]}行），只取第一次",
                )
            )
            continue
        seen[key] = where
        whereabouts = get(row, "去向/现住址") or get(row, SEP_NEW_ADDRESS)
        if outcome == "已离开" and not whereabouts:
            problems.append(
                _problem(*where, "去向/现住址", "已离开但没有写去向（可以照样注销，建议补上）")
            )
        if outcome == "住址变动" and not whereabouts:
            problems.append(
                _problem(*where, SEP_NEW_ADDRESS, "住址变动但没有写变动后的现住址，请补上")
            )
        visits.append(
            {
                "记录号": key,
                "结果": outcome,
                "去向/现住址": whereabouts,
                "备注": get(row, "备注"),
                "文件": sheet.file,
                "工作表": sheet.name,
                "行": excel_row,
            }
        )


def _records_from_result(match_dir: Path) -> pd.DataFrame:
    """The worklist records, rebuilt from a `recon match` result folder."""
    from recon.writers._csv import read_csv

    path = Path(match_dir) / "system_only.csv"
    if not path.is_file():
        raise InputError(
            "这不是 recon 的核对结果文件夹（里面没有 system_only.csv）", Where(file=str(match_dir))
        )
    s = read_csv(path)

    def col(name: str) -> pd.Series:
        return s[name] if name in s else pd.Series([""] * len(s))

    keys = [
        record_key(f, sh, r, i)
        for f, sh, r, i in zip(
            col("system_file"),
            col("system_sheet"),
            col("system_row"),
            col("system_id"),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "记录号": keys,
            "居委": col("system_committee"),
            "姓名": col("system_name"),
            "性别": col("system_sex"),
            "身份证号": col("system_id"),
            "户籍地址": col("system_hukou_address"),
            "登记住址": col("system_address"),
            "登记日期": col("registered_on"),
            "联系电话": col("system_phone"),
            "人员编号": col("system_record_key"),
            "系统文件": col("system_file"),
            "系统工作表": col("system_sheet"),
            "系统行号": col("system_row"),
        }
    ).astype(object)


# --- review decisions ---------------------------------------------------------------


@dataclass
class Decisions:
    """Pairs a person has decided, by the two records' fingerprints."""

    same: set[tuple[str, str]] = field(default_factory=set)
    different: set[tuple[str, str]] = field(default_factory=set)
    problems: list[dict[str, Any]] = field(default_factory=list)


REVIEW_NEEDED = ("配对号", *REVIEW_OPTIONS)


def read_decisions(paths: list[Path]) -> Decisions:
    """Read filled 待人工确认单 workbooks."""
    out = Decisions()
    for path in collect_files(paths):
        sheets = _sheets(path)
        pairs = _hidden_table(sheets, PAIR_SHEET)
        if not len(pairs):
            raise InputError(
                "不是 recon 生成的待人工确认单（找不到隐藏的配对页）",
                Where(file=path.name),
                "请使用 recon match 写出的「待人工确认单.xlsx」填写",
            )
        fps = {r["配对号"]: (r["采集表指纹"], r["系统指纹"]) for r in pairs.to_dict("records")}
        for sheet in sheets:
            header = _header_row(sheet, REVIEW_NEEDED) if sheet.name != PAIR_SHEET else None
            if header is None:
                continue
            head, col = header
            for i in range(head + 1, len(sheet.rows)):
                row = sheet.rows[i]
                key = cell_text(row[col["配对号"]]) if col["配对号"] < len(row) else ""
                if not key:
                    continue
                where = (path.name, sheet.name, i + 1)
                if key not in fps:
                    out.problems.append(_problem(*where, "配对号", f"配对号「{key}」不认识"))
                    continue
                states = {
                    opt: tick_state(row[col[opt]] if col[opt] < len(row) else "", opt)
                    for opt in REVIEW_OPTIONS
                }
                ticked = [o for o, st in states.items() if st == "ticked"]
                for opt, st in states.items():
                    if st == "unknown":
                        out.problems.append(_problem(*where, opt, "看不懂的标记：请打 √ 或留空"))
                if len(ticked) == 2:
                    out.problems.append(_problem(*where, "判断", "两栏都打了勾，这一对不处理"))
                elif ticked == [REVIEW_OPTIONS[0]]:
                    out.same.add(fps[key])
                elif ticked == [REVIEW_OPTIONS[1]]:
                    out.different.add(fps[key])
    return out


# --- writing the results ---------------------------------------------------------------

VISITS_CSV = "visits.csv"
RESULT_WORKBOOK = "核查结果汇总.xlsx"


def _col(frame: pd.DataFrame, name: str) -> Any:
    from recon.writers._xlsx import Col

    wide = "地址" in name or name in ("备注", "问题", "去向", "核查单位置", "系统中", "核查到")
    if pd.api.types.is_integer_dtype(frame[name]):
        kind = "int"
    elif "号码" in name or "电话" in name or "编号" in name:
        kind = "id"
    else:
        kind = "text"
    # widths are least widths: the writer widens a column to its content
    return Col(name, name, 12 if wide else 6, kind, wrap=wide, max_width=28 if wide else None)


def _where(frame: pd.DataFrame) -> pd.Series:
    if not len(frame):
        return pd.Series([], dtype=object)
    return (
        frame["文件"].astype(str)
        + "／"
        + frame["工作表"].astype(str)
        + " 第"
        + frame["行"].astype(str)
        + "行"
    )


def _visits_table(visits: pd.DataFrame) -> pd.DataFrame:
    """``visits.csv``: each visited system record, by its place in the export,
    with what the visit found -- for ``recon audit`` and ``recon progress``."""
    outcome = {
        "仍居住": "living",
        "已离开": "left",
        "信息有误": "changed",
        "仍分离": "still",
        "已不分离": "back_home",
        "住址变动": "moved",
        "多个结果": "unclear",
        "标记不明": "unclear",
        "未核查": "not_visited",
    }
    return pd.DataFrame(
        {
            "key": visits.get("记录号", pd.Series(dtype=object)),
            "committee": visits.get("居委", ""),
            "system_file": visits.get("系统文件", ""),
            "system_sheet": visits.get("系统工作表", ""),
            "system_row": visits.get("系统行号", ""),
            "outcome": visits.get("结果", pd.Series(dtype=object)).map(outcome).fillna("unclear"),
            "file": visits.get("文件", ""),
            "sheet": visits.get("工作表", ""),
            "row": visits.get("行", ""),
        }
    ).astype(object)


def _cancel_table(visits: pd.DataFrame) -> pd.DataFrame:
    left = visits[visits["结果"].isin(["已离开", "已不分离"])] if len(visits) else visits
    reason = (
        left["结果"].map({"已离开": "离开本地", "已不分离": "已不分离（已在户籍地址居住）"})
        if len(left)
        else "离开本地"
    )
    return pd.DataFrame(
        {
            "姓名": left.get("姓名", ""),
            "性别": left.get("性别", ""),
            "公民身份号码": left.get("身份证号", ""),
            "暂住地址": left.get("登记住址", ""),
            "户籍地址": left.get("户籍地址", ""),
            "注销原因": reason,
            "去向": left.get("去向/现住址", ""),
            "所属居委": left.get("居委", ""),
            "人员编号": left.get("人员编号", ""),
            "备注": left.get("备注", ""),
            "核查单位置": _where(left),
        }
    ).astype(object)


def _change_table(visits: pd.DataFrame, match_dir: Path | None) -> pd.DataFrame:
    changed = visits[visits["结果"].isin(["信息有误", "住址变动"])] if len(visits) else visits
    item = (
        changed["结果"].map({"信息有误": "现住址/其他（见备注）", "住址变动": "现居住地址"})
        if len(changed)
        else ""
    )
    rows = pd.DataFrame(
        {
            "姓名": changed.get("姓名", ""),
            "公民身份号码": changed.get("身份证号", ""),
            "变更项目": item,
            "系统中": changed.get("登记住址", ""),
            "核查到": changed.get("去向/现住址", ""),
            "备注": changed.get("备注", ""),
            "所属居委": changed.get("居委", ""),
            "人员编号": changed.get("人员编号", ""),
            "来源": "上门核查",
        }
    ).astype(object)
    if match_dir and (Path(match_dir) / "differences.csv").is_file():
        from recon.writers._csv import read_csv

        d = read_csv(Path(match_dir) / "differences.csv")
        rows = pd.concat(
            [
                rows,
                pd.DataFrame(
                    {
                        "姓名": d.get("name", ""),
                        "公民身份号码": d.get("id", ""),
                        "变更项目": d.get("item", ""),
                        "系统中": d.get("system_value", ""),
                        "核查到": d.get("field_value", ""),
                        "备注": d.get("note", ""),
                        "所属居委": d.get("committee", ""),
                        "人员编号": "",
                        "来源": "采集表比对（信息变更）",
                    }
                ).astype(object),
            ],
            ignore_index=True,
        )
    return rows


def _entry_table(new_people: pd.DataFrame, match_dir: Path | None) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "姓名": new_people.get("姓名", ""),
            "性别": new_people.get("性别", ""),
            "公民身份号码": new_people.get("身份证号", ""),
            "现住址": new_people.get("现住址", ""),
            "联系电话": new_people.get("联系电话", ""),
            "所属居委": new_people.get("居委", ""),
            "说明": new_people.get("证件说明", ""),
            "来源": "上门核查时新发现",
        }
    ).astype(object)
    if match_dir and (Path(match_dir) / "field_only.csv").is_file():
        from recon.writers._csv import read_csv

        f = read_csv(Path(match_dir) / "field_only.csv")
        rows = pd.concat(
            [
                rows,
                pd.DataFrame(
                    {
                        "姓名": f.get("field_name", ""),
                        "性别": f.get("field_sex", ""),
                        "公民身份号码": f.get("field_id", ""),
                        "现住址": f.get("field_address", ""),
                        "联系电话": f.get("field_phone", ""),
                        "所属居委": f.get("field_committee", ""),
                        "说明": f.get("note", ""),
                        "来源": "采集表比对（人到机）",
                    }
                ).astype(object),
            ],
            ignore_index=True,
        )
    return rows


def write_results(
    results: FieldResults, out: Path, match_dir: Path | None = None, force: bool = False
) -> dict[str, int]:
    """注销表 / 变更表 / 待录入表 / 进度 / 问题: CSVs, one workbook and a manifest,
    written aside and moved into ``out`` when complete."""
    import datetime as dt

    from recon import __version__
    from recon.loaders import file_sha256
    from recon.outdir import SUMMARY_NAME, check_out_dir, staged
    from recon.writers._csv import write_csv
    from recon.writers._xlsx import WorkbookWriter

    check_out_dir(out, [*results.files, *([match_dir] if match_dir else [])], force)
    tables = {
        "注销表": _cancel_table(results.visits),
        "变更表": _change_table(results.visits, match_dir),
        "待录入表": _entry_table(results.new_people, match_dir),
        "进度": results.progress(),
        "问题": results.problems.rename(
            columns={
                "file": "文件",
                "sheet": "工作表",
                "row": "行号",
                "column": "列",
                "problem": "问题",
            }
        ),
    }
    counts = {name: len(frame) for name, frame in tables.items() if name != "进度"}
    visits = _visits_table(results.visits)
    with staged(out) as tmp:
        for name, frame in tables.items():
            write_csv(frame, tmp / f"{name}.csv")
        write_csv(visits, tmp / VISITS_CSV)
        wb = WorkbookWriter(tmp / RESULT_WORKBOOK)
        try:
            for name, frame in tables.items():
                wb.table(name, frame, [_col(frame, str(c)) for c in frame.columns], title=name)
        finally:
            wb.close()
        manifest = {
            "tool": "recon",
            "command": "results",
            "version": __version__,
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "inputs": [
                {
                    "side": "worklist",
                    "file": p.name,
                    "path": str(p.resolve()),
                    "sha256": file_sha256(p),
                    "size": p.stat().st_size,
                }
                for p in results.files
            ],
            "match_folder": str(Path(match_dir).resolve()) if match_dir else None,
            "files": {
                **{f"{name}.csv": len(frame) for name, frame in tables.items()},
                VISITS_CSV: len(visits),
                RESULT_WORKBOOK: None,
            },
            "counts": counts,
            "visits_read": len(results.visits),
        }
        (tmp / SUMMARY_NAME).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return counts
