"""House lists (房屋清册) in: files -> one row per listed dwelling.

A list comes from the 房管所, a property company or the police 实有房屋
module, as .xlsx/.xls/.csv like the person sheets, and is opened by the same
readers (so a locked, encrypted or damaged file gets the same message). Its
header is found by the column names of ``houses.toml`` [headers]; the address
is turned into a house key by the same normaliser as every person's address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from recon.errors import InputError, Where
from recon.loaders import RawSheet, cell_text, collect_files, committee_key, read_file
from recon.normalize.address import normalize_addresses
from recon.rules import HOUSE_FIELDS, HouseRules, header_label

__all__ = ["HouseList", "load_house_list"]

_TOTAL = re.compile(r"^(?:合计|小计|总计|共计)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class HouseList:
    rows: pd.DataFrame  # file, sheet, row, the HOUSE_FIELDS, house_key, building
    files: list[Path] = field(default_factory=list)
    problems: list[dict[str, object]] = field(default_factory=list)
    skipped: int = 0  # blank / total rows

    def problem(self, file: str, sheet: str, row: int, text: str) -> None:
        self.problems.append(
            {"file": file, "sheet": sheet, "row": row, "column": "地址", "problem": text}
        )


def _field_of(label: str, synonyms: dict[str, str]) -> str | None:
    if not label:
        return None
    hit = synonyms.get(label)
    if hit:
        return hit
    for size in range(min(len(label) - 1, 8), 1, -1):  # "房屋地址（门牌）" style
        hit = synonyms.get(label[:size])
        if hit:
            return hit
    return None


def _header(raw: RawSheet, synonyms: dict[str, str]) -> tuple[int, dict[int, str]] | None:
    """The head row naming most list columns (the address among them)."""
    best: tuple[int, dict[int, str]] | None = None
    for i, row in enumerate(raw.head):
        hits: dict[int, str] = {}
        for j, cell in enumerate(row):
            f = _field_of(header_label(cell_text(cell)), synonyms)
            if f and f not in hits.values():
                hits[j] = f
        if (
            "address" in hits.values()
            and len(hits) >= 2
            and (best is None or len(hits) > len(best[1]))
        ):
            best = (i, hits)
    return best


def _number(text: str) -> float:
    m = _NUMBER.search(text.replace(",", ""))
    return float(m.group()) if m else float("nan")


def load_house_list(paths: list[Path], rules: HouseRules) -> HouseList:
    """Every dwelling listed in ``paths`` (files or folders)."""
    synonyms = {header_label(s): f for f, words in rules.headers.items() for s in words}
    out = HouseList(rows=pd.DataFrame())
    frames = []
    for path in collect_files(paths):
        found = False
        for raw in read_file(path):
            raw.file = path.name
            header = _header(raw, synonyms)
            if header is None:
                continue
            found = True
            head, columns = header
            body = raw.body(head + 1)
            text = {
                f: body[j].map(cell_text) if j in body.columns else pd.Series("", index=body.index)
                for j, f in columns.items()
            }
            frame = pd.DataFrame(text, index=body.index)
            blank = frame == ""
            filled = ~blank.all(axis=1)
            # the first filled cell of each row: 合计 / 小计 rows are not dwellings
            first = frame.mask(blank).bfill(axis=1).iloc[:, 0].fillna("").astype(str)
            total = first.str.match(_TOTAL)
            keep = filled & ~total
            out.skipped += int((~keep).sum())
            frame = frame[keep].copy()
            frame.insert(0, "row", body.loc[keep, "_row"].astype("int64").to_numpy())
            frame.insert(0, "sheet", raw.sheet)
            frame.insert(0, "file", path.name)
            for r in frame.loc[frame["address"].eq(""), "row"].tolist():
                out.problem(path.name, raw.sheet, r, "房屋清册中这一行没有地址，无法对应到房屋")
            frames.append(frame)
        if not found:
            raise InputError(
                "没有找到房屋清册的表头（应含「房屋地址」或「地址」等列）",
                Where(file=path.name),
                "请检查文件，或在 houses.toml 的 [headers] 中补充列名",
            )
        out.files.append(path)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for f in HOUSE_FIELDS:
        if f not in rows:
            rows[f] = ""
    rows = rows.fillna("")
    rows["committee"] = rows["committee"].map(lambda c: committee_key(c) if c else "")
    rows["area"] = rows["area"].map(_number)
    rows["rooms"] = rows["rooms"].map(_number)
    keys = normalize_addresses(rows["address"].astype(str))
    rows["house_key"] = keys["addr_key"].to_numpy(dtype=object)
    rows["building"] = keys["addr_building"].to_numpy(dtype=object)
    rows["flat"] = keys["addr_flat"].to_numpy(dtype=object)
    out.rows = rows[rows["house_key"].ne("")].reset_index(drop=True)
    if len(rows) and not len(out.rows):
        raise InputError("房屋清册中没有可识别的地址", Where(file=out.files[0].name))
    dup = out.rows["house_key"].duplicated(keep="first")
    again = out.rows[dup]
    for file, sheet, r in zip(again["file"], again["sheet"], again["row"].tolist(), strict=True):
        out.problem(file, sheet, r, "与清册中前面某一行是同一套房，这一行未使用")
    out.rows = out.rows[~dup].reset_index(drop=True)
    out.rows["area"] = out.rows["area"].astype(float)
    out.rows["rooms"] = out.rows["rooms"].astype(float)
    out.rows.loc[~np.isfinite(out.rows["rooms"]), "rooms"] = np.nan
    return out
