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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from recon.csvio import read_csv, write_csv
from recon.errors import InputError, UsageError, Where
from recon.loaders import file_sha256
from recon.normalize import parse_id
from recon.outdir import staged
from recon.resultdir import AUDIT_CSV, MATCH_TABLES, PROGRESS_CSV, SUMMARY
from recon.rules import load_rules

__all__ = ["Check", "redact_result", "verify_result"]


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
        MATCH_TABLES["matches"]: summary.get("outcomes", {}).get("field", {}).get("matched"),
        MATCH_TABLES["field_only"]: summary.get("outcomes", {}).get("field", {}).get("field_only"),
        MATCH_TABLES["system_only"]: summary.get("outcomes", {})
        .get("system", {})
        .get("system_only"),
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
#
# A masked copy must not give back through one column what another hides: a
# birth date next to an ID masked on its birth digits rebuilds the ID; a short
# hash of an ID (a 记录号) next to the ID's region and birth year can be
# brute-forced; a name or a phone written into a free-text cell (去向, 备注)
# is as personal as the name column. So every column of every CSV is classed,
# and what is not recon's own coordinates, counts or words is masked.

# folders written by recon without a manifest: their CSVs are tables per 居委
_AGGREGATE_CSVS = frozenset({AUDIT_CSV, PROGRESS_CSV})
_WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".pdf")

_DIGITS = re.compile(r"\d")
_LONG_DIGITS = re.compile(r"\d{7,}[\dXx]?")  # IDs, phones, record numbers
_CN_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千两幺]+(?=[弄号室组楼幢栋单层支])")
_DATE = re.compile(
    r"(?<!\d)(\d{4})(?:[-./年]?)(\d{1,2})(?:[-./月]?)(\d{1,2})日?(?!\d)"
)  # 1990-01-01, 1990.1.1, 19900101, 1990年1月1日


def _mask_name(value: str) -> str:
    value = value.strip()
    return value[:1] + "*" * (len(value) - 1) if value else value


def _mask_id(value: str) -> str:
    """Keep the region code (the first 6 characters) and the shape; hide the birth
    date, the sequence and the check character: 310112************, 3.1011*E+**."""
    value = value.strip()
    if len(value) <= 6:
        return "*" * len(value)
    return value[:6] + re.sub(r"[0-9Xx]", "*", value[6:])


def _mask_birth(value: str) -> str:
    """Only the year: the month and day are digits the masked ID hides."""
    value = value.strip()
    m = _DATE.search(value)
    if m:
        return f"{m.group(1)}-**-**"
    return _DIGITS.sub("*", value)


def _mask_address(value: str) -> str:
    """Keep the shape (road names, units), hide the numbers: 古美路####弄##号###室."""
    return _CN_NUMBER.sub("#", _DIGITS.sub("#", value))


def _mask_phone(value: str) -> str:
    value = value.strip()
    return (
        value[:3] + "*" * max(len(value) - 7, 0) + value[-4:]
        if len(value) > 7
        else "*" * len(value)
    )


def _mask_long_digits(value: str) -> str:
    """IDs, phones and record numbers inside recon's words or a user's text."""
    return _LONG_DIGITS.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 3), value)


# column classes, by header (recon's CSV headers, English and Chinese)
KEEP, NAME, ID, BIRTH, ADDRESS, PHONE, KEY, TEXT, WORDS = (
    "keep", "name", "id", "birth", "address", "phone", "key", "text", "words",
)  # fmt: skip

_COORDINATES = re.compile(
    r"^(?:(?:field|system|partner|duplicate_of)_)?(?:file|sheet|row|side)$"
    r"|^(?:文件|工作表|行号|列|核查单位置|column)$"
)
_COMMITTEE = re.compile(r"(?:^|_)committee$|^居委$|^所属居委$")
_WORD_COLUMNS = frozenset(
    {
        "method", "score", "reason", "note", "problem", "findings", "missing", "outcome",
        "item", "separation", "sep_type", "form", "id_problems", "kind", "pair", "sex",
        "field_sex", "system_sex", "性别", "指标", "变更项目", "注销原因", "说明", "来源",
        "问题", "collected_on", "arrived_on", "registered_on", "cancelled_on", "since", "due",
    }
)  # fmt: skip


def _column_class(column: str) -> str:
    c = column.strip().lower()
    if _COORDINATES.match(c) or _COMMITTEE.search(c):
        return KEEP
    if c in ("key", "记录号", "配对号") or c.endswith("_fp") or "指纹" in c:
        return KEY  # short hashes of a record, ID included: replaced, not masked
    if c.endswith("record_key") or c in ("人员编号", "系统编号"):
        return ID
    if c.endswith("name") or c == "姓名":
        return NAME
    if "birth" in c or "出生" in c:
        return BIRTH
    if c.endswith("_id") or c in ("id", "id_masked") or "身份证" in c or "公民身份" in c:
        return ID
    if "phone" in c or "电话" in c or "手机" in c:
        return PHONE
    if (
        "address" in c or c == "house" or "地址" in c or "住址" in c or "住所" in c
        or c.endswith("_where")
    ):  # fmt: skip
        return ADDRESS
    if c in _WORD_COLUMNS:
        return WORDS
    return TEXT  # 去向, 备注, 核查到, 系统中, whereabouts, remark, anything unknown


# what an item of `differences.csv` (and of 变更表: 系统中/核查到) holds
_ITEM_MASK: dict[str, Callable[[str], str]] = {
    "姓名": _mask_name,
    "身份证号": _mask_id,
    "出生日期": _mask_birth,
    "联系电话": _mask_phone,
    "性别": str,
}


class _Names:
    """Every name seen in the folder, found inside any text (a set, not a regex
    of thousands of alternatives; cached per distinct text)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.lengths = sorted({len(n) for n in names}, reverse=True)
        self.cache: dict[str, str] = {}

    def hide(self, text: str) -> str:
        if not self.names or len(text) < 2:
            return text
        hit = self.cache.get(text)
        if hit is not None:
            return hit
        out, i = [], 0
        while i < len(text):
            for n in self.lengths:
                if text[i : i + n] in self.names:
                    out.append(_mask_name(text[i : i + n]))
                    i += n
                    break
            else:
                out.append(text[i])
                i += 1
        self.cache[text] = "".join(out)
        return self.cache[text]


@dataclass
class _Redactor:
    """Masks shared by every file of one copy (names seen, keys replaced)."""

    names: _Names
    salt: str

    def key(self, value: str) -> str:
        import hashlib

        if not value:
            return value
        return "K" + hashlib.sha256(f"{self.salt}|{value}".encode()).hexdigest()[:8].upper()

    def text(self, value: str) -> str:
        """Free text a user wrote: names seen elsewhere, every number."""
        return _mask_address(_mask_long_digits(self.names.hide(value)))

    def words(self, value: str) -> str:
        """recon's own words: they name no person, but may quote a cell."""
        return _mask_long_digits(self.names.hide(value))

    def mask(self, kind: str, value: str) -> str:
        if not value:
            return value
        if kind == NAME:
            return _mask_name(value)
        if kind == ID:
            return _mask_id(value)
        if kind == BIRTH:
            return _mask_birth(value)
        if kind == ADDRESS:  # a name may be part of it (张家宅): hidden too
            return _mask_address(self.names.hide(value))
        if kind == PHONE:
            return _mask_phone(value)
        if kind == KEY:
            return self.key(value)
        if kind == WORDS:
            return self.words(value)
        if kind == TEXT:
            return value if _is_number(value) else self.text(value)
        return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return len(value.replace(".", "").lstrip("-")) < 7  # counts and rates, not a phone


def _births_in(row: list[str]) -> set[str]:
    """The birth dates (YYYYMMDD) the IDs of a row spell."""

    found = set()
    for value in row:
        if len(value) >= 15 and _DIGITS.match(value):
            parsed = parse_id(value)
            if parsed.birth_date:
                found.add(parsed.birth_date.replace("-", ""))
    return found


def _hide_births(value: str, births: set[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        y, mo, d = m.groups()
        return f"{y}-**-**" if f"{y}{int(mo):02d}{int(d):02d}" in births else m.group(0)

    return _DATE.sub(repl, value)


def _redact_frame(frame: pd.DataFrame, redactor: _Redactor) -> pd.DataFrame:
    original = frame.astype(str)
    masked = original.copy()
    kinds = {col: _column_class(str(col)) for col in frame.columns}
    for col, kind in kinds.items():
        if kind != KEEP:
            masked[col] = [redactor.mask(kind, v) for v in original[col]]
    # an item of a difference (or of a 变更表 row) says what its two values hold
    item_col = next((c for c in ("item", "变更项目") if c in frame.columns), None)
    value_cols = [c for c in ("system_value", "field_value", "系统中", "核查到") if c in frame]
    if item_col is not None:
        for col in value_cols:
            masked[col] = [
                _ITEM_MASK.get(item, redactor.text)(value) if value else value
                for item, value in zip(original[item_col], original[col], strict=True)
            ]
    # a date anywhere in a row that spells the birth digits of that row's ID
    id_cols = [c for c, k in kinds.items() if k == ID] + value_cols
    if id_cols:
        cells = {c: list(masked[c]) for c, k in kinds.items() if k != KEEP}
        for i, row in enumerate(original[id_cols].itertuples(index=False)):
            births = _births_in([str(v) for v in row])
            if births:
                for values in cells.values():
                    values[i] = _hide_births(values[i], births)
        for col, values in cells.items():
            masked[col] = values
    return masked


def _names_seen(frames: list[pd.DataFrame]) -> _Names:
    names: set[str] = set()
    for frame in frames:
        for col in frame.columns:
            if _column_class(str(col)) == NAME:
                names.update(v.strip() for v in frame[col].astype(str) if len(v.strip()) >= 2)
    return _Names(names)


def _kind_of(folder: Path) -> tuple[dict[str, Any], list[Path]]:
    """The manifest (made up for a folder without one) and the CSVs to copy; a
    folder recon cannot mask (only workbooks) or did not write is refused."""
    csvs = sorted(folder.glob("*.csv"))
    if (folder / SUMMARY).is_file() and csvs:
        return _summary(folder), csvs
    if csvs and all(p.name in _AGGREGATE_CSVS for p in csvs):  # recon audit / progress
        command = "audit" if (folder / AUDIT_CSV).is_file() else "progress"
        files: dict[str, int | None] = {p.name: _csv_rows(p) for p in csvs}
        return {"tool": "recon", "command": command, "files": files, "inputs": []}, csvs
    books = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in _WORKBOOK_SUFFIXES)
    if books and not csvs:
        raise InputError(
            f"这个文件夹里只有工作簿（{'、'.join(books[:3])}），"
            "工作簿含完整的个人信息，无法脱敏复制",
            Where(file=str(folder)),
            "抽查单等工作簿请不要外发；请人帮忙时，发 recon match 或 recon results "
            "结果文件夹的脱敏副本，并说明是哪个文件、哪一行",
        )
    return _summary(folder), csvs  # not recon's: _summary says so


def redact_result(folder: Path, out: Path) -> list[Path]:
    """A masked copy of a folder recon wrote: its CSV files and manifest.

    Handles the folders of ``recon match`` (both modes), ``recon results``,
    ``recon audit`` and ``recon progress``; refuses a folder holding only
    workbooks (``recon sample``). Workbooks and PDFs are never copied.
    """
    import secrets

    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise InputError("结果文件夹不存在", Where(file=str(folder)), "请检查路径")
    summary, csvs = _kind_of(folder)
    if out.resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            "脱敏副本不能放在结果文件夹里面", Where(file=str(out)), "请换一个 --out 位置"
        )
    if out.exists() and any(out.iterdir()):
        raise UsageError("副本文件夹已存在且不是空的", Where(file=str(out)), "请换一个 --out 位置")
    frames = {path.name: read_csv(path) for path in csvs}
    redactor = _Redactor(_names_seen(list(frames.values())), secrets.token_hex(16))
    names = []
    with staged(out) as tmp:
        for name, frame in frames.items():
            write_csv(_redact_frame(frame, redactor), tmp / name)
            names.append(name)
        for item in summary.get("inputs", []):
            item.pop("path", None)  # a folder name may say whose data it is
        summary.pop("match_folder", None)
        summary.pop("source", None)
        # the copy lists only what it holds, so that `recon verify` passes on it
        summary["files"] = {k: v for k, v in summary.get("files", {}).items() if k in names}
        summary["redacted"] = True
        (tmp / SUMMARY).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        left = sorted(p.name for p in folder.iterdir() if p.name not in names and p.name != SUMMARY)
        (tmp / "说明.txt").write_text(
            "这是 recon 结果的脱敏副本：姓名只留第一个字；身份证号只留前 6 位（地区码）；"
            "出生日期只留年份；电话只留前 3 位和后 4 位；"
            "地址和手写说明（去向、备注等）中的数字换成 #，"
            "其中出现的姓名也只留第一个字；记录号、配对号换成只在本副本内对应的编号。\n"
            "文件、工作表、行号和 recon 的说明文字都保留，便于排查问题。\n"
            + (f"没有复制（含完整信息）：{'、'.join(left)}\n" if left else ""),
            encoding="utf-8",
        )
        names.append(SUMMARY)
    return [out / n for n in names]
