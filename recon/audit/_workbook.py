"""考核统计.xlsx: the audit for people -- rates against targets, a native bar
chart per rate by 居委, a ranking, data findings, deadlines, checks, money.

Small by nature (a row per 居委), so it is written cell by cell through
xlsxwriter without constant-memory mode: the charts then carry their data
cache and show in any viewer. Text goes through ``write_string`` only, so
nothing can become a formula.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlsxwriter

from recon.audit._data import TOTAL
from recon.writers import LINE_HEIGHT, PAD, ROW_HEIGHT, TITLE_HEIGHT, Col, display_units, fit

if TYPE_CHECKING:
    from recon.audit._audit import AuditReport

__all__ = ["METHOD_NOTES", "write_audit_workbook"]

METHOD_NOTES = [
    ("来登率", "已匹配的现住人员 ÷ 现住人员（已匹配 + 人到机待录入 + 待人工确认；重复行不计）"),
    (
        "采集录入率",
        "已录入 ÷ 本轮应录入：应录入 = 人到机待录入 + 系统登记日期不早于采集日期的已匹配人员；"
        "已录入 = 其中的已匹配人员",
    ),
    ("去销率（核查前）", "已注销记录 ÷（已注销记录 + 上门核查为「已离开」的有效记录）"),
    ("去销率（核查后）", "（已注销记录 + 核查为已离开、列入注销表的记录）÷ 同一分母"),
    ("重复登记率", "同一人的第二条及以后的有效记录 ÷ 有效记录（越低越好）"),
    ("完整率", "必填项（见 audit.toml 的 required）都填了的现住人员 ÷ 现住人员"),
    (
        "准确率",
        "没有数据问题的现住人员 ÷ 现住人员；数据问题指身份证号无效或受损、性别或出生日期与"
        "身份证号不符、性别无法识别、地址缺少路名或村名",
    ),
    ("信息一致率", "系统信息与采集信息一致（没有信息变更）的已匹配人员 ÷ 已匹配人员"),
    ("采集及时率", "来沪（变动）后不超过 3 个工作日采集的 ÷ 有来沪日期和采集日期的人员"),
    (
        "录入及时率",
        "采集后不超过 2 个工作日录入系统的 ÷（采集后登记的 + 采集后已超过 2 个工作日仍未录入的）",
    ),
    ("抽查来登率", "抽查户中在住且已登记的人 ÷ 抽查户中在住的人（名单上在住的 + 现场发现的）"),
    ("名单不实率", "名单上已离开、系统未注销的人 ÷ 名单上核查了的人（越低越好）"),
    ("抽查准确率", "名单上在住、信息无误的人 ÷ 名单上在住的人"),
    ("抽查完整率", "名单上在住、信息齐全的人 ÷ 名单上在住的人"),
    ("抽查差错率", "（已离开未注销 + 信息有误或不全 + 未登记）÷ 检查人数（越低越好），用于倒扣"),
]


class _Book:
    """xlsxwriter with our formats and print setup."""

    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        add = self.book.add_format
        self.f = {
            "title": add({**base, "bold": True, "font_size": 14}),
            "note": add({**base, "italic": True, "font_color": "#595959"}),
            "wrapped_note": add(
                {**base, "italic": True, "font_color": "#595959", "text_wrap": True}
            ),
            "header": add(
                {
                    **base,
                    "bold": True,
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "text_wrap": True,
                    "align": "center",
                }
            ),
            "text": add({**base, "border": 1}),
            "wrap": add({**base, "border": 1, "text_wrap": True}),
            "int": add({**base, "border": 1, "num_format": "0"}),
            "money": add({**base, "border": 1, "num_format": "0.00"}),
            "pct": add({**base, "border": 1, "num_format": "0.0%"}),
            "short": add({**base, "border": 1, "num_format": "0.0%", "font_color": "#C00000"}),
            "bold": add({**base, "border": 1, "bold": True}),
        }
        self._top: dict[str, list[tuple[int, str, str]]] = {}

    def sheet(self, name: str, title: str, notes: list[str]) -> tuple[Any, int]:
        ws = self.book.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        ws.set_header(f'&L&"宋体,Bold"{title.replace("&", "&&")}&R第 &P 页 共 &N 页')
        ws.set_footer("&L打印日期：&D&R审核人签名：____________")
        ws.write_string(0, 0, title, self.f["title"])
        top = [(0, title, "title")]
        row = 1
        for note in notes:
            ws.write_string(row, 0, note, self.f["note"])
            top.append((row, note, "note"))
            row += 1
        self._top[name] = top  # merged over the first table's width (see table)
        return ws, row + 1

    def _merge_top(self, ws: Any, widths: list[float]) -> None:
        """The sheet's title and notes merged over its first table, notes wrapped."""
        last = len(widths) - 1
        for r, text, fmt in self._top.pop(ws.name, []):
            lines = math.ceil(float(display_units([text])[0]) / max(sum(widths) - PAD, 1))
            if fmt == "title":
                ws.set_row(r, TITLE_HEIGHT)
            else:
                ws.set_row(r, max(ROW_HEIGHT, lines * LINE_HEIGHT + 3))
            if last > 0:
                ws.merge_range(
                    r, 0, r, last, text, self.f["wrapped_note" if fmt == "note" else fmt]
                )

    def table(
        self,
        ws: Any,
        row: int,
        frame: pd.DataFrame,
        kinds: dict[str, str],
        widths: Mapping[str, float] | None = None,
        short: pd.DataFrame | None = None,
    ) -> int:
        """Header and rows from ``row``; returns the row after the table.

        ``widths`` are least widths: a column widens to its header and
        values (as recon's other workbooks, see recon/writers/_xlsx.py), a
        text column wraps beyond its cap.
        """
        widths = widths or {}
        numeric = {"int": "int", "money": "number", "pct": "number", "short": "number"}
        cols = []
        for col in frame.columns:
            kind = kinds.get(col, "text")
            c = Col(str(col), str(col), widths.get(col, 6), numeric.get(kind, kind))
            if kind == "wrap":
                c = Col(str(col), str(col), widths.get(col, 6), "text", wrap=True)
            cols.append(fit(c, frame[col].to_numpy(dtype=object)))
        self._merge_top(ws, [c.width for c in cols])
        units = display_units([c.header for c in cols])
        lines = max(
            (math.ceil(u / max(c.width - PAD, 1)) for u, c in zip(units, cols, strict=True)),
            default=1,
        )
        ws.set_row(row, max(2 * ROW_HEIGHT, lines * LINE_HEIGHT + 6))
        for j, (col, c) in enumerate(zip(frame.columns, cols, strict=True)):
            ws.set_column(j, j, c.width)
            ws.write_string(row, j, str(col), self.f["header"])
        ws.repeat_rows(row)
        ws.freeze_panes(row + 1, 1)
        wrapped = [j for j, c in enumerate(cols) if c.wrap]
        for i, values in enumerate(frame.itertuples(index=False), start=row + 1):
            bold = str(values[0]) == TOTAL
            if wrapped:  # viewers do not re-measure rows of a file they did not write
                lines = max(
                    math.ceil(display_units([str(values[j])])[0] / max(cols[j].width - PAD, 1))
                    for j in wrapped
                )
                if lines > 1:
                    ws.set_row(i, lines * LINE_HEIGHT + 2)
            for j, (col, v) in enumerate(zip(frame.columns, values, strict=True)):
                kind = kinds.get(col, "text")
                if kind == "pct" and short is not None and bool(short.iat[i - row - 1, j]):
                    kind = "short"
                if kind == "text" and cols[j].wrap:
                    kind = "wrap"
                self.cell(ws, i, j, v, "bold" if bold and kind == "text" else kind)
        return row + 1 + len(frame)

    def cell(self, ws: Any, r: int, c: int, v: object, kind: str) -> None:
        if kind in ("int", "money", "pct", "short"):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                ws.write_string(r, c, "—", self.f["text"])
            else:
                ws.write_number(r, c, float(v), self.f[kind])  # type: ignore[arg-type]
        else:
            ws.write_string(r, c, "" if v is None else str(v), self.f[kind])


def _wide(rates: pd.DataFrame) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """居委 x 指标 of rates; the labels in order; where a rate falls short."""
    labels = list(dict.fromkeys(rates["指标"]))
    wide = rates.pivot(index="居委", columns="指标", values="比率")[labels]
    order = [c for c in wide.index if c != TOTAL] + ([TOTAL] if TOTAL in wide.index else [])
    wide = wide.loc[order]
    gap = rates.pivot(index="居委", columns="指标", values="差距")[labels].loc[order]
    short = (gap < -1e-12).fillna(False)
    frame = wide.reset_index()
    short = pd.concat([pd.Series(False, index=short.index, name="居委"), short], axis=1)
    return frame, labels, short.reset_index(drop=True)


def _ranking(rates: pd.DataFrame, lower_is_better: frozenset[str]) -> pd.DataFrame:
    """Committees ranked by their mean score (1 - rate where lower is better)."""
    r = rates[(rates["居委"] != TOTAL) & rates["比率"].notna()].copy()
    r["得分"] = r["比率"].where(~r["key"].isin(lower_is_better), 1 - r["比率"])
    wide = r.pivot(index="居委", columns="指标", values="得分")
    score = wide.mean(axis=1)
    ranks = wide.rank(ascending=False, method="min")
    frame = pd.DataFrame({"居委": score.index, "综合得分": score.to_numpy()})
    for col in wide.columns:
        frame[f"{col}名次"] = ranks[col].to_numpy()
    frame = frame.sort_values(["综合得分", "居委"], ascending=[False, True])
    frame.insert(0, "名次", frame["综合得分"].rank(ascending=False, method="min").to_numpy())
    return frame.reset_index(drop=True)


def write_audit_workbook(report: AuditReport, path: Path, as_of: dt.date) -> None:
    book = _Book(path)
    rates = report.rates
    notes = [f"截至 {as_of:%Y年%m月%d日}；规则指纹 {report.rules.digest[:12]}", *report.warnings]
    try:
        # 考核概况: the wide table the charts read
        ws, row = book.sheet("考核概况", "考核统计：各居委指标", notes)
        wide, labels, short = _wide(rates)
        first = row
        targets = rates.drop_duplicates("指标").set_index("指标")["目标"]
        end = book.table(
            ws,
            row,
            wide,
            {c: "pct" for c in labels},
            {"居委": 14, **{c: 10 for c in labels}},
            short,
        )
        ws.write_string(end, 0, "目标", book.f["bold"])
        for j, label in enumerate(labels, start=1):
            book.cell(ws, end, j, targets.get(label, float("nan")), "pct")
        ws.write_string(end + 2, 0, "红字：未达到目标。— ：没有可计算的数据。", book.f["note"])
        n_committees = int((wide["居委"] != TOTAL).sum())

        # 图表: a native column chart per rate, 居委 as categories
        charts, _ = book.sheet("图表", "各指标按居委", ["每个图是一个指标，标题中注明目标。"])
        placed = 0
        for k, label in enumerate(labels):
            if not n_committees or wide[label].iloc[:n_committees].isna().all():
                continue
            chart = book.book.add_chart({"type": "column"})
            chart.add_series(
                {
                    "name": label,
                    "categories": ["考核概况", first + 1, 0, first + n_committees, 0],
                    "values": ["考核概况", first + 1, k + 1, first + n_committees, k + 1],
                    "fill": {"color": "#4472C4"},
                    "data_labels": {"value": True, "num_format": "0.0%"},
                }
            )
            target = targets.get(label, float("nan"))
            suffix = f"（目标 {target:.0%}）" if target == target else ""
            chart.set_title({"name": f"{label}{suffix}", "name_font": {"size": 11}})
            chart.set_y_axis(
                {"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}}
            )
            chart.set_legend({"none": True})
            chart.set_size({"width": 460, "height": 260})
            # two charts a row, two rows a page (A4 landscape), never cut by a page break
            page, slot = divmod(placed, 4)
            charts.insert_chart(3 + page * 30 + (slot // 2) * 14, (slot % 2) * 8, chart)
            placed += 1
        charts.set_h_pagebreaks([3 + 30 * p for p in range(1, placed // 4 + 1)])

        # 排名
        ws, row = book.sheet(
            "排名", "各居委综合排名", ["综合得分 = 各项比率的平均（越低越好的指标取 1 − 比率）。"]
        )
        ranking = _ranking(rates, report.rules.lower_is_better)
        kinds = {
            "名次": "int",
            "综合得分": "pct",
            **{c: "int" for c in ranking.columns if c.endswith("名次")},
        }
        book.table(ws, row, ranking, kinds, {"居委": 14})

        # 指标明细
        ws, row = book.sheet("指标明细", "各指标的分子、分母与目标", [])
        detail = rates[["居委", "指标", "分子", "分母", "比率", "目标", "差距"]]
        book.table(
            ws,
            row,
            detail,
            {"分子": "int", "分母": "int", "比率": "pct", "目标": "pct", "差距": "pct"},
            {"居委": 14, "指标": 16},
        )

        # 数据问题
        ws, row = book.sheet("数据问题", "采集表中现住人员的数据问题（条数）", [])
        kinds = {c: "int" for c in report.findings.columns if c != "居委"}
        book.table(ws, row, report.findings, kinds, {"居委": 14, **{c: 14 for c in kinds}})

        if report.deadlines is not None:
            ws, row = book.sheet(
                "时限",
                "采集与录入时限",
                [
                    f"采集：变动后 {report.rules.collect_days} 个工作日内；"
                    f"录入：采集后 {report.rules.enter_days} 个工作日内"
                    "（按国家法定节假日和调休计算）。"
                ],
            )
            d = report.deadlines
            kinds = {c: ("pct" if c.endswith("率") else "int") for c in d.columns if c != "居委"}
            book.table(ws, row, d, kinds, {"居委": 14})

        if report.checks is not None:
            ws, row = book.sheet(
                "抽查",
                "抽查结果（95% 置信区间，Wilson 法）",
                [
                    "「估计」= 比率 × 该居委的有效记录数；抽样以户为单位，同户的人不完全独立，"
                    "区间偏窄，仅供参考。"
                ],
            )
            c = report.checks.copy()
            c["估计人数"] = c["比率"] * c["有效记录数"]
            c["估计下限"] = c["下限"] * c["有效记录数"]
            c["估计上限"] = c["上限"] * c["有效记录数"]
            kinds = {
                "分子": "int", "分母": "int", "比率": "pct", "下限": "pct", "上限": "pct",
                "有效记录数": "int", "估计人数": "int", "估计下限": "int", "估计上限": "int",
            }  # fmt: skip
            book.table(ws, row, c.drop(columns=["key"]), kinds, {"居委": 14, "指标": 12})

        if report.money is not None:
            ws, row = book.sheet(
                "奖惩",
                "奖励与倒扣",
                ["依据 audit.toml；「算式」一栏写明每个数是怎么来的，可以手工复核。"],
            )
            m = report.money
            kinds = {c: "money" for c in m.columns if c.endswith("(元)")}
            kinds.update({"差错率": "text", "倒扣比例": "text", "算式": "wrap"})
            book.table(ws, row, m, kinds, {"居委": 14, "算式": 40})

        ws, row = book.sheet("计算方法", "各指标的计算方法", [])
        book.table(
            ws,
            row,
            pd.DataFrame(METHOD_NOTES, columns=["指标", "计算方法"]),
            {"计算方法": "wrap"},
            {"指标": 16, "计算方法": 60},
        )
    finally:
        book.book.close()
