"""Rules as data: header synonyms, status words, matching weights.

The shipped TOML files live beside this module. A user's mapping file (same
form as ``headers.toml``, plus an optional ``[columns]`` table naming header
texts directly) is merged on top. Every file is validated at load and every
error is reported at once, in Chinese, with the file it is in.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from recon.errors import RulesError
from recon.matchers import BLOCK_ONLY, BLOCK_PARTS, COMPARISONS
from recon.rules._audit import (
    AuditRules,
    ClerkAllowance,
    Deduction,
    Rewards,
    Tier,
    load_audit_rules,
    rate_tier,
    round_rate,
)
from recon.rules._fields import FIELDS
from recon.rules._houses import HOUSE_FIELDS, HouseRules, load_house_rules

__all__ = [
    "FIELDS",
    "HOUSE_FIELDS",
    "AuditRules",
    "BlockingRule",
    "ClerkAllowance",
    "Deduction",
    "HeaderMatch",
    "HeaderRules",
    "HouseRules",
    "MatchingRules",
    "OutputRules",
    "Rewards",
    "Rules",
    "StatusRules",
    "Tier",
    "header_label",
    "load_audit_rules",
    "load_house_rules",
    "load_rules",
    "matching_rules",
    "rate_tier",
    "round_rate",
]

_BRACKETED = re.compile(r"[（(【\[［<＜《][^）)】\]］>＞》]*[）)】\]］>＞》]")
_NOISE = re.compile(r"[\s*＊★☆:：.。、_\-]+")


def header_label(text: object) -> str:
    """A header cell as compared with the synonyms.

    Spaces, line breaks, "*" marks, trailing colons and bracketed notes such as
    "（必填）" are removed; full-width letters are folded; Latin lower-cased.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = _BRACKETED.sub("", s)
    s = _NOISE.sub("", s)
    return s.lower()


@dataclass(frozen=True)
class HeaderMatch:
    """Why a header may name a field: how (exact, weak, pattern, inside), and how much."""

    field: str
    score: float  # 0..1, exact synonym 1
    how: str  # "exact" | "weak" | "pattern" | "inside" | "mapping"
    synonym: str  # the synonym (or pattern) that matched, as written in the rules


_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class HeaderRules:
    labels: dict[str, str]  # normalised label -> field
    field_labels: dict[str, str]  # field -> Chinese name for messages
    columns: dict[str, str] = field(default_factory=dict)  # exact user overrides
    weak: dict[str, str] = field(default_factory=dict)  # normalised weak label -> field
    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()  # (field, regex on the label)
    excludes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> words
    parts: dict[str, str] = field(default_factory=dict)  # normalised sub-label -> part
    _seen: dict[str, list[HeaderMatch]] = field(
        default_factory=dict, compare=False, repr=False
    )  # header text -> candidates, computed once

    def candidates(self, text: object) -> list[HeaderMatch]:
        """Every field a header cell may name, best first.

        An exact synonym scores 1 (plus a little for a longer, more specific
        synonym), a weak one 0.8, a pattern 0.9; a Chinese synonym inside a
        longer header scores by how much of the header it covers, more at the
        end of the header (the head noun: 现居住地「详址」) than at its start.
        Headers holding an excluded word ("户主姓名", "身份证件名称") only
        match exactly.
        """
        raw = "" if text is None else str(text).strip()
        hit = self._seen.get(raw)
        if hit is None:
            hit = self._seen[raw] = self._candidates(raw)
        return list(hit)

    def _candidates(self, raw: str) -> list[HeaderMatch]:
        if raw in self.columns:
            f = self.columns[raw]
            return [HeaderMatch(f, 2.0, "mapping", raw)] if f else []
        label = header_label(raw)
        if not label:
            return []
        best: dict[str, HeaderMatch] = {}

        def offer(m: HeaderMatch) -> None:
            if m.field not in best or m.score > best[m.field].score:
                best[m.field] = m

        exact = self.labels.get(label)
        if exact:
            offer(HeaderMatch(exact, 1.0 + 0.01 * min(len(label), 8), "exact", label))
        weak = self.weak.get(label)
        if weak:
            offer(HeaderMatch(weak, 0.8, "weak", label))
        for fname, rx in self.patterns:
            if rx.search(label):
                offer(HeaderMatch(fname, 0.9, "pattern", rx.pattern))
        if _CJK.search(label) and len(label) > 2:
            for table, factor in ((self.labels, 1.0), (self.weak, 0.85)):
                for syn, fname in table.items():
                    if len(syn) < 2 or len(syn) >= len(label) or not _CJK.search(syn):
                        continue
                    at = label.rfind(syn)
                    if at < 0:
                        continue
                    cover = len(syn) / len(label)
                    suffix = at + len(syn) == len(label)
                    if cover < 0.4 and not suffix:
                        continue
                    excluded = self.excludes.get(fname, ())
                    if any(w in label and w not in syn for w in excluded):
                        continue
                    score = (0.45 + 0.35 * cover + (0.1 if suffix else 0.0)) * factor
                    offer(HeaderMatch(fname, round(score, 3), "inside", syn))
        return sorted(best.values(), key=lambda m: -m.score)

    def field_for(self, text: object) -> str | None:
        """The field a header cell names best, or None."""
        found = self.candidates(text)
        return found[0].field if found else None

    def part_for(self, text: object) -> str | None:
        """The address part a (sub-)header names: 省 -> province, 弄 -> lane, 房间号 -> room."""
        label = header_label(text)
        return self.parts.get(label) if label else None


@dataclass(frozen=True)
class StatusRules:
    active: frozenset[str]
    inactive: frozenset[str]
    flag_true: frozenset[str]
    flag_false: frozenset[str]


@dataclass(frozen=True)
class BlockingRule:
    """A blocking key (matching.toml's ``[[blocking]]``): the record parts it
    joins, and the rows it is for (``only``: at least one row of a proposed
    pair must be such a row; "" for any)."""

    name: str
    parts: tuple[str, ...]
    only: str = ""


@dataclass(frozen=True)
class MatchingRules:
    """Thresholds, weights per comparison level and blocking keys (matching.toml).

    Made by :func:`matching_rules`, which checks every level name against the
    comparisons the matcher has: a level without a weight, or a weight for a
    level no comparison gives, is refused rather than silently scored 0.
    """

    match: float
    review: float
    margin: float
    max_block: int
    weights: Mapping[str, Mapping[str, float]]
    blocking: tuple[BlockingRule, ...]

    def weight(self, item: str, level: str) -> float:
        return self.weights[item][level]

    def __reduce__(self) -> tuple[Any, ...]:
        # read-only mappings do not pickle: a worker process (the second core
        # loading the other side) gets plain dicts, wrapped again on arrival
        plain = {k: dict(v) for k, v in self.weights.items()}
        args = (self.match, self.review, self.margin, self.max_block, plain, self.blocking)
        return (_matching_rules, args)

    def __getitem__(self, key: str) -> Any:
        """The TOML tables by name (``rules["thresholds"]["match"]``), as before."""
        if key == "thresholds":
            return {
                "match": self.match,
                "review": self.review,
                "margin": self.margin,
                "max_block": self.max_block,
            }
        if key == "weights":
            return {k: dict(v) for k, v in self.weights.items()}
        if key == "blocking":
            return self.blocking
        raise KeyError(key)


def _matching_rules(
    match: float,
    review: float,
    margin: float,
    max_block: int,
    weights: dict[str, dict[str, float]],
    blocking: tuple[BlockingRule, ...],
) -> MatchingRules:
    return MatchingRules(
        match=match,
        review=review,
        margin=margin,
        max_block=max_block,
        weights=MappingProxyType({k: MappingProxyType(v) for k, v in weights.items()}),
        blocking=blocking,
    )


@dataclass(frozen=True)
class OutputRules:
    """Masking of printed worklists and when worklists are written (output.toml)."""

    mask: bool
    id_keep: tuple[int, int]
    phone_keep: tuple[int, int]
    mask_char: str
    pdf_max_rows: int
    blank_rows: int
    pdf_blank_rows: int = 2

    def mask_id(self, value: str) -> str:
        return _mask(value, *self.id_keep, self.mask_char) if self.mask else value

    def mask_phone(self, value: str) -> str:
        return _mask(value, *self.phone_keep, self.mask_char) if self.mask else value


def _mask(value: str, keep_start: int, keep_end: int, char: str) -> str:
    if not value or len(value) <= keep_start + keep_end:
        return value
    return value[:keep_start] + char * (len(value) - keep_start - keep_end) + value[-keep_end:]


@dataclass(frozen=True)
class Rules:
    """Every rules file in force, as typed sections."""

    headers: HeaderRules
    status: StatusRules
    matching: MatchingRules
    output: OutputRules
    audit: AuditRules
    sources: tuple[tuple[str, str], ...]  # (file name, sha256) of every rules file used

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for name, digest in self.sources:
            h.update(f"{name}:{digest}\n".encode())
        return h.hexdigest()


def _read_toml(name: str, text: str, problems: list[str]) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{name} 不是有效的 TOML 格式（{exc}）")
        return {}


def _shipped(name: str) -> str:
    return resources.files("recon.rules").joinpath(name).read_text(encoding="utf-8")


def _str_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where} 应为文字列表")
        return []
    return value


def _headers(docs: list[tuple[str, dict[str, Any]]], problems: list[str]) -> HeaderRules:
    labels: dict[str, str] = {}
    weak: dict[str, str] = {}
    patterns: list[tuple[str, re.Pattern[str]]] = []
    excludes: dict[str, tuple[str, ...]] = {}
    parts: dict[str, str] = {}
    field_labels: dict[str, str] = {}
    columns: dict[str, str] = {}
    for name, doc in docs:
        shipped = name == docs[0][0]
        fields = doc.get("fields", {})
        if not isinstance(fields, dict):
            problems.append(f"{name}：[fields] 应为表")
            continue
        for fname, spec in fields.items():
            if fname not in FIELDS:
                problems.append(f"{name}：未知字段「{fname}」（可用：{'、'.join(FIELDS)}）")
                continue
            if not isinstance(spec, dict):
                problems.append(f"{name}：[fields.{fname}] 应为表")
                continue
            if "label" in spec:
                field_labels[fname] = str(spec["label"])
            for kind, table in (("synonyms", labels), ("weak", weak)):
                for syn in _str_list(
                    spec.get(kind, []), f"{name}：fields.{fname}.{kind}", problems
                ):
                    key = header_label(syn)
                    if not key:
                        continue
                    other = labels.get(key) or weak.get(key)
                    if other and other != fname and shipped:
                        problems.append(f"{name}：表头「{syn}」同时属于 {other} 和 {fname}")
                    # a user's file overrides the shipped one
                    labels.pop(key, None)
                    weak.pop(key, None)
                    table[key] = fname
            for text in _str_list(
                spec.get("patterns", []), f"{name}：fields.{fname}.patterns", problems
            ):
                try:
                    patterns.append((fname, re.compile(text)))
                except re.error as exc:
                    problems.append(
                        f"{name}：fields.{fname}.patterns 中「{text}」不是有效的正则式（{exc}）"
                    )
            words = _str_list(spec.get("exclude", []), f"{name}：fields.{fname}.exclude", problems)
            if words:
                excludes[fname] = tuple(dict.fromkeys([*excludes.get(fname, ()), *words]))
        part_table = doc.get("parts", {})
        if not isinstance(part_table, dict):
            problems.append(f"{name}：[parts] 应为表")
        else:
            for part, texts in part_table.items():
                for text in _str_list(texts, f"{name}：parts.{part}", problems):
                    if header_label(text):
                        parts[header_label(text)] = str(part)
        cols = doc.get("columns", {})
        if not isinstance(cols, dict):
            problems.append(f"{name}：[columns] 应为表")
            continue
        for header, fname in cols.items():
            if not isinstance(fname, str) or (fname and fname not in FIELDS):
                problems.append(f"{name}：列「{header}」对应的字段「{fname}」未知")
                continue
            columns[str(header).strip()] = fname
    for fname in FIELDS:
        field_labels.setdefault(fname, fname)
    return HeaderRules(
        labels=labels,
        field_labels=field_labels,
        columns=columns,
        weak=weak,
        patterns=tuple(patterns),
        excludes=excludes,
        parts=parts,
    )


def _status(docs: list[tuple[str, dict[str, Any]]], problems: list[str]) -> StatusRules:
    """Status words of status.toml; a mapping file's [status] table adds to them.

    A word the user lists as active is taken out of the shipped inactive
    list and the other way round, so a local word can be reclassified.
    """
    found: dict[str, set[str]] = {
        k: set() for k in ("active", "inactive", "flag_true", "flag_false")
    }
    for name, doc in docs:
        table = doc if name == "status.toml" else doc.get("status", {})
        if not isinstance(table, dict):
            problems.append(f"{name}：[status] 应为表")
            continue
        for key in found:
            items = _str_list(table.get(key, []), f"{name}：{key}", problems)
            words = {re.sub(r"\s+", "", w).lower() for w in items}
            if name != "status.toml":
                other = {
                    "active": "inactive",
                    "inactive": "active",
                    "flag_true": "flag_false",
                    "flag_false": "flag_true",
                }[key]
                found[other] -= words
            found[key] |= words
        unknown = set(table) - set(found)
        if name != "status.toml" and unknown:
            problems.append(f"{name}：[status] 中未知的项：{'、'.join(sorted(unknown))}")
    rules = StatusRules(
        active=frozenset(found["active"]),
        inactive=frozenset(found["inactive"]),
        flag_true=frozenset(found["flag_true"]),
        flag_false=frozenset(found["flag_false"]),
    )
    both = rules.active & rules.inactive
    if both:
        problems.append(f"status.toml：状态词同时列为有效和注销：{'、'.join(sorted(both))}")
    return rules


_THRESHOLDS = {"match": float, "review": float, "margin": float, "max_block": int}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _matching(
    doc: dict[str, Any],
    problems: list[str],
    name: str = "matching.toml",
    levels: Mapping[str, Iterable[str]] | None = None,
    parts: Iterable[str] | None = None,
    only: Iterable[str] | None = None,
) -> MatchingRules:
    """Check matching.toml against the matcher's comparisons and key parts.

    ``levels``: comparison item -> its level names; ``parts`` / ``only``: the
    names a blocking rule may use. The matcher passes them in (this module
    does not import the matchers). Every problem names the file, the table
    and the key.
    """
    for key in sorted(set(doc) - {"thresholds", "weights", "blocking"}):
        problems.append(f"{name}：未知的表 [{key}]")
    th = doc.get("thresholds", {})
    if not isinstance(th, dict):
        problems.append(f"{name}：[thresholds] 应为表")
        th = {}
    values: dict[str, float] = {}
    for key, kind in _THRESHOLDS.items():
        v = th.get(key)
        if v is None:
            problems.append(f"{name}：[thresholds] 缺少 {key}")
        elif not _number(v) or (kind is int and (not isinstance(v, int) or v < 1)):
            what = "正整数" if kind is int else "数字"
            problems.append(f"{name}：[thresholds] 的 {key} 应为{what}")
        else:
            values[key] = v
    for key in sorted(set(th) - set(_THRESHOLDS)):
        problems.append(f"{name}：[thresholds] 中未知的项 {key}")
    if {"match", "review"} <= set(values) and values["review"] > values["match"]:
        problems.append(f"{name}：[thresholds] 的 review 不应大于 match")

    weights: dict[str, dict[str, float]] = {}
    table = doc.get("weights", {})
    if not isinstance(table, dict):
        problems.append(f"{name}：[weights] 应为表")
        table = {}
    known = {k: tuple(v) for k, v in levels.items()} if levels is not None else None
    for item, spec in table.items():
        if known is not None and item not in known:
            names = "、".join(known)
            problems.append(f"{name}：[weights.{item}] 不是已知的比对项（可用：{names}）")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{name}：[weights.{item}] 应为表")
            continue
        weights[item] = {}
        for level, v in spec.items():
            if known is not None and level not in known[item]:
                problems.append(
                    f"{name}：[weights.{item}] 的 {level} 不是该比对项的级别"
                    f"（可用：{'、'.join(known[item])}）"
                )
            elif not _number(v):
                problems.append(f"{name}：[weights.{item}] 的 {level} 应为数字")
            else:
                weights[item][level] = float(v)
    for item, item_levels in (known or {}).items():
        if item not in table:
            problems.append(f"{name}：缺少表 [weights.{item}]")
            continue
        for level in item_levels:
            if isinstance(table[item], dict) and level not in table[item]:
                problems.append(f"{name}：[weights.{item}] 缺少级别 {level} 的权重")

    blocking: list[BlockingRule] = []
    rules = doc.get("blocking", [])
    allowed_parts = set(parts) if parts is not None else None
    allowed_only = set(only) if only is not None else None
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        problems.append(f"{name}：blocking 应写成 [[blocking]] 表")
        rules = []
    seen: set[str] = set()
    for i, rule in enumerate(rules, start=1):
        where = f"{name}：第 {i} 个 [[blocking]]"
        rname, rparts, ronly = rule.get("name"), rule.get("parts"), rule.get("only", "")
        if not isinstance(rname, str) or not rname:
            problems.append(f"{where} 缺少 name")
            rname = f"#{i}"
        elif rname in seen:
            problems.append(f"{where} 的 name「{rname}」重复")
        seen.add(rname)
        for key in sorted(set(rule) - {"name", "parts", "only"}):
            problems.append(f"{where}（{rname}）中未知的项 {key}")
        if (
            not isinstance(rparts, list)
            or not rparts
            or not all(isinstance(p, str) for p in rparts)
        ):
            problems.append(f"{where}（{rname}）的 parts 应为非空文字列表")
            continue
        bad = [p for p in rparts if allowed_parts is not None and p not in allowed_parts]
        if bad:
            problems.append(
                f"{where}（{rname}）的 parts 中未知的项：{'、'.join(bad)}"
                f"（可用：{'、'.join(sorted(allowed_parts or ()))}）"
            )
        if not isinstance(ronly, str) or (
            ronly and allowed_only is not None and ronly not in allowed_only
        ):
            problems.append(
                f"{where}（{rname}）的 only「{ronly}」未知"
                f"（可用：{'、'.join(sorted(allowed_only or ()))}）"
            )
            ronly = ""
        blocking.append(BlockingRule(name=rname, parts=tuple(rparts), only=ronly))
    return MatchingRules(
        match=float(values.get("match", 0.0)),
        review=float(values.get("review", 0.0)),
        margin=float(values.get("margin", 0.0)),
        max_block=int(values.get("max_block", 1)),
        weights=MappingProxyType({k: MappingProxyType(v) for k, v in weights.items()}),
        blocking=tuple(blocking),
    )


def _matcher_names() -> dict[str, Any]:
    """Level names and key parts of the matcher (the matchers import this
    module for type annotations only, so the dependency runs one way)."""
    return {
        "levels": {c.item: tuple(c.words) for c in COMPARISONS},
        "parts": BLOCK_PARTS,
        "only": BLOCK_ONLY,
    }


def matching_rules(text: str, name: str = "matching.toml") -> MatchingRules:
    """A matching rules file's text, checked against the matcher; every
    problem is reported at once (:class:`RulesError`)."""
    problems: list[str] = []
    doc = _read_toml(name, text, problems)
    rules = _matching(doc, problems, name, **_matcher_names()) if not problems else None
    if problems or rules is None:
        raise RulesError(problems, file=name)
    return rules


def _output(docs: list[dict[str, Any]], problems: list[str]) -> OutputRules:
    """output.toml, with a mapping file's [masking] / [worklist] tables on top."""
    masking: dict[str, Any] = {}
    worklist: dict[str, Any] = {}
    for doc in docs:
        for table, target in (("masking", masking), ("worklist", worklist)):
            part = doc.get(table, {})
            if isinstance(part, dict):
                target.update(part)
            else:
                problems.append(f"[{table}] 应为表")

    def number(table: dict[str, Any], key: str, default: int) -> int:
        value = table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"output.toml：{key} 应为非负整数")
            return default
        return value

    char = masking.get("mask_char", "*")
    if not isinstance(char, str) or len(char) != 1:
        problems.append("output.toml：mask_char 应为一个字符")
        char = "*"
    enabled = masking.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append("output.toml：enabled 应为 true 或 false")
        enabled = True
    return OutputRules(
        mask=enabled,
        id_keep=(number(masking, "id_keep_start", 6), number(masking, "id_keep_end", 4)),
        phone_keep=(number(masking, "phone_keep_start", 3), number(masking, "phone_keep_end", 4)),
        mask_char=char,
        pdf_max_rows=number(worklist, "pdf_max_rows", 20000),
        blank_rows=number(worklist, "blank_rows", 10),
        pdf_blank_rows=number(worklist, "pdf_blank_rows", 2),
    )


def load_rules(mapping: Path | None = None, audit: Path | None = None) -> Rules:
    """The shipped rules, with a user's header mapping file and audit rules file
    (each optional) merged on top. Every problem is reported at once."""
    problems: list[str] = []
    sources: list[tuple[str, str]] = []
    docs: dict[str, dict[str, Any]] = {}
    for name in ("headers.toml", "status.toml", "matching.toml", "output.toml"):
        text = _shipped(name)
        sources.append((name, hashlib.sha256(text.encode()).hexdigest()))
        docs[name] = _read_toml(name, text, problems)
    header_docs = [("headers.toml", docs["headers.toml"])]
    if mapping is not None:
        try:
            text = Path(mapping).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(
                [f"无法读取映射文件（{type(exc).__name__}）"], file=str(mapping)
            ) from exc
        sources.append((Path(mapping).name, hashlib.sha256(text.encode()).hexdigest()))
        header_docs.append((Path(mapping).name, _read_toml(Path(mapping).name, text, problems)))
    headers = _headers(header_docs, problems)
    status = _status([("status.toml", docs["status.toml"]), *header_docs[1:]], problems)
    matching = _matching(docs["matching.toml"], problems, **_matcher_names())
    output = _output([docs["output.toml"], *(d for _, d in header_docs[1:])], problems)
    if problems:
        raise RulesError(problems, file=Path(mapping).name if mapping else "")
    audit_rules = load_audit_rules(audit)
    return Rules(
        headers=headers,
        status=status,
        matching=matching,
        output=output,
        audit=audit_rules,
        sources=(*sources, *audit_rules.sources),
    )
