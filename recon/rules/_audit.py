"""Audit rules (``rules/audit.toml``): rate targets, deadlines, deduction tiers, rewards.

The shipped file is always read; a user's file, if given, is merged on top of
it table by table (a user file may hold only ``[targets]``, say). Arrays are
replaced whole, so a user's ``[[deduction.tiers]]`` is the complete tier list.
Every problem in the merged result is collected and reported at once as one
``RulesError`` whose Chinese text names the file and the place.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

from recon.errors import RulesError
from recon.rules._fields import FIELDS

__all__ = [
    "SHIPPED",
    "TARGETS",
    "AuditRules",
    "ClerkAllowance",
    "Deduction",
    "Rewards",
    "Tier",
    "load_audit_rules",
    "rate_tier",
    "round_rate",
]

SHIPPED = "audit.toml"

# Rate targets, in the order reports show them.
TARGETS = (
    "registration",
    "cancellation",
    "entry",
    "completeness",
    "accuracy",
    "collect_on_time",
    "enter_on_time",
    "check_accuracy",
    "check_completeness",
    "consistency",
    "duplicates",
    "check_registration",
    "check_stale",
    "check_errors",
)

_TIERS = "deduction.tiers"
_MAX_PRECISION = 4


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 100, 12.5, 0.25."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Tier:
    """Error rates from ``from_`` to ``to`` percent (inclusive) deduct ``deduct`` percent."""

    from_: Decimal
    to: Decimal
    deduct: Decimal

    def describe(self) -> str:
        """The range as a clerk reads it, e.g. ``5–10%``."""
        return f"{_plain(self.from_)}–{_plain(self.to)}%"


@dataclass(frozen=True)
class Deduction:
    precision: int  # decimals of a percent a rate is rounded to before its tier is found
    tiers: tuple[Tier, ...]
    per_unregistered_daily: Decimal  # percent per unregistered person found in daily checks
    per_unregistered_struck: Decimal  # percent per unregistered person struck by the police
    cap: Decimal  # the total deduction never exceeds this percent


@dataclass(frozen=True)
class ClerkAllowance:
    """Monthly allowance of a committee's entry clerk, by records entered that month."""

    base: Decimal
    base_up_to: int
    step_records: int
    step_amount: Decimal
    cap: Decimal
    min_records: int = 0


@dataclass(frozen=True)
class Rewards:
    tip: Decimal  # yuan per verified tip from a resident informant or property staff
    record: Decimal  # yuan per verified record collected by committee staff
    committee_monthly: Decimal  # yuan per committee per month
    clerk: ClerkAllowance


@dataclass(frozen=True)
class AuditRules:
    targets: dict[str, float]  # TARGETS key -> percent
    lower_is_better: frozenset[str]  # TARGETS keys whose target is an upper bound
    required: tuple[str, ...]  # canonical fields a complete record has filled
    collect_days: int  # working days from a change to its collection
    enter_days: int  # working days from collection to entry
    deduction: Deduction
    rewards: Rewards
    sources: tuple[tuple[str, str], ...]  # (file name, sha256) of every file used
    cancel_days: int = 2  # working days from a visit finding 已离开 to the cancellation
    visit_days: int = 10  # working days from a 机到人 listing to the visit

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name, digest in self.sources:
            h.update(f"{name}:{digest}\n".encode())
        return h.hexdigest()


# --- rates -------------------------------------------------------------------------------


def round_rate(rate_percent: float | Decimal, precision: int) -> Decimal:
    """A rate in percent rounded half up to ``precision`` decimals (4.5 -> 5, not 4)."""
    if isinstance(rate_percent, float) and not math.isfinite(rate_percent):
        raise ValueError(f"差错率应为数字，实为 {rate_percent}")
    exact = rate_percent if isinstance(rate_percent, Decimal) else Decimal(repr(rate_percent))
    return exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def rate_tier(rate_percent: float | Decimal, deduction: Deduction) -> Tier:
    """The tier an error rate (in percent, 0–100) falls in once rounded."""
    rounded = round_rate(rate_percent, deduction.precision)
    for tier in deduction.tiers:
        if tier.from_ <= rounded <= tier.to:
            return tier
    raise ValueError(f"差错率 {_plain(rounded)}% 不在任何一档中（应在 0–100 之间）")


# --- value checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """What a number in the file must be, and how to say so."""

    text: str
    low: Decimal
    high: Decimal | None = None
    integer: bool = False
    places: int | None = None


_PERCENT = _Spec("应为 0–100 之间的数字", Decimal(0), Decimal(100))
_NON_NEGATIVE = _Spec("应为不小于 0 的数字", Decimal(0))
_MONEY = _Spec("应为不小于 0 的金额（元，最多两位小数）", Decimal(0), places=2)
_POSITIVE_INT = _Spec("应为正整数", Decimal(1), integer=True)
_NON_NEGATIVE_INT = _Spec("应为不小于 0 的整数", Decimal(0), integer=True)
_PRECISION = _Spec(
    f"应为 0–{_MAX_PRECISION} 之间的整数", Decimal(0), Decimal(_MAX_PRECISION), integer=True
)


def _shown(raw: object) -> str:
    """A value as the file spells it, for messages: "abc", true, -1, [1, 2]."""
    return json.dumps(raw, ensure_ascii=False, default=str)


def _label(path: str) -> str:
    return f"[{path}]" if path else "规则文件"


class _Check:
    """Collects problems, each prefixed with the file its value came from."""

    def __init__(self, origin: dict[str, str]) -> None:
        self.origin = origin
        self.problems: list[str] = []

    def source(self, path: str) -> str:
        """The file the value at ``path`` (dotted) comes from."""
        key = path
        while key not in self.origin:
            key = key.rpartition(".")[0]
        return self.origin[key]

    def add(self, path: str, text: str) -> None:
        self.problems.append(f"{self.source(path)}：{text}")

    def number(self, raw: object, spec: _Spec, name: str, path: str) -> Decimal | None:
        """``raw`` as a Decimal if it meets ``spec``; else a problem about ``name``."""
        value = _as_decimal(raw, spec)
        if value is None:
            self.add(path, f"{name} {spec.text}，实为 {_shown(raw)}")
        return value


def _as_decimal(raw: object, spec: _Spec) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    if spec.integer and not isinstance(raw, int):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    value = Decimal(raw) if isinstance(raw, int) else Decimal(repr(raw))
    if value < spec.low or (spec.high is not None and value > spec.high):
        return None
    if spec.places is not None and value != value.quantize(Decimal(1).scaleb(-spec.places)):
        return None
    return value


# --- the parts of the file ---------------------------------------------------------------


def _required(raw: object, path: str, check: _Check) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        check.add(path, f"{path} 应为字段名列表，实为 {_shown(raw)}")
        return None
    problems = len(check.problems)
    for name in raw:
        if name not in FIELDS:
            check.add(path, f"{path} 中有未知字段「{name}」（可用：{'、'.join(FIELDS)}）")
    for name in sorted({n for n in raw if raw.count(n) > 1}):
        check.add(path, f"{path} 中字段「{name}」重复")
    return tuple(raw) if len(check.problems) == problems else None


def _target_keys(raw: object, path: str, check: _Check) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        check.add(path, f"{path} 应为指标名列表，实为 {_shown(raw)}")
        return None
    unknown = [k for k in raw if k not in TARGETS]
    for key in unknown:
        check.add(path, f"{path} 中有未知的指标「{key}」（可用：{'、'.join(TARGETS)}）")
    return None if unknown else tuple(raw)


_TIER_KEYS = ("from", "to", "deduct")


def _tier(raw: object, index: int, check: _Check) -> Tier | None:
    where = f"[[{_TIERS}]] 第 {index} 档"
    if not isinstance(raw, dict):
        check.add(_TIERS, f"{where} 应为表，实为 {_shown(raw)}")
        return None
    for key in sorted(set(raw) - set(_TIER_KEYS)):
        check.add(_TIERS, f"{where}中有未知的项「{key}」（可用：{'、'.join(_TIER_KEYS)}）")
    values: list[Decimal | None] = []
    for key in _TIER_KEYS:
        if key not in raw:
            check.add(_TIERS, f"{where}缺少 {key}")
            values.append(None)
        else:
            values.append(check.number(raw[key], _PERCENT, f"{where} {key}", _TIERS))
    from_, to, deduct = values
    if from_ is None or to is None or deduct is None:
        return None
    return Tier(from_=from_, to=to, deduct=deduct)


def _tiers(raw: object, path: str, check: _Check) -> tuple[Tier, ...] | None:
    if not isinstance(raw, list):
        check.add(path, f"[[{path}]] 应为表的数组（每一档写一个 [[{path}]]）")
        return None
    if not raw:
        check.add(path, f"[[{path}]] 至少应有一档")
        return None
    tiers = [_tier(item, i, check) for i, item in enumerate(raw, 1)]
    if any(t is None for t in tiers):
        return None
    return tuple(t for t in tiers if t is not None)


_Leaf: TypeAlias = _Spec | Callable[[object, str, _Check], object]
_Schema: TypeAlias = "dict[str, _Leaf | _Schema]"

_SCHEMA: _Schema = {
    "targets": dict.fromkeys(TARGETS, _PERCENT),
    "rates": {"lower_is_better": _target_keys},
    "completeness": {"required": _required},
    "deadlines": {
        "collect_days": _POSITIVE_INT,
        "enter_days": _POSITIVE_INT,
        "cancel_days": _POSITIVE_INT,
        "visit_days": _POSITIVE_INT,
    },
    "deduction": {
        "precision": _PRECISION,
        "per_unregistered_daily": _NON_NEGATIVE,
        "per_unregistered_struck": _NON_NEGATIVE,
        "cap": _PERCENT,
        "tiers": _tiers,
    },
    "rewards": {
        "tip": _MONEY,
        "record": _MONEY,
        "committee_monthly": _MONEY,
        "clerk": {
            "base": _MONEY,
            "base_up_to": _NON_NEGATIVE_INT,
            "step_records": _POSITIVE_INT,
            "step_amount": _MONEY,
            "cap": _MONEY,
            "min_records": _NON_NEGATIVE_INT,
        },
    },
}


def _walk(doc: dict[str, Any], schema: _Schema, path: str, check: _Check) -> dict[str, Any]:
    """Every value the schema names, checked; a value with a problem comes back as None."""
    for key in sorted(set(doc) - set(schema)):
        here = f"{path}.{key}" if path else key
        where = f"{_label(path)} 中" if path else ""
        check.add(here, f"{where}有未知的项「{key}」（可用：{'、'.join(schema)}）")
    out: dict[str, Any] = {}
    for key, spec in schema.items():
        here = f"{path}.{key}" if path else key
        if key not in doc:
            check.add(here, f"缺少 {_label(here) if isinstance(spec, dict) else here}")
            out[key] = None
        elif isinstance(spec, dict):
            raw = doc[key]
            if isinstance(raw, dict):
                out[key] = _walk(raw, spec, here, check)
            else:
                check.add(here, f"{_label(here)} 应为表，实为 {_shown(raw)}")
                out[key] = None
        elif isinstance(spec, _Spec):
            out[key] = check.number(doc[key], spec, here, here)
        else:
            out[key] = spec(doc[key], here, check)
    return out


# --- tier layout -------------------------------------------------------------------------


def _on_grid(value: Decimal, precision: int) -> bool:
    scaled = value.scaleb(precision)
    return scaled == scaled.to_integral_value()


def _off_grid(tiers: tuple[Tier, ...], precision: int, check: _Check) -> set[int]:
    """Tiers with a bound that is not a whole number of ``10**-precision`` (reported)."""
    unit = "整数" if precision == 0 else f"最多 {precision} 位小数的数"
    bad: set[int] = set()
    for i, tier in enumerate(tiers, 1):
        for key, value in (("from", tier.from_), ("to", tier.to)):
            if not _on_grid(value, precision):
                check.add(
                    _TIERS,
                    f"[[{_TIERS}]] 第 {i} 档 {key} 应为{unit}（差错率保留 {precision} 位小数"
                    f"后对照档次，见 deduction.precision），实为 {_plain(value)}",
                )
                bad.add(i)
    return bad


def _pair_problem(i: int, prev: Tier, nxt: Tier, step: Decimal) -> str | None:
    """What is wrong between sorted tiers ``i`` and ``i + 1``, if anything."""
    where = f"[[{_TIERS}]] 第 {i} 档（{prev.describe()}）与第 {i + 1} 档（{nxt.describe()}）"
    if nxt.from_ <= prev.to:
        return f"{where}重叠"
    if nxt.from_ != prev.to + step:
        expected = _plain(prev.to + step)
        return f"{where}之间有空缺：{_plain(prev.to)} 之后应从 {expected} 开始"
    return None


def _check_ends(tiers: tuple[Tier, ...], check: _Check) -> None:
    if tiers[0].from_ != 0:
        check.add(_TIERS, f"[[{_TIERS}]] 第一档应从 0 开始，实为 {_plain(tiers[0].from_)}")
    if tiers[-1].to != 100:
        check.add(_TIERS, f"[[{_TIERS}]] 最后一档应到 100 为止，实为 {_plain(tiers[-1].to)}")


def _inverted(tiers: tuple[Tier, ...], check: _Check) -> set[int]:
    """Tiers whose from is above their to (reported)."""
    bad = {i for i, tier in enumerate(tiers, 1) if tier.from_ > tier.to}
    for i in sorted(bad):
        check.add(_TIERS, f"[[{_TIERS}]] 第 {i} 档 from 大于 to（{tiers[i - 1].describe()}）")
    return bad


def _unsorted(tiers: tuple[Tier, ...], check: _Check) -> bool:
    """Whether some tier starts below the one before it (reported)."""
    found = False
    for i in range(1, len(tiers)):
        prev, nxt = tiers[i - 1], tiers[i]
        if nxt.from_ < prev.from_:
            check.add(
                _TIERS,
                f"[[{_TIERS}]] 第 {i} 档（{prev.describe()}）与第 {i + 1} 档"
                f"（{nxt.describe()}）顺序颠倒：各档应按差错率从低到高排列",
            )
            found = True
    return found


def _check_layout(tiers: tuple[Tier, ...], precision: int, check: _Check) -> None:
    """Tiers start at 0, end at 100, each from <= to, sorted, no overlap, no gap."""
    _check_ends(tiers, check)
    skip = _off_grid(tiers, precision, check) | _inverted(tiers, check)
    if _unsorted(tiers, check):
        return  # gaps and overlaps only mean something once the tiers are in order
    # bounds are exact decimals on the grid of 10**-precision: these comparisons are exact
    step = Decimal(1).scaleb(-precision)
    for i in range(1, len(tiers)):
        if skip & {i, i + 1}:
            continue  # "after 4.5 should come 5.5" or "after 10-5 ..." would only confuse
        problem = _pair_problem(i, tiers[i - 1], tiers[i], step)
        if problem:
            check.add(_TIERS, problem)


# --- reading and merging -----------------------------------------------------------------

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _parse(name: str, text: str, problems: list[str]) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        found = _POSITION.search(detail)
        if found:
            line, column = found.groups()
            reason = detail[: found.start()]
            problems.append(f"{name}：第 {line} 行第 {column} 列不符合 TOML 格式（{reason}）")
        else:
            problems.append(f"{name}：不是有效的 TOML 格式（{detail}）")
        return {}


def _merge(
    base: dict[str, Any], over: dict[str, Any], name: str, origin: dict[str, str], path: str = ""
) -> dict[str, Any]:
    """``over`` on top of ``base``; tables merge key by key, anything else is replaced.

    ``origin`` records, for each replaced path, the file its value now comes from.
    """
    out = dict(base)
    for key, value in over.items():
        here = f"{path}.{key}" if path else key
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, name, origin, here)
        else:
            out[key] = value
            origin[here] = name
    return out


def _read_user(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(
            [f"{Path(path).name}：无法读取规则文件（{type(exc).__name__}）"], file=str(path)
        ) from exc


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _build(v: dict[str, Any], sources: tuple[tuple[str, str], ...]) -> AuditRules:
    d, r = v["deduction"], v["rewards"]
    c = r["clerk"]
    return AuditRules(
        targets={k: float(x) for k, x in v["targets"].items()},
        lower_is_better=frozenset(v["rates"]["lower_is_better"]),
        required=v["completeness"]["required"],
        collect_days=int(v["deadlines"]["collect_days"]),
        enter_days=int(v["deadlines"]["enter_days"]),
        cancel_days=int(v["deadlines"]["cancel_days"]),
        visit_days=int(v["deadlines"]["visit_days"]),
        deduction=Deduction(
            precision=int(d["precision"]),
            tiers=d["tiers"],
            per_unregistered_daily=d["per_unregistered_daily"],
            per_unregistered_struck=d["per_unregistered_struck"],
            cap=d["cap"],
        ),
        rewards=Rewards(
            tip=r["tip"],
            record=r["record"],
            committee_monthly=r["committee_monthly"],
            clerk=ClerkAllowance(
                base=c["base"],
                base_up_to=int(c["base_up_to"]),
                step_records=int(c["step_records"]),
                step_amount=c["step_amount"],
                cap=c["cap"],
                min_records=int(c["min_records"]),
            ),
        ),
        sources=sources,
    )


def _validate(doc: dict[str, Any], origin: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    check = _Check(origin)
    values = _walk(doc, _SCHEMA, "", check)
    deduction = values.get("deduction") or {}
    tiers, precision = deduction.get("tiers"), deduction.get("precision")
    if tiers is not None and precision is not None:
        before = len(check.problems)
        _check_layout(tiers, int(precision), check)
        # a user who changed only the precision must rewrite the shipped tiers too
        changed = check.source("deduction.precision")
        if len(check.problems) > before and SHIPPED == check.source(_TIERS) != changed:
            check.add(
                "deduction.precision",
                f"deduction.precision 改为 {int(precision)} 后，[[{_TIERS}]] 须在同一文件中"
                f"按 {int(precision)} 位小数整张重写",
            )
    return values, check.problems


def load_audit_rules(path: Path | None = None) -> AuditRules:
    """The shipped ``audit.toml``, with a user's rules file (if given) merged on top.

    Raises ``RulesError`` listing every problem found, each naming its file.
    """
    problems: list[str] = []
    text = resources.files("recon.rules").joinpath(SHIPPED).read_text(encoding="utf-8")
    sources = [(SHIPPED, _sha(text))]
    doc = _parse(SHIPPED, text, problems)
    origin = {"": SHIPPED}
    name = SHIPPED
    if path is not None:
        name = Path(path).name
        user_text = _read_user(path)
        sources.append((name, _sha(user_text)))
        doc = _merge(doc, _parse(name, user_text, problems), name, origin)
    if problems:  # a syntax error: nothing else can be checked
        raise RulesError(problems, file=name)
    values, problems = _validate(doc, origin)
    if problems:
        raise RulesError(problems, file=name)
    return _build(values, tuple(sources))
