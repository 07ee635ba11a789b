"""``recon inspect``: what recon understood of each input file and sheet."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from recon.loaders import SKIP_REASONS, LoadResult, SheetReport, load
from recon.normalize.ids import IdKind
from recon.rules import load_rules

__all__ = ["FINDINGS", "SheetFindings", "inspect_files", "inspection_json", "render_inspection"]

# Findings counted per sheet, in display order: key -> Chinese label.
FINDINGS = {
    "id_missing": "未填身份证号",
    "id_invalid": "校验位错误",
    "id_damaged": "号码受损",
    "id_malformed": "格式不对",
    "id_upgraded": "15位旧号",
    "sex_mismatch": "性别与证号不符",
    "birth_mismatch": "生日与证号不符",
    "name_missing": "缺姓名",
    "unusable": "无法核对",
    "inactive": "已注销记录",
}


@dataclass
class SheetFindings:
    report: SheetReport
    counts: dict[str, int] = field(default_factory=dict)


def _counts(records: pd.DataFrame, problems: pd.DataFrame) -> dict[tuple[str, str], dict[str, int]]:
    out: dict[tuple[str, str], dict[str, int]] = {}
    if records.empty:
        return out
    kinds = {
        "id_missing": IdKind.MISSING,
        "id_invalid": IdKind.INVALID,
        "id_damaged": IdKind.DAMAGED,
        "id_malformed": IdKind.MALFORMED,
        "id_upgraded": IdKind.UPGRADED,
    }
    flags = pd.DataFrame({"file": records["file"], "sheet": records["sheet"]})
    usable = records["usable"].astype(bool)
    for key, kind in kinds.items():
        flags[key] = records["id_kind"].eq(kind) & usable
    flags["name_missing"] = records["name_key"].eq("") & usable
    flags["unusable"] = ~usable
    flags["inactive"] = ~records["active"].astype(bool)
    by_problem = {"sex_mismatch": "性别与身份证号不符", "birth_mismatch": "出生日期与身份证号不符"}
    for key, text in by_problem.items():
        hits = problems[problems["problem"].eq(text)]
        marks = set(zip(hits["file"], hits["sheet"], hits["row"], strict=True))
        flags[key] = [
            (f, s, r) in marks
            for f, s, r in zip(records["file"], records["sheet"], records["row"], strict=True)
        ]
    summed = flags.groupby(["file", "sheet"], sort=False).sum()
    keys = summed.index.tolist()  # (file, sheet) tuples of the two-level index
    for key, values in zip(keys, summed.to_dict("records"), strict=True):
        file, sheet = tuple(key)
        out[(str(file), str(sheet))] = {str(k): int(v) for k, v in values.items() if int(v)}
    return out


def inspect_files(
    paths: Iterable[Path | str],
    side: str = "field",
    mapping: Path | None = None,
    on_file: Callable[[str], None] | None = None,
) -> tuple[LoadResult, list[SheetFindings]]:
    """Load without stopping at the first bad file; count findings per sheet."""
    result = load(paths, side=side, rules=load_rules(mapping), on_file=on_file, strict=False)
    counts = _counts(result.records, result.problems)
    sheets = [SheetFindings(s, counts.get((s.file, s.sheet), {})) for s in result.sheets]
    return result, sheets


def _sheet_panel(item: SheetFindings, field_labels: dict[str, str]) -> RenderableType:
    rep = item.report
    title = rep.file + (f" ／ {rep.sheet}" if rep.sheet else "")
    if not rep.read:
        return Panel(Text(rep.note or "未读取", style="yellow"), title=title, title_align="left")
    cols = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    cols.add_column("列", no_wrap=True)
    cols.add_column("表头", overflow="fold", max_width=24)
    cols.add_column("识别为", no_wrap=True)
    cols.add_column("依据（表头、值）", overflow="fold")
    for c in rep.columns:
        taken = field_labels.get(c.field, "") if c.field else "—"
        if c.field and c.part and c.part != "detail":
            taken += "（部分）"
        cols.add_row(c.letter, c.header, taken, c.reason or c.note)
    facts = Table(show_header=False, box=None, pad_edge=False)
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("表头所在行", "、".join(str(r) for r in rep.header_rows))
    facts.add_row("读取人员行", str(rep.rows_read))
    skipped = "，".join(f"{SKIP_REASONS[k]} {v}" for k, v in rep.skipped.items()) or "无"
    facts.add_row("跳过的行", skipped)
    facts.add_row(
        "居委",
        f"{rep.committee or '（未识别）'}"
        + (f"（来自{rep.committee_source}）" if rep.committee_source else ""),
    )
    if rep.encoding:
        facts.add_row("编码", rep.encoding)
    facts.add_row("发现的问题", _findings(item.counts))
    if rep.note:
        facts.add_row("提示", Text(rep.note, style="yellow"))
    parts: list[RenderableType] = [facts, Text(""), cols]
    if rep.runner_up:
        runners = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        runners.add_column("字段", no_wrap=True)
        runners.add_column("次选的列（未使用）", overflow="fold")
        for fld, text in rep.runner_up.items():
            runners.add_row(field_labels.get(fld, fld), text)
        parts += [Text(""), runners]
    return Panel(Group(*parts), title=title, title_align="left")


def render_inspection(result: LoadResult, sheets: list[SheetFindings]) -> list[RenderableType]:
    """Rich renderables: a panel per sheet, then a total table.

    The total table has five columns so that it stays readable in a narrow
    terminal: the findings of each sheet are one line of text.
    """
    labels = load_rules().headers.field_labels
    parts: list[RenderableType] = [_sheet_panel(s, labels) for s in sheets]
    total = Table(title="合计", show_lines=False)
    total.add_column("文件", overflow="fold")
    total.add_column("工作表", overflow="fold")
    total.add_column("人员行", justify="right", no_wrap=True)
    total.add_column("跳过", justify="right", no_wrap=True)
    total.add_column("发现的问题", overflow="fold")
    sums = {k: 0 for k in FINDINGS}
    rows = skipped = 0
    for s in sheets:
        if not s.report.read:
            continue
        sk = sum(s.report.skipped.values())
        rows += s.report.rows_read
        skipped += sk
        for k in FINDINGS:
            sums[k] += s.counts.get(k, 0)
        total.add_row(
            s.report.file, s.report.sheet, str(s.report.rows_read), str(sk), _findings(s.counts)
        )
    total.add_row("合计", "", str(rows), str(skipped), _findings(sums), style="bold")
    parts.append(total)
    return parts


def _findings(counts: dict[str, int]) -> str:
    return "，".join(f"{FINDINGS[k]} {v}" for k, v in counts.items() if k in FINDINGS and v) or "无"


def inspection_json(sheets: list[SheetFindings]) -> list[dict[str, object]]:
    """One object per sheet, as ``recon inspect --json`` prints them (see CONTRACT.md).

    ``header_row`` is the row of the header (its first row when it has two),
    ``columns`` every column with a header: ``field`` the canonical field or
    "" and ``reason`` why (header synonym and values; or why it is not used).
    No cell value appears, only headers and shares.
    """
    out: list[dict[str, object]] = []
    for item in sheets:
        rep = item.report
        out.append(
            {
                "file": rep.file,
                "sheet": rep.sheet,
                "read": rep.read,
                "header_row": rep.header_rows[0] if rep.header_rows else None,
                "header_rows": list(rep.header_rows),
                "rows_read": rep.rows_read,
                "rows_skipped": sum(rep.skipped.values()),
                "skipped": dict(rep.skipped),
                "columns": [
                    {
                        "letter": c.letter,
                        "header": c.header,
                        "field": c.field or "",
                        "reason": c.reason or c.note,
                        **({"part": c.part} if c.part else {}),
                    }
                    for c in rep.columns
                ],
                "runner_up": dict(rep.runner_up),
                "format": rep.source_format or "",
                "encoding": rep.encoding,
                "committee": rep.committee,
                "note": rep.note,
                "findings": dict(item.counts),
            }
        )
    return out
