"""House-register rules (``rules/houses.toml``): overcrowding thresholds, the
words of use and occupancy, and the column names of house lists.

The shipped file is always read; a user's file (``recon houses --rules``)
overrides it table by table and key by key. Every problem is reported at once.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from recon.errors import RulesError

__all__ = ["HOUSE_FIELDS", "HouseRules", "load_house_rules"]

SHIPPED = "houses.toml"
# the columns of a house list recon understands (order = display order)
HOUSE_FIELDS = (
    "house_code",
    "address",
    "committee",
    "use",
    "occupancy",
    "owner_name",
    "owner_id",
    "owner_phone",
    "area",
    "rooms",
)


@dataclass(frozen=True)
class HouseRules:
    min_area_per_person: float
    max_per_room: int
    living_area_ratio: float
    max_people_unknown_size: int
    non_residential: tuple[str, ...]
    rental: tuple[str, ...]
    vacant: tuple[str, ...]
    headers: dict[str, tuple[str, ...]]  # field -> header synonyms
    sources: tuple[tuple[str, str], ...]


_NUMBERS: dict[str, tuple[type, float, float]] = {
    "min_area_per_person": (float, 0.0, 1000.0),
    "max_per_room": (int, 1, 100),
    "living_area_ratio": (float, 0.05, 1.0),
    "max_people_unknown_size": (int, 1, 1000),
}


def _read(name: str, text: str, problems: list[str]) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{name} 不是有效的 TOML 格式（{exc}）")
        return {}


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def _words(value: object, where: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{where} 应为文字列表")
        return ()
    return tuple(value)


def load_house_rules(path: Path | None = None) -> HouseRules:
    """The shipped houses.toml with a user's file (optional) merged on top."""
    problems: list[str] = []
    text = resources.files("recon.rules").joinpath(SHIPPED).read_text(encoding="utf-8")
    sources = [(SHIPPED, hashlib.sha256(text.encode()).hexdigest())]
    doc = _read(SHIPPED, text, problems)
    name = SHIPPED
    if path is not None:
        name = Path(path).name
        try:
            user = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError([f"无法读取规则文件（{type(exc).__name__}）"], file=name) from exc
        sources.append((name, hashlib.sha256(user.encode()).hexdigest()))
        doc = _merge(doc, _read(name, user, problems))
    for table in sorted(set(doc) - {"overcrowding", "uses", "headers"}):
        problems.append(f"未知的表 [{table}]（可用：overcrowding、uses、headers）")
    crowd = doc.get("overcrowding", {})
    numbers: dict[str, float] = {}
    for key, (kind, low, high) in _NUMBERS.items():
        raw = crowd.get(key)
        ok = isinstance(raw, int | float) and not isinstance(raw, bool)
        if kind is int:
            ok = ok and isinstance(raw, int)
        if not ok or not low <= float(raw) <= high:
            problems.append(f"[overcrowding] {key} 应为 {low:g}–{high:g} 之间的数，实为 {raw!r}")
            numbers[key] = low
        else:
            numbers[key] = raw
    for key in sorted(set(crowd) - set(_NUMBERS)):
        problems.append(f"[overcrowding] 中未知的项「{key}」")
    uses = doc.get("uses", {})
    words = {
        k: _words(uses.get(k, []), f"[uses] {k}", problems)
        for k in ("non_residential", "rental", "vacant")
    }
    headers: dict[str, tuple[str, ...]] = {}
    for field, synonyms in doc.get("headers", {}).items():
        if field not in HOUSE_FIELDS:
            problems.append(f"[headers] 中未知的列「{field}」（可用：{'、'.join(HOUSE_FIELDS)}）")
            continue
        headers[field] = _words(synonyms, f"[headers] {field}", problems)
    if "address" not in headers:
        problems.append("[headers] 缺少 address（房屋地址的列名）")
    if problems:
        raise RulesError(problems, file=name)
    return HouseRules(
        min_area_per_person=float(numbers["min_area_per_person"]),
        max_per_room=int(numbers["max_per_room"]),
        living_area_ratio=float(numbers["living_area_ratio"]),
        max_people_unknown_size=int(numbers["max_people_unknown_size"]),
        non_residential=words["non_residential"],
        rental=words["rental"],
        vacant=words["vacant"],
        headers=headers,
        sources=tuple(sources),
    )
