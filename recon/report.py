"""Terminal summaries of finished runs (rich tables, to stderr)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from recon.matchers import METHOD_LABELS, OUTCOME_LABELS
from recon.modes import mode_of

__all__ = [
    "MATCH_STEPS",
    "FitTable",
    "render_audit_summary",
    "render_match_summary",
    "render_progress",
    "render_results_summary",
]

# the steps of `recon match`, as its progress bars name them
MATCH_STEPS = {
    "load_field": "读取采集表",
    "load_system": "读取系统数据",
    "load_hukou": "整理户籍地址",
    "match": "比对",
    "write": "写出结果",
    "worklist": "写出核查单",
}


@dataclass
class FitTable:
    """A wide table that fits the console: headers wrap onto two lines, and when
    the columns still do not fit, they go into several tables one under the
    other, each repeating the first column (居委). Nothing is cut with "…".
    """

    title: str
    headers: list[str]
    rows: list[tuple[list[str], str]] = field(default_factory=list)  # (cells, style)
    caption: str = ""
    header_lines: int = 2
    first_max: int = 16  # a very long 居委 name folds rather than widen every table

    def add_row(self, *cells: str, style: str = "") -> None:
        self.rows.append((list(cells), style))

    def widths(self) -> list[int]:
        """Content width of each column: its widest value, its header on at most
        ``header_lines`` lines (a CJK character is 2 cells and never split)."""
        out = []
        for j, header in enumerate(self.headers):
            values = [Text.from_markup(cells[j]).cell_len for cells, _ in self.rows]
            head = max(cell_len(header) / self.header_lines, max(map(cell_len, header), default=1))
            width = max([math.ceil(head), *values, 2])
            if cell_len(header) > width and width % 2:  # CJK wraps on even widths
                width += 1
            out.append(min(width, self.first_max) if j == 0 else width)
        return out

    def tables(self, max_width: int) -> list[Table]:
        """The tables for a console ``max_width`` cells wide."""
        widths = self.widths()
        groups: list[list[int]] = []
        used = max_width + 1
        for j in range(1, len(self.headers)):
            need = widths[j] + 3  # padding on both sides and a border
            if used + need > max_width:
                groups.append([0])
                used = 1 + widths[0] + 3  # the left border and the first column
            groups[-1].append(j)
            used += need
        if not groups:
            groups = [[0]]
        groups = self._balanced(groups, widths, max_width)
        tables = []
        for k, columns in enumerate(groups):
            title = self.title if len(groups) == 1 else f"{self.title}（{k + 1}/{len(groups)}）"
            table = Table(title=title, show_lines=False)
            for j in columns:
                table.add_column(
                    self.headers[j],
                    justify="left" if j == 0 else "right",
                    width=widths[j],
                    overflow="fold",
                )
            for cells, style in self.rows:
                table.add_row(*(cells[j] for j in columns), style=style)
            tables.append(table)
        return tables

    @staticmethod
    def _balanced(groups: list[list[int]], widths: list[int], max_width: int) -> list[list[int]]:
        """As many tables as the greedy packing needs, with the columns spread
        evenly over them (8 columns in 2 tables: 4 and 4, not 7 and 1)."""
        if len(groups) < 2:
            return groups
        columns = [j for g in groups for j in g[1:]]
        per = math.ceil(len(columns) / len(groups))
        even = [[0, *columns[k : k + per]] for k in range(0, len(columns), per)]
        fits = all(1 + sum(widths[j] + 3 for j in g) <= max_width for g in even)
        return even if fits and len(even) == len(groups) else groups

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.tables(options.max_width)
        if self.caption:
            yield Text(self.caption)


def render_match_summary(summary: dict[str, Any]) -> Table:
    """Rows read, outcome counts of both sides, and how pairs were matched."""
    table = Table(title="核对结果汇总", show_lines=False)
    table.add_column("结果")
    table.add_column("采集表（行）", justify="right")
    table.add_column("系统数据（行）", justify="right")
    outcomes = summary["outcomes"]
    keys = list(dict.fromkeys([*outcomes["field"], *outcomes["system"]]))
    register = mode_of(summary)
    labels = OUTCOME_LABELS | register.outcome_labels
    for key in keys:
        f = outcomes["field"].get(key)
        s = outcomes["system"].get(key)
        table.add_row(
            labels.get(key, key), "" if f is None else str(f), "" if s is None else str(s)
        )
    checks = summary["totals_check"]
    table.add_row(
        "合计（= 读取的行数）",
        f"{checks['field']['outcomes_sum']} / {checks['field']['rows_read']}",
        f"{checks['system']['outcomes_sum']} / {checks['system']['rows_read']}",
        style="bold",
    )
    pairs = summary["pairs"]
    table.add_section()
    for method, n in pairs["by_method"].items():
        table.add_row(f"匹配方式：{METHOD_LABELS.get(method, method)}", str(n), "")
    table.add_row("待人工确认的配对", str(pairs["review_pairs"]), "")
    table.add_row("信息变更项", str(pairs["differences"]), "")
    extra = register.summary_rows(summary)  # e.g. 人户分离: what the sweep says
    if extra:
        table.add_section()
        for label, n in extra:
            table.add_row(label, str(n), "")
    return table


def render_results_summary(progress: Any, counts: dict[str, int]) -> FitTable:
    """Per 居委 progress of the visits, and the sizes of the tables written."""
    columns = list(progress.columns) if len(progress) else ["居委"]
    table = FitTable("上门核查进度", [str(c) for c in columns])
    for row in progress.itertuples(index=False):
        style = "bold" if str(row[0]) == "合计" else ""
        table.add_row(*(escape(str(v)) for v in row), style=style)
    table.caption = "；".join(f"{name} {n} 行" for name, n in counts.items())
    return table


def _percent(value: float) -> str:
    return "—" if value != value else f"{value * 100:.1f}%"


def render_audit_summary(rates: Any, money: Any | None) -> FitTable:
    """Rates per 居委 (red where short of the target), money in the caption."""
    labels = list(dict.fromkeys(rates["指标"]))
    table = FitTable("考核统计", ["居委", *labels])
    for committee, group in rates.groupby("居委", sort=False):
        by = group.set_index("指标")
        cells = []
        for label in labels:
            if label not in by.index:
                cells.append("")
                continue
            value, gap = float(by.at[label, "比率"]), float(by.at[label, "差距"])
            text = _percent(value)
            cells.append(f"[red]{text}[/]" if gap == gap and gap < -1e-12 else text)
        style = "bold" if committee == "合计" else ""
        table.add_row(escape(str(committee)), *cells, style=style)
    if money is not None and len(money):
        total = money[money["居委"] == "合计"]
        if len(total) and "合计(元)" in total:
            table.caption = (
                f"奖励与倒扣合计：{float(total['合计(元)'].iat[0]):.2f} 元（明细见「奖惩」工作表）"
            )
    return table


def render_progress(table_frame: Any, title: str) -> FitTable:
    table = FitTable(title, [str(c) for c in table_frame.columns])
    for row in table_frame.itertuples(index=False):
        cells = [_percent(float(v)) if isinstance(v, float) else escape(str(v)) for v in row]
        table.add_row(*cells, style="bold" if str(row[0]) == "合计" else "")
    return table


def render_houses_summary(overview: Any) -> Table:
    """Per 居委: dwellings, people, and the dwellings flagged for a visit."""
    from recon.houses import FLAG_LABELS, FLAGS

    table = Table(title="实有房屋清册")
    columns = [
        ("committee", "居委"),
        ("dwellings", "房屋"),
        ("with_people", "有人住"),
        ("people", "人数"),
        ("flagged", "需上门"),
        *[(f, FLAG_LABELS[f]) for f in FLAGS],
    ]
    for key, label in columns:
        table.add_column(label, justify="left" if key == "committee" else "right", overflow="fold")
    for row in overview.to_dict("records"):
        style = "bold" if row["committee"] == "合计" else ""
        table.add_row(*(str(row.get(k, "")) for k, _ in columns), style=style)
    return table


def render_found(found: Any) -> Table:
    """One look-up of `recon find`: the dwellings and the people in each."""
    from rich.markup import escape

    from recon.houses import outcome_label

    kind = {"address": "地址", "id": "身份证号", "name": "姓名"}[found.kind]
    table = Table(title=f"查询：{escape(found.text)}（按{kind}）", show_lines=False)
    for label in ("房屋编码", "地址", "姓名", "身份证号", "状态", "位置"):
        table.add_column(label, overflow="fold")
    if not found.houses:
        table.caption = "没有找到"
    for house in found.houses:
        table.add_section()
        for i, p in enumerate(house["people"]):
            first = i == 0
            where = f"{p['file']}" + (f"／{p['sheet']}" if p["sheet"] else "") + f" 第{p['row']}行"
            table.add_row(
                escape(house["house_code"]) if first else "",
                escape(house["address"]) if first else "",
                escape(p["name"]),
                escape(p["id"]),
                outcome_label(p["side"], p["outcome"]),
                escape(where),
            )
    return table
