"""Sampling checks (抽查): draw whole houses, print check sheets, read them back.

``draw_sample`` picks, per 居委, N houses at random (seeded, so the same
seed draws the same houses from the same result) among every house the
field sheets or the active system records know. A check sheet lists, house
by house, the people the system holds as living there (从机到人: is each
still here, are the details right and complete?) and leaves lines for the
people found there who are not on the list (从人到机: are they registered?).

``read_checks`` reads filled sheets back and ``check_rates`` turns them into
rates per 居委 with Wilson confidence intervals, and what they say about
the whole 居委 (the rate applied to its number of active records). The
houses are a cluster sample: people of one house are not independent, so
the intervals are on the optimistic side; the README says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from recon.audit._data import TOTAL, AuditData, read_audit_data
from recon.csvio import read_csv
from recon.errors import InputError, UsageError, Where
from recon.forms import (
    FormColumn,
    FormLine,
    FormSpec,
    RowKind,
    read_boxes,
    read_form,
    write_form,
)
from recon.loaders import collect_files, committee_key
from recon.normalize.address import walk_order
from recon.normalize.ids import parse_id
from recon.outdir import keep_aside, remember_form, replace_file
from recon.resultdir import CHECK_WORKBOOK, MATCH_TABLES, SUMMARY
from recon.rules import OutputRules, load_rules

__all__ = [
    "CHECK_WORKBOOK",
    "CheckResults",
    "check_rates",
    "draw_sample",
    "read_checks",
    "wilson",
    "write_check_workbook",
]

RECORD_SHEET = "_抽查记录"
INFO_SHEET = "_抽样说明"
BLANK = "□"
NEW_PREFIX = "新增-"
OPTIONS = ("在住", "已离开", "信息有误", "信息不全")
LAYOUT: list[tuple[str, str, float, str]] = [
    ("seq", "序号", 5, "int"),
    ("name", "姓名", 9, "text"),
    ("sex", "性别", 4, "check"),
    ("id_print", "身份证号", 19, "id"),
    ("address", "登记住址", 26, "wrap"),
    ("c0", OPTIONS[0], 5, "check"),
    ("c1", OPTIONS[1], 6, "check"),
    ("c2", OPTIONS[2], 7, "check"),
    ("c3", OPTIONS[3], 7, "check"),
    ("remark", "备注", 16, "wrap"),
    ("key", "记录号", 10, "key"),
]
HEADERS = [h for _, h, _, _ in LAYOUT]
CHECK_FORM = FormSpec(
    workbook=CHECK_WORKBOOK,
    title="{group} 抽查单",
    columns=tuple(
        FormColumn(c, h, w, kind, tick=c.startswith("c") and c[1:].isdigit())
        for c, h, w, kind in LAYOUT
    ),
    notes=(
        "到每户核对名单上的人：在住或已离开选一栏打 √；在住的人信息与证件不符打"
        "「信息有误」，有项目未登记打「信息不全」。户内住着、名单上没有的人，"
        "在该户下面的空行写上姓名、性别和身份证号。「记录号」不要改动。"
    ),
    centre="抽查单",
    footer="&L检查人签名：________________&R检查日期：________________",
    record_sheet=RECORD_SHEET,
    extra_sheets=(INFO_SHEET,),
)


# --- drawing -----------------------------------------------------------------------


def _people(folder: Path) -> pd.DataFrame:
    """Name, sex, ID and address of every active system row the result lists."""
    frames = []
    for name in (MATCH_TABLES[k] for k in ("matches", "system_only", "review")):
        path = folder / name
        if not path.is_file():
            continue
        t = read_csv(path)
        if not len(t) or "system_row" not in t:
            continue
        frames.append(
            pd.DataFrame(
                {
                    "file": t["system_file"],
                    "sheet": t["system_sheet"],
                    "row": t["system_row"],
                    "name": t.get("system_name", ""),
                    "sex": t.get("system_sex", ""),
                    "id": t.get("system_id", ""),
                    "address": t.get("system_address", ""),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["file", "sheet", "row", "name", "sex", "id", "address"])
    people = pd.concat(frames, ignore_index=True).fillna("")
    people = people.drop_duplicates(["file", "sheet", "row"]).reset_index(drop=True)
    people["sex"] = _sex(folder, people)
    return people


def _sex(folder: Path, people: pd.DataFrame) -> pd.Series:
    """The system's sex of each person. ``matches.csv`` carries no sex: where the
    pair differs on it, ``differences.csv`` says what the system holds; where it
    agrees, the sex the ID spells is the system's too (a disagreement with the
    ID is a finding, rare)."""
    sex = people["sex"].astype(str).str.strip()
    path = folder / MATCH_TABLES["differences"]
    if path.is_file():
        d = read_csv(path)
        if len(d) and {"item", "system_value", "system_row"} <= set(d.columns):
            d = d[d["item"].eq("性别") & d["system_value"].ne("")]
            said = {
                (f, s, r): v
                for f, s, r, v in zip(
                    d["system_file"], d["system_sheet"], d["system_row"], d["system_value"],
                    strict=True,
                )
            }  # fmt: skip
            keys = zip(people["file"], people["sheet"], people["row"], strict=True)
            from_diff = pd.Series([said.get(k, "") for k in keys], index=people.index)
            sex = sex.where(sex.ne(""), from_diff)
    ids = people["id"].astype(str)
    by_id = {i: parse_id(i).sex for i in ids[sex.eq("")].unique()}
    return sex.where(sex.ne(""), ids.map(by_id).fillna(""))


def _houses(data: AuditData) -> pd.DataFrame:
    """Every (居委, house) the field rows or the active system rows know."""
    ledger = data.ledger
    known = ledger["house"].ne("") & (
        (ledger["side"].eq("field") & ledger["outcome"].isin(["matched", "field_only", "review"]))
        | (
            ledger["side"].eq("system")
            & ledger["outcome"].isin(["matched", "system_only", "review"])
        )
    )
    houses = ledger.loc[known, ["committee", "house"]].drop_duplicates()
    return houses.sort_values(["committee", "house"]).reset_index(drop=True)


def draw_sample(
    data: AuditData,
    houses_per_committee: int,
    seed: int,
    committees: list[str] | None = None,
) -> pd.DataFrame:
    """The sampled houses and the active system people living in each.

    One row per listed person (``listed`` True) and one row per sampled
    house with nobody listed (``listed`` False), in walking order.
    """
    if houses_per_committee < 1:
        raise UsageError("每个居委抽查的户数应至少为 1", hint="例如 --houses 30")
    houses = _houses(data)
    if committees:
        wanted = {committee_key(c) for c in committees}
        houses = houses[houses["committee"].map(committee_key).isin(wanted)]
        if houses.empty:
            raise UsageError(
                f"数据中没有这些居委：{'、'.join(committees)}",
                hint="请检查 --committee 的写法",
            )
    rng = np.random.default_rng(seed)
    drawn = []
    for committee, group in houses.groupby("committee", sort=True):
        k = min(houses_per_committee, len(group))
        pick = np.sort(rng.choice(len(group), size=k, replace=False))
        drawn.append(group.iloc[pick].assign(committee=committee))
    sample = pd.concat(drawn, ignore_index=True) if drawn else houses.iloc[:0]
    sample = sample.iloc[walk_order(sample["house"], sample["committee"])].reset_index(drop=True)
    sample["house_no"] = [f"H{i:03d}" for i in range(1, len(sample) + 1)]

    ledger = data.ledger
    active = ledger[
        ledger["side"].eq("system") & ledger["outcome"].isin(["matched", "system_only", "review"])
    ]
    # the person's details come from the result's tables below (with the
    # matched partner's sex), not from the ledger's own copy
    place = ["side", "file", "sheet", "row", "committee", "outcome", "house"]
    listed = active[place].merge(sample, on=["committee", "house"])
    people = _people(data.folder)
    listed = listed.merge(people, on=["file", "sheet", "row"], how="left").fillna("")
    listed = listed.assign(listed=True)
    empty = sample[~sample["house_no"].isin(listed["house_no"])].assign(listed=False)
    out = pd.concat([listed, empty], ignore_index=True).fillna("")
    out["order"] = out["house_no"].str.slice(1).astype(int)
    out = out.sort_values(["order", "listed"], ascending=[True, False], kind="stable")
    out["key"] = [
        "C" + hashlib.sha1(f"{f}|{s}|{r}".encode()).hexdigest()[:8].upper() if is_listed else ""
        for f, s, r, is_listed in zip(
            out["file"], out["sheet"], out["row"], out["listed"], strict=True
        )
    ]
    return out.drop(columns=["order"]).reset_index(drop=True)


# --- the check sheets --------------------------------------------------------------


def _committee_rows(people: pd.DataFrame, output: OutputRules, extra_rows: int) -> pd.DataFrame:
    """One 居委's lines: a heading per house, its listed people, blank lines."""
    rows: list[dict[str, object]] = []
    seq = 0
    for house_no, group in people.groupby("house_no", sort=False):
        listed = group[group["listed"].astype(bool)]
        address = listed["address"].iloc[0] if len(listed) else group["house"].iloc[0]
        rows.append(
            {
                "name": f"{house_no}  {address or group['house'].iloc[0]}（名单 {len(listed)} 人）",
                "_kind": RowKind.HEADING,
            }
        )
        for person in listed.itertuples(index=False):
            seq += 1
            rows.append(
                {
                    "seq": str(seq),
                    "name": person.name,
                    "sex": person.sex,
                    "id_print": output.mask_id(str(person.id)),
                    "address": person.address,
                    "key": person.key,
                    "_kind": RowKind.PERSON,
                }
            )
        for _ in range(extra_rows):
            rows.append({"key": NEW_PREFIX + str(house_no), "_kind": RowKind.BLANK})
    return pd.DataFrame(rows)


def write_check_workbook(
    sample: pd.DataFrame,
    path: Path,
    output: OutputRules,
    info: dict[str, Any],
    extra_rows: int = 2,
) -> None:
    """抽查单.xlsx: a printable sheet per 居委, and the hidden record of the draw."""
    groups = [
        (str(committee), _committee_rows(people, output, extra_rows))
        for committee, people in sample.groupby("committee", sort=True)
    ]
    record = sample[sample["listed"].astype(bool)]
    records = pd.DataFrame(
        {
            "记录号": record["key"],
            "居委": record["committee"],
            "户号": record["house_no"],
            "系统文件": record["file"],
            "系统工作表": record["sheet"],
            "系统行号": record["row"],
        }
    )
    houses = sample.drop_duplicates("house_no")
    draw = pd.DataFrame(
        {
            "户号": houses["house_no"],
            "居委": houses["committee"],
            "名单人数": houses["house_no"]
            .map(record.groupby("house_no").size())
            .fillna(0)
            .astype(int)
            .astype(str),
            "抽样": json.dumps(info, ensure_ascii=False),
        }
    )
    title = f"{{group}} 抽查单（{info['houses']} 户，随机种子 {info['seed']}）"
    spec = replace(CHECK_FORM, title=title)
    write_form(spec, groups, records, path, hidden={INFO_SHEET: draw})


# --- reading filled sheets back ------------------------------------------------------


@dataclass
class CheckResults:
    """What the filled check sheets say."""

    listed: pd.DataFrame  # key, committee, house_no, system file/sheet/row, ticks
    found: pd.DataFrame  # committee, house_no, name, id, registered
    houses: pd.DataFrame  # house_no, committee, listed count
    problems: list[dict[str, Any]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


def _system_ids(folder: Path) -> set[str]:
    ids: set[str] = set()
    for name in (MATCH_TABLES[k] for k in ("matches", "system_only", "review")):
        path = folder / name
        if path.is_file():
            t = read_csv(path)
            if "system_id" in t:
                ids.update(t["system_id"].astype(str))
    ids.discard("")
    return ids


def read_checks(paths: list[Path], match_dir: Path) -> CheckResults:
    """Filled 抽查单 workbooks (files or folders) -> ticks per listed person, people found.

    Each copy is read as a form (``recon.forms.read_form``: the loaders'
    reader, so a damaged or locked copy gets their message); a copy given
    twice (the same bytes) is read once; marks are read as on every form
    (``recon.forms.mark_state``, see ``_ticks``)."""
    registered = _system_ids(Path(match_dir))
    listed: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    houses = pd.DataFrame()
    records = pd.DataFrame()
    info: dict[str, Any] = {}
    seen: set[str] = set()  # a copy given twice is read once
    for path in collect_files(paths):
        form = read_form(CHECK_FORM, [path])
        if form.digests.get(path.name) in seen:
            continue
        seen.update(form.digests.values())
        meta = form.hidden.get(INFO_SHEET, pd.DataFrame())
        if not len(meta):
            raise InputError(
                "这不是 recon sample 生成的抽查单（没有隐藏的抽样记录页）",
                Where(file=path.name),
                "请用 recon sample 生成的抽查单填写",
            )
        records = pd.concat([records, form.records], ignore_index=True)
        houses = pd.concat([houses, meta], ignore_index=True)
        info = json.loads(str(meta["抽样"].iloc[0]))
        for get in form.lines():
            key, where = get.key, get.where
            ticks = _ticks(get, where, problems)
            if key.startswith("C"):
                if ticks["在住"] and ticks["已离开"]:
                    problems.append(_problem(where, "在住", "在住和已离开都打了勾，按未核查计"))
                    ticks["在住"] = ticks["已离开"] = False
                listed.append(
                    {"key": key, **ticks, "file": where[0], "sheet": where[1], "row": where[2]}
                )
            elif key.startswith(NEW_PREFIX) and (get("姓名") or get("身份证号")):
                info_id = parse_id(get("身份证号"))
                found.append(
                    {
                        "house_no": key[len(NEW_PREFIX) :],
                        "registered": bool(info_id.valid and info_id.id in registered),
                        "id_valid": bool(info_id.valid),
                        "file": where[0],
                        "sheet": where[1],
                        "row": where[2],
                    }
                )
                if not info_id.valid:
                    problems.append(
                        _problem(where, "身份证号", "新发现人员的身份证号无效，按未登记计")
                    )
    if not len(houses):
        raise InputError("没有读到任何抽查单", hint="请指定 recon sample 生成、填好的抽查单")
    houses = houses.drop_duplicates("户号")
    committee_of = dict(zip(houses["户号"], houses["居委"], strict=True))
    records = records.drop_duplicates("记录号")
    listed_frame = pd.DataFrame(listed, columns=["key", *OPTIONS, "file", "sheet", "row"])
    listed_frame = listed_frame.drop_duplicates("key", keep="first")
    listed_frame = records.rename(
        columns={"记录号": "key", "居委": "committee", "户号": "house_no"}
    ).merge(listed_frame, on="key", how="left")
    for option in OPTIONS:
        listed_frame[option] = listed_frame[option].fillna(False).astype(bool)
    found_frame = pd.DataFrame(
        found, columns=["house_no", "registered", "id_valid", "file", "sheet", "row"]
    )
    found_frame["committee"] = found_frame["house_no"].map(committee_of).fillna("")
    return CheckResults(listed_frame, found_frame, houses, problems, info)


def _ticks(
    get: FormLine, where: tuple[str, str, int], problems: list[dict[str, Any]]
) -> dict[str, bool]:
    """The boxes of one line, read as every form's are (``recon.forms.mark_state``):
    a × beside a √ only says "not this one"; a lone ○ counts as the tick and is
    listed to confirm; ○ in several boxes, or only ×, decides nothing and is
    listed."""
    boxes = read_boxes(get, OPTIONS)
    for option in boxes.having("unknown"):
        problems.append(_problem(where, option, f"看不懂的标记「{boxes.texts[option]}」"))
    ticked = boxes.ticked
    circled, crossed = boxes.having("circle"), boxes.having("no")
    if not ticked and len(circled) == 1:
        ticked = circled
        problems.append(
            _problem(
                where, circled[0], f"把「○」当作在「{circled[0]}」打勾（○ 也可能表示没选）：请核实"
            )
        )
    elif not ticked and circled:
        problems.append(
            _problem(where, circled[0], f"{'、'.join(circled)} 都画了 ○，看不出选了哪一栏：请打 √")
        )
    elif not ticked and crossed and not boxes.having("unknown"):
        only = "、".join(crossed)
        problems.append(
            _problem(where, crossed[0], f"只在「{only}」打了 ×，没有打 √：按未核查计，请核实")
        )
    return {option: option in ticked for option in OPTIONS}


def _problem(where: tuple[str, str, int], column: str, text: str) -> dict[str, Any]:
    return {"file": where[0], "sheet": where[1], "row": where[2], "column": column, "problem": text}


# --- rates ---------------------------------------------------------------------------


def wilson(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (NaN, NaN when n is 0)."""
    if n <= 0:
        return float("nan"), float("nan")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    centre = p + z * z / (2 * n)
    margin = z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    denom = 1 + z * z / n
    return max(0.0, (centre - margin) / denom), min(1.0, (centre + margin) / denom)


CHECK_RATES = [
    ("check_registration", "抽查来登率", "在住且已登记", "在住人员（名单上在住的 + 现场发现的）"),
    ("check_stale", "名单不实率", "名单上已离开未注销", "名单上已核查的人"),
    ("check_accuracy", "抽查准确率", "信息无误", "名单上在住的人"),
    ("check_completeness", "抽查完整率", "信息齐全", "名单上在住的人"),
    ("check_errors", "抽查差错率", "差错（错登、漏登、不及时）", "检查人数"),
]


def check_rates(checks: CheckResults, data: AuditData) -> pd.DataFrame:
    """Per 居委 and 合计: each check rate with numerator, denominator, Wilson
    interval, and the number it implies among the 居委's active records."""
    listed, found = checks.listed, checks.found
    active = data.system[data.system["outcome"].isin(["matched", "system_only", "review"])]
    population = active.groupby("committee").size()
    committees = sorted(set(listed["committee"]) | set(found["committee"]))
    rows = []
    for committee in [*committees, TOTAL]:
        mine = listed if committee == TOTAL else listed[listed["committee"] == committee]
        new = found if committee == TOTAL else found[found["committee"] == committee]
        living = mine["在住"]
        visited = mine["在住"] | mine["已离开"]
        unregistered = int((~new["registered"].astype(bool)).sum())
        wrong = living & (mine["信息有误"] | mine["信息不全"])
        counts = {
            "check_registration": (
                int(living.sum()) + int(new["registered"].astype(bool).sum()),
                int(living.sum()) + len(new),
            ),
            "check_stale": (int(mine["已离开"].sum()), int(visited.sum())),
            "check_accuracy": (int((living & ~mine["信息有误"]).sum()), int(living.sum())),
            "check_completeness": (int((living & ~mine["信息不全"]).sum()), int(living.sum())),
            "check_errors": (
                int(mine["已离开"].sum()) + int(wrong.sum()) + unregistered,
                int(visited.sum()) + len(new),
            ),
        }
        pop = int(population.sum() if committee == TOTAL else population.get(committee, 0))
        for key, label, _num, _den in CHECK_RATES:
            num, den = counts[key]
            low, high = wilson(num, den)
            rate = num / den if den else float("nan")
            rows.append(
                {
                    "居委": committee,
                    "指标": label,
                    "key": key,
                    "分子": num,
                    "分母": den,
                    "比率": rate,
                    "下限": low,
                    "上限": high,
                    "有效记录数": pop,
                }
            )
    return pd.DataFrame(rows)


def sample_info(seed: int, houses: int, data: AuditData) -> dict[str, Any]:
    return {
        "seed": seed,
        "houses": houses,
        "drawn_on": dt.date.today().isoformat(),
        "result_finished_at": data.summary.get("finished_at", ""),
    }


def default_seed() -> int:
    """A seed from the date and time, printed so the draw can be repeated."""
    return int(re.sub(r"\D", "", dt.datetime.now().strftime("%Y%m%d%H%M")))


@dataclass
class DrawnSample:
    path: Path
    seed: int
    committees: int
    houses: int
    people: int


def _recorded_sha(folder: Path, name: str) -> str | None:
    """The fingerprint recon noted for ``name`` when it wrote it into ``folder``."""
    try:
        summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
        sha = summary.get("worklists", {}).get(name)
    except (OSError, ValueError, AttributeError):
        return None
    return sha if isinstance(sha, str) else None


def draw_and_write_sample(
    match_dir: Path,
    houses: int,
    seed: int | None = None,
    out: Path | None = None,
    committees: list[str] | None = None,
    mask: bool = True,
    force: bool = False,
) -> DrawnSample:
    """`recon sample`: draw and write 抽查单.xlsx (never over a filled one without force)."""
    import dataclasses
    import os
    import shutil

    data = read_audit_data(match_dir)
    seed = default_seed() if seed is None else seed
    sample = draw_sample(data, houses, seed, committees)
    target = Path(out) if out else data.folder
    path = target / CHECK_WORKBOOK
    if path.exists() and not force:
        raise UsageError(
            "抽查单已存在（可能已经填写），不会覆盖",
            Where(file=str(path)),
            "请用 --out 写到另一个文件夹；如要重新抽，请加 --force"
            "（原来的抽查单会另存为「抽查单（已填写 日期 时间）.xlsx」）",
        )
    output = load_rules().output
    if not mask:
        output = dataclasses.replace(output, mask=False)
    target.mkdir(parents=True, exist_ok=True)
    stage = target / f".sample.part-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        write_check_workbook(
            sample, stage / CHECK_WORKBOOK, output, sample_info(seed, houses, data)
        )
        recorded = _recorded_sha(target, CHECK_WORKBOOK)
        keep_aside(path, recorded)  # a filled 抽查单 is never overwritten, even with force
        replace_file(stage / CHECK_WORKBOOK, path)
        remember_form(target, CHECK_WORKBOOK)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return DrawnSample(
        path=path,
        seed=seed,
        committees=int(sample["committee"].nunique()),
        houses=int(sample["house_no"].nunique()),
        people=int(sample["listed"].astype(bool).sum()),
    )
