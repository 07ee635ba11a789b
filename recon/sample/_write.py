"""``write_street``: put a street on disk as field files, exports and truth."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from recon.errors import UsageError, Where
from recon.sample._spec import SampleFiles, Street
from recon.sample._templates import FLAT_FIELD_COLUMNS, PINYIN_COLUMNS, SYSTEM_COLUMNS
from recon.sample._workbooks import write_workbooks

FIELD_DIR = "现场采集表"
SYSTEM_DIR = "系统导出"
TRUTH_DIR = "答案"
SYSTEM_FILE = "暂住人口导出.csv"
PINYIN_FILE = "暂住人口导出_补充.csv"
FLAT_FIELD_FILE = "field.csv"
FLAT_SYSTEM_FILE = "system.csv"
TRUTH_FILE = "truth.csv"
HOUSE_DIR = "房屋清册"
HOUSE_FILE = "房屋清册.xlsx"
HOUSE_TRUTH_FILE = "houses_truth.csv"
TRUTH_COLUMNS = [
    "side",
    "file",
    "sheet",
    "row",
    "person_id",
    "scenario",
    "noise",
    "status",
    "record",
    "kind",
]


def write_csv(
    table: pd.DataFrame, path: Path, encoding: str = "utf-8-sig", eol: str = "\n"
) -> None:
    """Write a table as CSV quickly (pyarrow), in chunks, re-encoded if asked.

    Values are quoted only where a comma, quote or line break needs it, so a
    data row is exactly one line and its line number is its row number.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    def render(chunk: pd.DataFrame, header: bool) -> str:
        data = pa.Table.from_pandas(chunk, preserve_index=False)
        buf = pa.BufferOutputStream()
        for quoting in ("none", "needed"):
            try:
                options = pacsv.WriteOptions(
                    include_header=header, eol=eol, quoting_style=quoting, quoting_header="none"
                )
                buf = pa.BufferOutputStream()
                pacsv.write_csv(data, buf, options)
                break
            except pa.ArrowInvalid:  # a value with a comma or quote: quote what needs it
                continue
        return buf.getvalue().to_pybytes().decode("utf-8")

    step = 200_000
    with open(path, "wb") as out:
        if encoding == "utf-8-sig":
            out.write("\ufeff".encode())
            encoding = "utf-8"
        if len(table) == 0:
            out.write(render(table, True).encode(encoding))
        for start in range(0, len(table), step):
            out.write(render(table.iloc[start : start + step], start == 0).encode(encoding))


def prepare_folder(
    folder: Path, overwrite: bool, field_dir: str = FIELD_DIR
) -> tuple[Path, Path, Path]:
    """The field, system and truth folders under ``folder``, emptied if allowed."""
    dirs = (folder / field_dir, folder / SYSTEM_DIR, folder / TRUTH_DIR)
    listed = (folder / HOUSE_DIR,)
    existing = [p for d in dirs + listed if d.is_dir() for p in sorted(d.iterdir()) if p.is_file()]
    if existing and not overwrite:
        raise UsageError(
            "输出文件夹里已经有样例数据",
            Where(file=str(folder)),
            "请换一个空文件夹，或选择覆盖",
        )
    for p in existing:
        p.unlink()
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    return dirs


def _system_table(system: pd.DataFrame, columns: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    data: dict[str, np.ndarray | pd.Series] = {}
    for key, header in columns:
        if key == "zxbs":
            data[header] = np.where(system["active"].to_numpy(), "0", "1")
        elif key in ("registered_on", "cancelled_on") and header.isascii():
            data[header] = system[key].str.replace("-", "", regex=False)
        else:
            data[header] = system[key]
    return pd.DataFrame(data)


def _write_system(
    street: Street, system_dir: Path, name: str
) -> tuple[list[Path], list[pd.DataFrame]]:
    """The GB18030 export (and the optional pinyin-header one); truth per row."""
    system = street.system
    spec = street.spec
    in_pinyin = np.zeros(len(system), dtype=bool)
    if spec.pinyin_export:
        rng = np.random.default_rng([spec.seed, 11])
        in_pinyin = rng.random(len(system)) < spec.pinyin_share
    files, truth = [], []
    for path, mask, columns in (
        (system_dir / name, ~in_pinyin, SYSTEM_COLUMNS),
        (system_dir / PINYIN_FILE, in_pinyin, PINYIN_COLUMNS),
    ):
        if path.name == PINYIN_FILE and not spec.pinyin_export:
            continue
        records = np.flatnonzero(mask)
        table = _system_table(system.iloc[records], columns)
        write_csv(table, path, encoding="gb18030", eol="\r\n")
        files.append(path)
        truth.append(
            pd.DataFrame(
                {
                    "file": path.name,
                    "sheet": "",
                    "row": np.arange(len(records)) + 2,
                    "record": records,
                }
            )
        )
    return files, truth


def _truth(street: Street, side: str, located: pd.DataFrame) -> pd.DataFrame:
    """Truth rows for located records of one side, with their person's scenario."""
    frame = street.field if side == "field" else street.system
    rec = located["record"].to_numpy()
    sub = frame.iloc[rec]
    person = sub["person_id"].to_numpy()
    if side == "field":
        status = np.full(len(rec), "", dtype=object)
        kind = np.where(sub["copy"].to_numpy() == 1, "copy", "main")
    else:
        status = sub["status"].to_numpy()
        kind = sub["kind"].to_numpy()
    return pd.DataFrame(
        {
            "side": side,
            "file": located["file"].to_numpy(),
            "sheet": located["sheet"].to_numpy(),
            "row": located["row"].to_numpy(),
            "person_id": person,
            "scenario": street.persons["scenario"].to_numpy()[person],
            "noise": sub["noise"].to_numpy(),
            "status": status,
            "record": rec,
            "kind": kind,
        },
        columns=TRUTH_COLUMNS,
    )


def write_street(
    street: Street,
    folder: Path | str,
    layout: Literal["workbooks", "flat"] = "workbooks",
    *,
    overwrite: bool = False,
) -> SampleFiles:
    """Write the street under ``folder``: field files, system export(s), truth.

    ``workbooks``: one workbook per 居委 (templates T1-T6) in ``现场采集表/``
    and the GB18030 export ``系统导出/暂住人口导出.csv``. ``flat``: one
    ``field.csv`` (UTF-8 with BOM) and one ``system.csv`` (GB18030). The
    truth, ``答案/truth.csv``, lies outside both input folders: one line per
    data row written, with its Excel row or CSV line number (header = 1) and
    ``record``, the row's index in ``street.field`` / ``street.system``.

    Refuses a folder that already holds sample files unless ``overwrite``.
    """
    if layout not in ("workbooks", "flat"):
        raise UsageError(f"未知的样例数据格式：{layout}", hint="可选 workbooks 或 flat")
    folder = Path(folder)
    field_dir, system_dir, truth_dir = prepare_folder(folder, overwrite)
    if layout == "workbooks":
        field_files, field_located = write_workbooks(street, field_dir)
        system_files, system_located = _write_system(street, system_dir, SYSTEM_FILE)
    else:
        field_files, field_located = _write_flat_field(street, field_dir)
        system_files, system_located = _write_system(street, system_dir, FLAT_SYSTEM_FILE)
    truth = pd.concat(
        [_truth(street, "field", field_located)]
        + [_truth(street, "system", located) for located in system_located],
        ignore_index=True,
    )
    truth_path = truth_dir / TRUTH_FILE
    write_csv(truth, truth_path)
    files = SampleFiles(
        folder=folder,
        field_dir=field_dir,
        system_dir=system_dir,
        truth_path=truth_path,
        field_files=field_files,
        system_files=system_files,
        truth_rows=len(truth),
    )
    if street.houses is not None and street.house_truth is not None:
        house_dir = folder / HOUSE_DIR
        house_dir.mkdir(parents=True, exist_ok=True)
        files.house_list = house_dir / HOUSE_FILE
        write_house_list(street.houses, files.house_list)
        files.house_truth = truth_dir / HOUSE_TRUTH_FILE
        write_csv(street.house_truth, files.house_truth)
    return files


def write_house_list(houses: pd.DataFrame, path: Path) -> None:
    """The 房屋清册 as a house office exports it: a title row, the header, one
    row per dwelling (codes and ID numbers as text), a 合计 row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from recon.sample._houses import LIST_COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("房屋清册")
    for i, width in enumerate((6, 22, 16, 34, 10, 10, 10, 22, 12, 8)):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    title = WriteOnlyCell(ws, value="实有房屋清册（房管所导出）")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    ws.append(["序号", *(label for _key, label in LIST_COLUMNS)])
    columns = [houses[key].tolist() for key, _label in LIST_COLUMNS]
    for i, values in enumerate(zip(*columns, strict=True), start=1):
        ws.append([i, *values])
    ws.append(["合计", f"{len(houses)} 套"])
    wb.save(path)


def _write_flat_field(street: Street, field_dir: Path) -> tuple[list[Path], pd.DataFrame]:
    field = street.field
    table = pd.DataFrame({header: field[key] for key, header in FLAT_FIELD_COLUMNS})
    path = field_dir / FLAT_FIELD_FILE
    write_csv(table, path)
    located = pd.DataFrame(
        {
            "file": path.name,
            "sheet": "",
            "row": np.arange(len(field)) + 2,
            "record": np.arange(len(field)),
        }
    )
    return [path], located
