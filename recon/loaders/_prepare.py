"""Raw canonical fields -> normalised keys, plus findings about each row."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from recon.normalize.address import normalize_addresses
from recon.normalize.ids import IdKind, normalize_ids
from recon.normalize.names import UNKNOWN, normalize_names
from recon.normalize.values import normalize_phone, normalize_sex
from recon.rules import StatusRules

__all__ = ["PROBLEM_COLUMNS", "prepare_records"]

PROBLEM_COLUMNS = ["side", "file", "sheet", "row", "column", "problem"]


def _per_unique(values: pd.Series, fn) -> pd.Series:  # type: ignore[no-untyped-def]
    uniques = pd.unique(values)
    table = dict(zip(uniques, (fn(v) for v in uniques), strict=True))
    return values.map(table)


def _status(records: pd.DataFrame, rules: StatusRules) -> tuple[np.ndarray, np.ndarray]:
    """Active flags and the rows whose status word is unknown."""
    n = len(records)
    active = np.ones(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    if "status" in records:
        words = records["status"].astype(str).str.replace(r"\s+", "", regex=True).str.lower()
        has = words.ne("").to_numpy()
        inactive = words.isin(rules.inactive).to_numpy()
        known = inactive | words.isin(rules.active).to_numpy()
        active &= ~(has & inactive)
        unknown |= has & ~known
    if "cancel_flag" in records:
        flags = records["cancel_flag"].astype(str).str.replace(r"\s+", "", regex=True).str.lower()
        flags = flags.str.replace(r"\.0$", "", regex=True)
        true = flags.isin(rules.flag_true).to_numpy()
        active &= ~true
        unknown |= ~true & ~flags.isin(rules.flag_false).to_numpy()
    if "status" not in records and "cancel_flag" not in records and "cancelled_on" in records:
        active &= records["cancelled_on"].astype(str).eq("").to_numpy()
    return active, unknown


def prepare_records(
    records: pd.DataFrame,
    side: str,
    status_rules: StatusRules,
    labels: dict[tuple[str, str, str], str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add normalised columns; return (records, problems).

    ``labels`` maps (file, sheet, field) to the header text a person sees,
    so that every finding names the column as it is written in the file.
    """
    df = records.reset_index(drop=True)
    n = len(df)
    df["name_raw"] = df["name"].astype(str)
    names = normalize_names(df["name_raw"])
    df["name"] = names["name"].to_numpy()
    df["name_key"] = names["name_key"].to_numpy()
    df["name_simp"] = names["name_simp"].to_numpy()

    ids = normalize_ids(df["id_number"].astype(str), df["id_numeric"].astype(bool))
    for col in ids.columns:
        df[col] = ids[col].to_numpy()

    df["sex_raw"] = df["sex"].astype(str)
    df["sex"] = _per_unique(df["sex_raw"], normalize_sex).to_numpy()
    birth_col = df["birth_date"].astype(str) if "birth_date" in df else pd.Series([""] * n)
    df["birth"] = np.where(df["id_birth"].ne("").to_numpy(), df["id_birth"], birth_col)
    df["birth_from_id"] = df["id_birth"].ne("").to_numpy()

    addr = normalize_addresses(df["address"].astype(str))
    for col in addr.columns:
        df[col] = addr[col].to_numpy()
    hk = normalize_addresses(df["hukou_address"].astype(str))
    df["hukou_key"] = hk["addr_key"].to_numpy()
    df["phone_raw"] = df["phone"].astype(str)
    df["phone"] = _per_unique(df["phone_raw"], normalize_phone).to_numpy()
    if side == "system":
        active, unknown_status = _status(df, status_rules)
    else:
        active, unknown_status = np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    df["active"] = active
    df["usable"] = (df["name_key"].ne("") | df["id_kind"].ne(IdKind.MISSING)).to_numpy()
    return df, _problems(df, side, birth_col, unknown_status, labels)


def _problems(
    df: pd.DataFrame,
    side: str,
    birth_col: pd.Series,
    unknown_status: np.ndarray,
    labels: dict[tuple[str, str, str], str],
) -> pd.DataFrame:
    parts: list[pd.DataFrame] = []

    def add(mask: np.ndarray | pd.Series, field: str, problem: str | pd.Series) -> None:
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        sub = df.loc[m, ["file", "sheet", "row"]].copy()
        keys = list(zip(sub["file"], sub["sheet"], strict=True))
        sub["column"] = [labels.get((f, s, field), "") for f, s in keys]
        sub["problem"] = problem[m].to_numpy() if isinstance(problem, pd.Series) else problem
        parts.append(sub)

    unusable = ~df["usable"].to_numpy()
    add(unusable, "name", "缺少姓名和身份证号，无法核对")
    has_id = df["id_problems"].ne("").to_numpy() & ~unusable
    add(has_id, "id_number", df["id_problems"])
    no_name = df["name_key"].eq("").to_numpy() & ~unusable
    add(no_name, "name", "未填写姓名")
    rare = df["name_key"].str.contains(re.escape(UNKNOWN), regex=True).to_numpy()
    add(rare, "name", "姓名含无法显示的字（生僻字），按未知字处理")
    sex_bad = df["sex"].eq("").to_numpy() & df["sex_raw"].ne("").to_numpy()
    add(sex_bad, "sex", "性别无法识别（应为 男/女 或 1/2）")
    sex_diff = (
        df["sex"].ne("").to_numpy()
        & df["id_sex"].ne("").to_numpy()
        & df["sex"].ne(df["id_sex"]).to_numpy()
    )
    add(sex_diff, "sex", "性别与身份证号不符")
    birth = birth_col.astype(str).reset_index(drop=True)
    birth_diff = (
        birth.ne("").to_numpy()
        & df["id_birth"].ne("").to_numpy()
        & birth.ne(df["id_birth"]).to_numpy()
    )
    add(birth_diff, "birth_date", "出生日期与身份证号不符")
    no_addr = df["address"].astype(str).eq("").to_numpy() & ~unusable
    add(no_addr, "address", "未填写现居住地址")
    no_locality = (
        df["address"].astype(str).ne("").to_numpy() & df["addr_locality"].eq("").to_numpy()
    )
    add(no_locality, "address", "地址缺少路名或村名")
    if side == "system":
        words = df["status"].astype(str) if "status" in df else df.get("cancel_flag", pd.Series())
        add(unknown_status, "status", "状态「" + words.astype(str) + "」不在规则中，按有效处理")
    if not parts:
        out = pd.DataFrame(columns=PROBLEM_COLUMNS)
    else:
        out = pd.concat(parts, ignore_index=True)
        out.insert(0, "side", side)
    return out[PROBLEM_COLUMNS]
