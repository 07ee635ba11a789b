"""`recon verify` and `recon redact`: check a result folder; share a masked copy.

``verify`` re-reads a result folder's manifest (summary.json) and checks
that every file it lists is there with the number of rows it says, that the
outcomes add up to the rows read, and -- where the input files are still at
their recorded paths -- that they are unchanged (SHA-256), and whether the
rules in force are still the same.

``redact`` writes a copy of a result folder that can be sent to someone
helping with a problem: the same files and rows, with names, ID numbers,
addresses and phones masked; coordinates (file, sheet, row) and recon's own
words are kept, because they are what a helper needs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from recon.errors import InputError, UsageError, Where
from recon.loaders import file_sha256
from recon.rules import load_rules
from recon.writers._csv import read_csv, write_csv

__all__ = ["Check", "redact_result", "verify_result"]

SUMMARY = "summary.json"


@dataclass
class Check:
    what: str  # Chinese description
    ok: bool | None  # None: could not be checked (not a failure)
    detail: str = ""


def _summary(folder: Path) -> dict[str, Any]:
    path = Path(folder) / SUMMARY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            "这不是 recon 的结果文件夹（里面没有 summary.json）",
            Where(file=str(folder)),
            "请指定 recon match 的 --out 文件夹",
        ) from exc
    except (OSError, ValueError) as exc:
        raise InputError("summary.json 无法读取或已损坏", Where(file=str(path))) from exc
    if not isinstance(data, dict) or data.get("tool") != "recon":
        raise InputError("summary.json 不是 recon 写的", Where(file=str(path)))
    return data


def _rows(path: Path) -> int:
    with path.open("rb") as fh:
        lines = sum(1 for _ in fh)
    return max(lines - 1, 0)


def verify_result(folder: Path) -> list[Check]:
    """Every check of a result folder against its manifest."""
    folder = Path(folder)
    summary = _summary(folder)
    checks: list[Check] = []
    for name, count in summary.get("files", {}).items():
        path = folder / name
        if not path.is_file():
            checks.append(Check(f"文件 {name}", False, "缺失"))
        elif count is None:
            checks.append(Check(f"文件 {name}", True, "在"))
        else:
            # a CSV line per row, unless a cell holds a line break (then more)
            found = _rows(path)
            ok = found == count or (found > count and _csv_rows(path) == count)
            checks.append(Check(f"文件 {name} 的行数", ok, f"应为 {count}，实为 {found}"))
    for side, check in summary.get("totals_check", {}).items():
        label = "采集表" if side == "field" else "系统数据"
        outcomes = sum(summary.get("outcomes", {}).get(side, {}).values())
        ok = check.get("rows_read") == outcomes
        checks.append(
            Check(
                f"{label}：各结果之和等于读取的行数", ok, f"{outcomes} / {check.get('rows_read')}"
            )
        )
    counted = {
        "matches.csv": summary.get("outcomes", {}).get("field", {}).get("matched"),
        "field_only.csv": summary.get("outcomes", {}).get("field", {}).get("field_only"),
        "system_only.csv": summary.get("outcomes", {}).get("system", {}).get("system_only"),
    }
    for name, expected in counted.items():
        if expected is not None and (folder / name).is_file():
            found = _csv_rows(folder / name)
            checks.append(
                Check(f"{name} 与结果人数一致", found == expected, f"{found} / {expected}")
            )
    for item in summary.get("inputs", []):
        path = Path(item.get("path", ""))
        label = f"输入文件 {item.get('file', '')}"
        if not item.get("path") or not path.is_file():
            checks.append(Check(label, None, "不在原位置，无法核对（不影响结果）"))
        else:
            same = file_sha256(path) == item.get("sha256")
            checks.append(
                Check(label, same, "未改动" if same else "核对之后已被改动，结果可能已过时")
            )
    recorded = summary.get("rules", {}).get("sha256")
    if recorded is not None:  # `recon results` folders depend on no rules file
        same = load_rules().digest == recorded
        checks.append(
            Check(
                "规则文件",
                same,
                "与当时相同" if same else "与当时不同（recon 升级或规则被修改过）",
            )
        )
    return checks


def _csv_rows(path: Path) -> int:
    return len(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))


# --- redact --------------------------------------------------------------------------

_DIGIT = re.compile(r"\d")


def _mask_name(value: str) -> str:
    return value[:1] + "*" * (len(value) - 1) if value else value


def _mask_id(value: str) -> str:
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _mask_address(value: str) -> str:
    """Keep the shape (road names, units), hide the numbers: 古美路####弄##号###室."""
    return _DIGIT.sub("#", value)


def _mask_phone(value: str) -> str:
    return (
        value[:3] + "*" * max(len(value) - 7, 0) + value[-4:]
        if len(value) > 7
        else "*" * len(value)
    )


def _masker(column: str) -> Any:
    c = column.lower()
    if c.endswith("name") or c in ("姓名",):
        return _mask_name
    if c.endswith("_id") or c == "id" or "身份证" in c or "公民身份" in c:
        return _mask_id
    if "address" in c or c == "house" or "地址" in c or "住址" in c or "去向" in c:
        return _mask_address
    if "phone" in c or "电话" in c:
        return _mask_phone
    return None


_VALUE_MASK = {
    "姓名": _mask_name,
    "身份证号": _mask_id,
    "现居住地址": _mask_address,
    "联系电话": _mask_phone,
}


def redact_result(folder: Path, out: Path) -> list[Path]:
    """A masked copy of a result folder's CSV files and manifest."""
    from recon.outdir import staged

    folder, out = Path(folder), Path(out)
    summary = _summary(folder)
    if out.resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            "脱敏副本不能放在结果文件夹里面", Where(file=str(out)), "请换一个 --out 位置"
        )
    if out.exists() and any(out.iterdir()):
        raise UsageError("副本文件夹已存在且不是空的", Where(file=str(out)), "请换一个 --out 位置")
    names = []
    with staged(out) as tmp:
        for path in sorted(folder.glob("*.csv")):
            frame = read_csv(path)
            for col in frame.columns:
                mask = _masker(str(col))
                if mask is not None:
                    frame[col] = frame[col].map(mask)
            if {"item", "system_value", "field_value"} <= set(frame.columns):  # differences
                for side in ("system_value", "field_value"):
                    frame[side] = [
                        _VALUE_MASK.get(item, _mask_address)(value)
                        for item, value in zip(frame["item"], frame[side], strict=True)
                    ]
            write_csv(frame, tmp / path.name)
            names.append(path.name)
        for item in summary.get("inputs", []):
            item.pop("path", None)  # a folder name may say whose data it is
        summary.pop("match_folder", None)
        # the copy lists only what it holds, so that `recon verify` passes on it
        summary["files"] = {k: v for k, v in summary.get("files", {}).items() if k in names}
        summary["redacted"] = True
        (tmp / SUMMARY).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        (tmp / "说明.txt").write_text(
            "这是 recon 核对结果的脱敏副本：姓名只留第一个字，身份证号和电话中间隐去，"
            "地址中的数字换成 #。\n"
            "文件、工作表、行号和 recon 的说明文字都保留，便于排查问题。\n",
            encoding="utf-8",
        )
        names.append(SUMMARY)
        # the workbooks are not copied: they hold the full values
    return [out / n for n in names]
