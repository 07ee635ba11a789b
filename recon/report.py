"""Terminal summaries of finished runs (rich tables, to stderr)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from recon.matchers import METHOD_LABELS, OUTCOME_LABELS
from recon.modes import mode_of

__all__ = ["MATCH_STEPS", "render_match_summary", "render_results_summary"]

# the steps of `recon match`, as its progress bars name them
MATCH_STEPS = {
    "load_field": "读取采集表",
    "load_system": "读取系统数据",
    "match": "比对",
    "write": "写出结果",
    "worklist": "写出核查单",
}


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


def render_results_summary(progress: Any, counts: dict[str, int]) -> Table:
    """Per 居委 progress of the visits, and the sizes of the tables written."""
    table = Table(title="上门核查进度", show_lines=False)
    columns = list(progress.columns) if len(progress) else ["居委"]
    for col in columns:
        table.add_column(str(col), justify="left" if col == "居委" else "right")
    for row in progress.itertuples(index=False):
        style = "bold" if str(row[0]) == "合计" else ""
        table.add_row(*(str(v) for v in row), style=style)
    table.caption = "；".join(f"{name} {n} 行" for name, n in counts.items())
    return table


def _percent(value: float) -> str:
    return "—" if value != value else f"{value * 100:.1f}%"


def render_audit_summary(rates: Any, money: Any | None) -> Table:
    """Rates per 居委 (red where short of the target), money in the caption."""
    from rich.markup import escape

    labels = list(dict.fromkeys(rates["指标"]))
    table = Table(title="考核统计", show_lines=False)
    table.add_column("居委", overflow="fold")
    for label in labels:
        table.add_column(label, justify="right", overflow="fold", min_width=6)
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


def render_progress(table_frame: Any, title: str) -> Table:
    table = Table(title=title)
    for col in table_frame.columns:
        table.add_column(str(col), justify="left" if col == "居委" else "right")
    for row in table_frame.itertuples(index=False):
        cells = [_percent(float(v)) if isinstance(v, float) else str(v) for v in row]
        table.add_row(*cells, style="bold" if str(row[0]) == "合计" else "")
    return table
