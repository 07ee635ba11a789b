"""``recon id`` and ``recon address``: how one value is understood."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from recon.normalize.address import parse_address
from recon.normalize.ids import IdKind, parse_id, repair_candidates

__all__ = ["describe_address", "describe_id", "render_addresses", "render_ids"]

_KIND_LABELS = {
    IdKind.VALID: "有效",
    IdKind.UPGRADED: "有效（15位已升级）",
    IdKind.SUSPECT: "有效（末三位为000，请核实）",
    IdKind.INVALID: "无效（有录入错误）",
    IdKind.DAMAGED: "受损（后几位丢失）",
    IdKind.MALFORMED: "格式不对",
    IdKind.MISSING: "未填写",
}

_PART_LABELS = {
    "province": "省/市",
    "city": "市",
    "district": "区/县",
    "town": "镇/街道",
    "road": "路",
    "estate": "小区",
    "village": "村",
    "place": "地名",
    "group": "组",
    "lane": "弄",
    "sublane": "支弄",
    "number": "号",
    "phase": "期",
    "zone": "区",
    "row": "排",
    "building": "幢",
    "unit": "单元",
    "floor": "楼层",
    "room": "室",
}


def describe_id(text: str) -> dict[str, Any]:
    """What an ID text tells (the JSON object of ``recon id --json``).

    ``region`` is the 6-digit code, ``region_name`` its name in the holder's
    birth year (marked （现名） when the year is unknown), ``region_note``
    what else a clerk should know about the code (renamed, retired, given
    later); a code retired before the birth is also one of the ``problems``.
    """
    info = parse_id(text)
    out: dict[str, Any] = {
        "text": text,
        "id": info.id if info.valid else "",
        "valid": info.valid,
        "kind": info.kind,
        "status": _KIND_LABELS[info.kind],
        "birth_date": info.birth_date,
        "sex": info.sex,
        "region": info.region,
        "region_name": info.region_name,
        "region_note": info.region_note,
        "problems": list(info.problems),
        "repairs": list(info.repairs),
    }
    if info.kind == IdKind.DAMAGED:
        out["trusted_prefix"] = info.prefix
    if info.kind == IdKind.INVALID:
        out["cleaned"] = info.id
        out["single_error_candidates"] = len(repair_candidates(info.id))
    return out


def describe_address(text: str) -> dict[str, Any]:
    """Parts and house key (the JSON object of ``recon address --json``)."""
    a = parse_address(text)
    return {
        "text": text,
        "house_key": a.house_key,
        **a.parts,
        "building_key": a.building_key,
        "problems": list(a.problems),
    }


def _card(title: str, rows: list[tuple[str, str]]) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")  # Chinese has no spaces to wrap at
    for label, value in rows:
        if value:
            grid.add_row(label, value)
    return Panel(grid, title=escape(title), title_align="left")


def render_ids(infos: list[dict[str, Any]]) -> Group:
    cards = []
    for i in infos:
        problems = list(i["problems"])
        if "single_error_candidates" in i:
            problems.append(
                f"改动一位可得到 {i['single_error_candidates']} 个有效号码，需对照系统和姓名确认"
            )
        rows = [
            ("规范号码", i["id"] or i.get("cleaned", "")),
            ("判断", i["status"]),
            ("可信的前几位", i.get("trusted_prefix", "")),
            ("出生日期", i["birth_date"]),
            ("性别", i["sex"]),
            ("地区码", f"{i['region']} {i['region_name']}".strip()),
            ("地区说明", i["region_note"]),
            ("问题", "\n".join(problems)),
            ("已自动修复", "\n".join(i["repairs"])),
        ]
        cards.append(_card(i["text"], rows))
    return Group(*cards)


def render_addresses(infos: list[dict[str, Any]]) -> Group:
    cards = []
    for i in infos:
        parts = "  ".join(f"{label} {i[k]}" for k, label in _PART_LABELS.items() if k in i)
        rows = [
            ("房屋键", i["house_key"]),
            ("楼栋键", i["building_key"]),
            ("拆分", parts),
            ("问题", "\n".join(i["problems"])),
        ]
        cards.append(_card(i["text"], rows))
    return Group(*cards)
