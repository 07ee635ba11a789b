"""Worklists for the field loop: 入户核查单 and 待人工确认单.

* 入户核查单 (机到人): one sheet per 居委, people in the order a person walks
  (road, lane, building, room), a heading line per building, three tick
  columns (仍居住 / 已离开 / 信息有误), room to write where someone went,
  and a stable 记录号 so that a filled sheet is read back without guessing,
  however it was re-sorted. A very hidden sheet keeps each 记录号's full
  record (the printed sheet masks ID numbers and phones). At the end of each
  sheet, empty lines for people met at a visited door who are not
  registered. The same lists as PDF, one file per 居委 (see
  recon.writers.worklist_pdf: the building as a merged first column, a few
  empty lines at the end of every page, the Chinese font embedded).
* 待人工确认单: the review pairs side by side, with 是同一人 / 不是同一人 to
  tick; read back by ``recon match --decisions``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import SynchronizedArray
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from recon.forms import (
    BLANK_BOX,
    PAIR_SHEET,
    RECORD_COLUMNS,
    RECORD_SHEET,
    FormColumn,
    FormSpec,
    RowKind,
    record_key,
    write_form,
)
from recon.normalize.address import normalize_addresses, walk_order
from recon.resultdir import REVIEW_WORKBOOK, VISIT_PDF_FOLDER, VISIT_WORKBOOK
from recon.rules import OutputRules
from recon.writers.worklist_pdf import (
    PdfColumn,
    PdfForm,
    PdfPlan,
    font_program,
    plan_form_pdfs,
    write_planned_pdfs,
)

__all__ = [
    "BLANK",
    "CHECK_OPTIONS",
    "NEW_PEOPLE_TITLE",
    "RECORD_SHEET",
    "REVIEW_OPTIONS",
    "REVIEW_SHEET",
    "REVIEW_WORKBOOK",
    "VISIT_HEADERS",
    "VISIT_WORKBOOK",
    "Worklists",
    "pdfs_in_background",
    "record_key",
    "record_sheet",
    "review_frame",
    "start_visit_pdfs",
    "visit_frame",
    "write_review_workbook",
    "write_visit_pdfs",
    "write_visit_workbook",
    "write_worklists",
]

REVIEW_SHEET = "待人工确认"
BLANK = BLANK_BOX
CHECK_OPTIONS = ("仍居住", "已离开", "信息有误")
REVIEW_OPTIONS = ("是同一人", "不是同一人")
NEW_PEOPLE_TITLE = "新发现的未登记人员（在上门时遇到、系统中没有的人，请逐行填写）"
NEW_KEY = "新增"

# the worklist's columns, in order: (frame column, header, width, kind)
VISIT_LAYOUT: list[tuple[str, str, float, str]] = [
    ("seq", "序号", 5, "int"),
    ("name", "姓名", 9, "text"),
    ("sex", "性别", 4, "check"),
    ("id_print", "身份证号", 19, "id"),
    ("hukou_address", "户籍地址", 24, "wrap"),
    ("address", "登记住址", 24, "wrap"),
    ("registered_on", "登记日期", 10, "text"),
    ("c0", CHECK_OPTIONS[0], 6, "check"),
    ("c1", CHECK_OPTIONS[1], 6, "check"),
    ("c2", CHECK_OPTIONS[2], 7, "check"),
    ("whereabouts", "去向/现住址", 18, "wrap"),
    ("phone_print", "联系电话", 12, "id"),
    ("remark", "备注", 12, "wrap"),
    ("key", "记录号", 10, "key"),
]
VISIT_HEADERS = [header for _, header, _, _ in VISIT_LAYOUT]


@dataclass
class Worklists:
    """What was written, for the terminal summary."""

    visit_workbook: Path | None
    pdfs: list[Path]
    review_workbook: Path | None
    visits: int
    reviews: int
    pdf_skipped: bool = False


# --- 入户核查单 -------------------------------------------------------------------


def visit_frame(system_only: pd.DataFrame) -> pd.DataFrame:
    """The people to visit, from ``system_only`` (CSV columns), in walking order."""
    s = system_only.fillna("")

    def col(name: str) -> pd.Series:
        return s[name].astype(str) if name in s else pd.Series([""] * len(s), index=s.index)

    frame = pd.DataFrame(
        {
            "committee": col("system_committee"),
            "name": col("system_name"),
            "sex": col("system_sex"),
            "id": col("system_id"),
            "hukou_address": col("system_hukou_address"),
            "address": col("system_address"),
            "registered_on": col("registered_on"),
            "phone": col("system_phone"),
            "record_key": col("system_record_key"),
            "system_file": col("system_file"),
            "system_sheet": col("system_sheet"),
            "system_row": col("system_row"),
        }
    ).reset_index(drop=True)
    frame = frame.astype(object)
    if "system_house_key" in s:  # the match carried them, already in walking order
        frame["house_key"] = col("system_house_key").to_numpy()
        frame["building"] = col("system_building").to_numpy()
    else:  # a folder written by recon 0.1: normalise and order here
        keys = normalize_addresses(frame["address"])
        frame["house_key"] = keys["addr_key"].to_numpy()
        frame["building"] = keys["addr_building"].to_numpy()
        order = walk_order(frame["house_key"], frame["committee"])
        frame = frame.iloc[order].reset_index(drop=True)
    frame["key"] = [
        record_key(f, sh, r, i)
        for f, sh, r, i in zip(
            frame["system_file"],
            frame["system_sheet"],
            frame["system_row"],
            frame["id"],
            strict=True,
        )
    ]
    return frame


def _committee_rows(
    people: pd.DataFrame, output: OutputRules, blank_rows: int | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """One 居委's print rows: a heading per building, then its people, then
    ``blank_rows`` (default: output.toml's ``blank_rows``) empty lines for
    people met at the doors who are not registered, under their own heading.

    ``people`` is in walking order, so a building's people are consecutive.
    Column ``kind`` says what a row is ("heading", "person", "blank"; the PDF
    writer lays pages out by it) and a heading's text is in ``label`` and
    ``name``; the second value is the workbook's row format per row.
    """
    n = len(people)
    cols = {c: _strings(people[c]) for c in
            ("name", "sex", "id", "hukou_address", "address", "registered_on", "phone", "key",
             "building")}  # fmt: skip
    building = cols["building"]
    # a building's people are consecutive: a heading before each run
    starts = np.flatnonzero(np.r_[True, building[1:] != building[:-1]]) if n else np.arange(0)
    counts = np.diff(np.r_[starts, n])
    at_heading = starts + np.arange(len(starts))
    at_person = np.arange(n) + np.repeat(np.arange(1, len(starts) + 1), counts)
    blanks = output.blank_rows if blank_rows is None else blank_rows
    total = n + len(starts) + (blanks + 1 if blanks else 0)
    columns = ["kind", "label", *(c for c, _, _, _ in VISIT_LAYOUT)]
    frame = {c: np.full(total, "", dtype=object) for c in columns}
    formats = np.full(total, "", dtype=object)

    def put(column: str, where: np.ndarray | int | slice, values: object) -> None:
        if isinstance(values, list):  # as objects: numpy would make a list of str a str array
            values = np.asarray(values, dtype=object)
        frame[column][where] = values

    runs = zip(building[starts], counts, strict=True)
    labels = [f"{b or '（地址未能识别）'}（{k} 人）" for b, k in runs]
    put("kind", at_heading, "heading")
    put("label", at_heading, labels)
    put("name", at_heading, labels)
    formats[at_heading] = "heading"
    put("kind", at_person, "person")
    put("seq", at_person, [str(k) for k in range(1, n + 1)])
    for column in ("name", "sex", "hukou_address", "address", "registered_on", "key"):
        frame[column][at_person] = cols[column]
    put("id_print", at_person, [output.mask_id(v) for v in cols["id"]])
    put("phone_print", at_person, [output.mask_phone(v) for v in cols["phone"]])
    for column in ("c0", "c1", "c2"):
        put(column, at_person, BLANK)
    if blanks:
        title = n + len(starts)
        put("kind", title, "heading")
        put("label", title, NEW_PEOPLE_TITLE)
        put("name", title, NEW_PEOPLE_TITLE)
        formats[title] = "heading"
        put("kind", slice(title + 1, total), "blank")
        put("key", slice(title + 1, total), NEW_KEY)
    return pd.DataFrame(frame, columns=columns, dtype=object, copy=False), formats


def _strings(column: pd.Series) -> np.ndarray:
    """``column`` as an object array of str (visit_frame's columns are already)."""
    values = column.to_numpy(dtype=object)
    if infer_dtype(values, skipna=False) in ("string", "empty"):
        return values
    return column.astype(str).to_numpy(dtype=object)


# the PDF 入户核查单: the building is the merged first column; blank rows close
# every page (output.toml's pdf_blank_rows), not the list
def _visit_pdf_form(output: OutputRules) -> PdfForm:
    return PdfForm(
        title="入户核查单（机到人）",
        short="入户核查单",
        columns=[
            PdfColumn("seq", "序号", 3.2, "center"),
            PdfColumn("name", "姓名", 6),
            PdfColumn("sex", "性别", 2.8, "center"),
            PdfColumn("id_print", "身份证号", 12.5, wrap=False),
            PdfColumn("hukou_address", "户籍地址", 19),
            PdfColumn("address", "登记住址", 15.5),
            PdfColumn("registered_on", "登记日期", 7.2, wrap=False),
            PdfColumn("c0", CHECK_OPTIONS[0], 4.2, "center"),
            PdfColumn("c1", CHECK_OPTIONS[1], 4.2, "center"),
            PdfColumn("c2", CHECK_OPTIONS[2], 5, "center"),
            PdfColumn("whereabouts", "去向/现住址", 13),
            PdfColumn("phone_print", "联系电话", 8, wrap=False),
            PdfColumn("remark", "备注", 6.7),
            PdfColumn("key", "记录号", 7.8, wrap=False),
        ],
        group_header="门牌（人数）",
        group_width=10,
        note=(
            "请逐户核对：在「仍居住」「已离开」「信息有误」中选一栏打 √；已离开的写明去向，"
            "信息有误的在备注写明；「记录号」不要改动。每页最后几行填写在本页门牌遇到的、"
            "名单上没有的人（姓名、身份证号、住址）。"
        ),
        blank_rows_per_page=output.pdf_blank_rows,
        blank_label="新发现的未登记人员",
        blank_values={"key": NEW_KEY},
    )


def write_visit_pdfs(visits: pd.DataFrame, folder: Path, output: OutputRules) -> list[Path]:
    """入户核查单 as PDF: one file per 居委 in ``folder``; returns the files."""
    return write_planned_pdfs(_plan_visit_pdfs(visits, folder, output))


def _plan_visit_pdfs(visits: pd.DataFrame, folder: Path, output: OutputRules) -> PdfPlan:
    groups = visits.groupby("committee", sort=False) if len(visits) else ()
    return plan_form_pdfs(
        ((str(c), _committee_rows(p, output, blank_rows=0)[0]) for c, p in groups),
        _visit_pdf_form(output),
        folder,
    )


VISIT_FORM = FormSpec(
    workbook=VISIT_WORKBOOK,
    title="{group} 入户核查单（机到人）",
    columns=tuple(
        FormColumn(c, h, w, kind, tick=c in ("c0", "c1", "c2")) for c, h, w, kind in VISIT_LAYOUT
    ),
    notes=(
        "请逐户核对：在「仍居住」「已离开」「信息有误」中选一栏打 √；已离开的写明去向，"
        "信息有误的在备注写明；「记录号」不要改动{masked}。最后几行填写新发现的未登记人员。"
    ),
    centre="入户核查单",
    record_sheet=RECORD_SHEET,
)


def form_rows(frame: pd.DataFrame, formats: np.ndarray) -> pd.DataFrame:
    """Print rows with the form's line kind: headings, people, blank lines (新增)."""
    kind = np.where(
        np.asarray(formats, dtype=object) == "heading",
        RowKind.HEADING,
        np.where(frame["key"].astype(str).to_numpy() == NEW_KEY, RowKind.BLANK, RowKind.PERSON),
    )
    return frame.assign(_kind=kind)


def write_visit_workbook(visits: pd.DataFrame, path: Path, output: OutputRules) -> None:
    """入户核查单.xlsx: one printable sheet per 居委, and the hidden record."""
    groups = list(visits.groupby("committee", sort=False)) if len(visits) else [("", visits)]
    masked = "；身份证号和电话已部分隐去" if output.mask else ""
    spec = replace(VISIT_FORM, notes=VISIT_FORM.notes.format(masked=masked))
    write_form(
        spec,
        [(str(c), form_rows(*_committee_rows(people, output))) for c, people in groups],
        record_sheet(visits),
        path,
    )


def record_sheet(visits: pd.DataFrame) -> pd.DataFrame:
    """The hidden record of each 记录号 (full values) of a visit list; columns a
    list does not have (the 人户分离 list has no phone) are left empty."""
    return pd.DataFrame(
        {
            "记录号": visits.get("key", pd.Series(dtype=object)),
            "居委": visits.get("committee", ""),
            "姓名": visits.get("name", ""),
            "性别": visits.get("sex", ""),
            "身份证号": visits.get("id", ""),
            "户籍地址": visits.get("hukou_address", ""),
            "登记住址": visits.get("address", ""),
            "登记日期": visits.get("registered_on", ""),
            "联系电话": visits.get("phone", ""),
            "人员编号": visits.get("record_key", ""),
            "系统文件": visits.get("system_file", ""),
            "系统工作表": visits.get("system_sheet", ""),
            "系统行号": visits.get("system_row", ""),
        },
        columns=RECORD_COLUMNS,
    ).astype(object)


# --- 待人工确认单 ------------------------------------------------------------------

REVIEW_LAYOUT: list[tuple[str, str, float, str]] = [
    ("pair", "编号", 5, "int"),
    ("field_name", "采集：姓名", 9, "text"),
    ("field_sex", "采集：性别", 5, "check"),
    ("field_birth", "采集：出生日期", 11, "text"),
    ("field_id", "采集：身份证号", 19, "id"),
    ("field_address", "采集：地址", 22, "wrap"),
    ("field_place", "采集：位置", 16, "wrap"),
    ("system_name", "系统：姓名", 9, "text"),
    ("system_sex", "系统：性别", 5, "check"),
    ("system_birth", "系统：出生日期", 11, "text"),
    ("system_id", "系统：身份证号", 19, "id"),
    ("system_address", "系统：地址", 22, "wrap"),
    ("system_place", "系统：位置", 16, "wrap"),
    ("reason", "原因", 30, "wrap"),
    ("d0", REVIEW_OPTIONS[0], 7, "check"),
    ("d1", REVIEW_OPTIONS[1], 8, "check"),
    ("key", "配对号", 9, "key"),
]
REVIEW_HEADERS = [header for _, header, _, _ in REVIEW_LAYOUT]
PAIR_COLUMNS = ["配对号", "采集表指纹", "系统指纹", "采集表位置", "系统位置"]


def _place(file: pd.Series, sheet: pd.Series, row: pd.Series) -> list[str]:
    """Where a person reads the row: 古美一村….xlsx／采集表 第27行."""
    return [
        f"{f}／{s} 第{r}行" if s else f"{f} 第{r}行" if f else ""
        for f, s, r in zip(file, sheet, row, strict=True)
    ]


def _birth(birth: pd.Series, ids: pd.Series) -> list[str]:
    """The row's birth date; where it has none (older review.csv), the ID's."""
    from recon.normalize import parse_id

    return [b or (parse_id(i).birth_date if i else "") for b, i in zip(birth, ids, strict=True)]


def review_frame(review: pd.DataFrame) -> pd.DataFrame:
    """Review pairs (review.csv columns plus fingerprints), one row each."""
    r = review.fillna("").astype(object)

    def col(name: str) -> pd.Series:
        return r[name].astype(str) if name in r else pd.Series([""] * len(r), index=r.index)

    frame = pd.DataFrame(
        {
            "pair": pd.to_numeric(col("pair"), errors="coerce"),
            "field_name": col("field_name"),
            "field_sex": col("field_sex"),
            "field_birth": _birth(col("field_birth"), col("field_id")),
            "field_id": col("field_id"),
            "field_address": col("field_address"),
            "field_place": _place(col("field_file"), col("field_sheet"), col("field_row")),
            "system_name": col("system_name"),
            "system_sex": col("system_sex"),
            "system_birth": _birth(col("system_birth"), col("system_id")),
            "system_id": col("system_id"),
            "system_address": col("system_address"),
            "system_place": _place(col("system_file"), col("system_sheet"), col("system_row")),
            "reason": col("reason"),
            "d0": BLANK,
            "d1": BLANK,
            "field_fp": col("field_fp"),
            "system_fp": col("system_fp"),
            "field_where": col("field_file") + "／" + col("field_sheet") + "／" + col("field_row"),
            "system_where": col("system_file")
            + "／"
            + col("system_sheet")
            + "／"
            + col("system_row"),
        }
    ).reset_index(drop=True)
    frame["key"] = [
        "P" + hashlib.sha1(f"{a}|{b}".encode()).hexdigest()[:8].upper()
        for a, b in zip(frame["field_fp"], frame["system_fp"], strict=True)
    ]
    return frame.astype(object)


REVIEW_FORM = FormSpec(
    workbook=REVIEW_WORKBOOK,
    title="待人工确认：这两条记录是不是同一个人？",
    columns=tuple(
        FormColumn(c, h, w, kind, tick=c in ("d0", "d1")) for c, h, w, kind in REVIEW_LAYOUT
    ),
    notes=(
        "请在「是同一人」或「不是同一人」中选一栏打 √。填好后保存，"
        "重新核对时加上 --decisions 本文件：是同一人的将直接匹配，不是同一人的不再提出。"
    ),
    centre="待人工确认单",
    footer="&L确认人签名：________________&R确认日期：________________",
    key="配对号",
    record_sheet=PAIR_SHEET,
)


def write_review_workbook(pairs: pd.DataFrame, path: Path) -> None:
    """待人工确认单.xlsx: the review pairs side by side, and the hidden pair record."""
    record = pd.DataFrame(
        {
            "配对号": pairs["key"],
            "采集表指纹": pairs["field_fp"],
            "系统指纹": pairs["system_fp"],
            "采集表位置": pairs["field_where"],
            "系统位置": pairs["system_where"],
        },
        columns=PAIR_COLUMNS,
    )
    write_form(REVIEW_FORM, [(REVIEW_SHEET, pairs.assign(_kind=RowKind.PERSON))], record, path)


# --- both -------------------------------------------------------------------------


def write_worklists(
    system_only: pd.DataFrame,
    review: pd.DataFrame,
    out: Path,
    output: OutputRules,
    pdf: bool | None = None,
) -> Worklists:
    """Write 入户核查单 (xlsx, and PDF unless too big or ``pdf`` is False) and
    待人工确认单 into ``out``. ``pdf=None``: as output.toml's pdf_max_rows says.

    Inside :func:`pdfs_in_background`, the second process cuts the font and
    writes PDFs of a long list while this one writes the workbooks and then,
    with that font, PDFs from the other end of the list; the second process
    may have started on them already (:func:`start_visit_pdfs`).
    """
    visits = visit_frame(system_only)
    want_pdf = pdf if pdf is not None else len(visits) <= output.pdf_max_rows
    folder = out / VISIT_PDF_FOLDER
    worker = _WORKER.get() if len(visits) >= BACKGROUND_PDF_VISITS else None
    early = worker.early if worker is not None else None
    if early is not None and early.same(visits, folder, output) and pdf is None:
        plan, sent = early.plan, True
    else:
        if early is not None and worker is not None:  # planned for other rows: none of it
            worker.discard()
            worker = None
        plan = _plan_visit_pdfs(visits if want_pdf else visits.iloc[:0], folder, output)
        sent = bool(plan.files) and worker is not None and worker.submit(plan)
    write_visit_workbook(visits, out / VISIT_WORKBOOK, output)
    review_path = None
    pairs = review_frame(review)
    if len(pairs):
        review_path = out / REVIEW_WORKBOOK
        write_review_workbook(pairs, review_path)
    if sent and worker is not None:
        _write_shared(plan, worker)
    else:
        write_planned_pdfs(plan)
    return Worklists(
        visit_workbook=out / VISIT_WORKBOOK,
        pdfs=[path for _, _, path in plan.files],
        review_workbook=review_path,
        visits=len(visits),
        reviews=len(pairs),
        pdf_skipped=not want_pdf and len(visits) > 0,
    )


def _write_shared(plan: PdfPlan, worker: _PdfWorker) -> None:
    """The files of ``plan``, sent to ``worker``: it takes them from the front,
    this process from the back, until they meet (whoever is free takes the
    next: neither waits long for the other); whatever the second process
    failed to write is written here (an error shows here)."""
    program = worker.font()  # None: cut here after all
    here: set[Path] = set()
    while (k := worker.claim_last()) is not None:
        here.update(write_planned_pdfs(replace(plan, files=[plan.files[k]], program=program)))
    if worker.result() is None:  # the second process failed or died: the rest here
        rest = [f for f in plan.files if f[2] not in here]
        write_planned_pdfs(replace(plan, files=rest, program=program))


def start_visit_pdfs(
    system_only: Callable[[], pd.DataFrame], out: Path, output: OutputRules
) -> None:
    """Inside :func:`pdfs_in_background`: plan the 入户核查单 PDFs that
    :func:`write_worklists` will write for the rows ``system_only()`` gives
    into ``out``, and hand them to the second process now, so that it cuts
    the font and starts on them while this one writes the other files of
    the folder. Nothing happens (``system_only`` is not called) outside the
    block; nothing either for a short list. The PDFs are the same
    (write_worklists uses this plan only for the same rows)."""
    worker = _WORKER.get()
    if worker is None or worker.early is not None:
        return
    visits = visit_frame(system_only())
    if not BACKGROUND_PDF_VISITS <= len(visits) <= output.pdf_max_rows:
        return
    plan = _plan_visit_pdfs(visits, out / VISIT_PDF_FOLDER, output)
    if plan.files and worker.submit(plan):
        worker.early = _Early(visits, plan, output)


@dataclass
class _Early:
    """A plan handed to the second process before write_worklists, and the
    rows and rules it was made from."""

    visits: pd.DataFrame
    plan: PdfPlan
    output: OutputRules

    def same(self, visits: pd.DataFrame, folder: Path, output: OutputRules) -> bool:
        return (
            output == self.output
            and all(path.parent == folder for _, _, path in self.plan.files)
            and visits.equals(self.visits)
        )


# --- the PDFs in a second process ---------------------------------------------------

# from this many people the 入户核查单 PDFs take about a second or more: worth
# a second process started early (its start-up costs about a second too)
BACKGROUND_PDF_VISITS = 3_000


@contextmanager
def pdfs_in_background(visits: int, output: OutputRules) -> Iterator[None]:
    """Within the block, :func:`write_worklists` shares the 入户核查单 PDFs
    with a second process (which cuts the font), started here so that its
    start-up (imports) overlaps the work before; :func:`start_visit_pdfs`
    hands them over earlier still. The PDFs are the same. Only when ``visits``
    (the expected 机到人 rows) is from :data:`BACKGROUND_PDF_VISITS` to
    output.toml's pdf_max_rows; otherwise the block runs as it is.

    For ``recon match``: around the write step, with the count of
    system-only records, e.g.
    ``with staged(out) as tmp, pdfs_in_background(n_system_only, rules.output):``
    (inside staged: the process is stopped before a failed run's folder is removed)
    """
    if not BACKGROUND_PDF_VISITS <= visits <= output.pdf_max_rows or (os.cpu_count() or 1) < 2:
        yield
        return
    try:
        worker = _PdfWorker()
    except (OSError, RuntimeError):  # no process to be had (e.g. no __main__ guard): all here
        yield
        return
    token = _WORKER.set(worker)
    try:
        yield
    finally:
        _WORKER.reset(token)
        worker.stop()


class _PdfWorker:
    """One spawned process that writes PDFs of one plan (fork is unsafe with
    pyarrow's threads, and Windows has only spawn). It answers twice: the
    font program, then the files it wrote. The plan's files are shared
    out through ``claims``: [the next from the front, the end of those not
    taken]; the second process takes from the front, this one from the back."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.claims = context.Array("i", [0, 0])
        self.process = context.Process(target=_serve, args=(child, self.claims), daemon=True)
        self.process.start()
        child.close()
        self.failed = False
        self.early: _Early | None = None  # a plan sent before write_worklists
        self.plan: PdfPlan | None = None
        self.sending: threading.Thread | None = None

    def submit(self, plan: PdfPlan) -> bool:
        """Send ``plan``, from a thread: the pipe takes it only as fast as the
        process reads, and it may still be importing."""
        if self.plan is not None or not self.process.is_alive():
            return False
        with self.claims.get_lock():
            self.claims[0], self.claims[1] = 0, len(plan.files)
        self.plan = plan
        self.sending = threading.Thread(target=self._send, args=(plan,), daemon=True)
        self.sending.start()
        return True

    def _send(self, plan: PdfPlan) -> None:
        try:
            self.conn.send(plan)
        except (OSError, ValueError):  # the process is gone: its files are written here
            self.failed = True

    def claim_last(self) -> int | None:
        """The last file of the plan not yet taken (now this process's), or None."""
        lock = self.claims.get_lock()
        while not lock.acquire(timeout=0.5):
            if not self.process.is_alive():  # died holding it: the rest is written here
                self.failed = True
                return None
        try:
            front, end = self.claims[0], self.claims[1]
            if front >= end or self.failed:
                return None
            self.claims[1] = end - 1
            return end - 1
        finally:
            lock.release()

    def _answer(self, kind: str) -> object:
        """The next answer if it is ``kind``; None if the process failed or died."""
        if self.sending is not None:  # the plan is read before any answer
            self.sending.join()
        if self.failed:
            return None
        try:
            while not self.conn.poll(0.05):
                if self.failed or (not self.process.is_alive() and not self.conn.poll()):
                    self.failed = True
                    return None
            got, value = self.conn.recv()
        except (EOFError, OSError):
            got, value = "failed", None
        if got != kind:
            self.failed = True
            return None
        return value

    def font(self) -> bytes | None:
        """The font program of the plan's characters; None if it failed."""
        program = self._answer("font")
        return program if isinstance(program, bytes) else None

    def result(self) -> list[Path] | None:
        """The files written; None if the process failed or died."""
        files = self._answer("files")
        return files if isinstance(files, list) else None

    def discard(self) -> None:
        """Stop the process and remove the files of the plan it was sent."""
        self.stop()
        self.failed = True
        for _, _, path in self.plan.files if self.plan is not None else []:
            path.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()  # idle after its answer, or not needed
        self.process.join()
        if self.sending is not None:
            self.sending.join()
        self.conn.close()


def _serve(conn: Connection, claims: SynchronizedArray) -> None:
    """The second process: import what the PDFs need, then for the plan it
    is sent answer ("font", the font program) and, having written the files
    it took (see :class:`_PdfWorker`), ("files", those files); or ("failed",
    None) on any error (the parent then writes them itself, and shows the
    error if there is one)."""
    from fontTools import subset  # noqa: F401  (imported before the job arrives)
    from fontTools.varLib import instancer  # noqa: F401

    try:
        plan = conn.recv()
    except (EOFError, OSError):
        return
    taken: list[Path] = []
    try:
        program = font_program(plan.chars)
        conn.send(("font", program))
        while True:
            with claims.get_lock():
                k = claims[0]
                if k >= claims[1]:
                    break
                claims[0] = k + 1
            taken.append(plan.files[k][2])
            write_planned_pdfs(replace(plan, files=[plan.files[k]], program=program))
    except Exception:  # the parent's own attempt shows it
        for path in taken:
            path.unlink(missing_ok=True)
        conn.send(("failed", None))
        return
    conn.send(("files", taken))


_WORKER: ContextVar[_PdfWorker | None] = ContextVar("recon_pdf_worker", default=None)
