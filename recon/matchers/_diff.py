"""信息变更: what differs in substance between the two rows of a matched pair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.matchers._records import filled
from recon.normalize.address import same_flat
from recon.normalize.ids import IdKind

__all__ = ["DIFF_COLUMNS", "differences"]

DIFF_COLUMNS = ["f", "s", "item", "system_value", "field_value", "note"]


def _col(frame: pd.DataFrame, name: str, idx: np.ndarray) -> np.ndarray:
    if name not in frame:
        return np.full(len(idx), "", dtype=object)
    return filled(frame[name].to_numpy(dtype=object)[idx])


def differences(field: pd.DataFrame, system: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per (pair, item) whose values differ in substance.

    Items: 姓名 (a name variant), 性别, 出生日期, 身份证号 (the system holds a
    mistyped or 15-digit number), 现居住地址 (another flat), 联系电话.
    Formatting alone (spaces, full-width digits, another spelling of the same
    flat) is not a difference.
    """
    if pairs.empty:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    f = pairs["f"].to_numpy(dtype=np.int64)
    s = pairs["s"].to_numpy(dtype=np.int64)
    parts: list[pd.DataFrame] = []

    def add(
        mask: np.ndarray, item: str, sys_v: np.ndarray, fld_v: np.ndarray, note: str | np.ndarray
    ) -> None:
        if not mask.any():
            return
        parts.append(
            pd.DataFrame(
                {
                    "f": f[mask],
                    "s": s[mask],
                    "item": item,
                    "system_value": sys_v[mask],
                    "field_value": fld_v[mask],
                    "note": note[mask] if isinstance(note, np.ndarray) else note,
                }
            )
        )

    fk, sk = _col(field, "name_key", f), _col(system, "name_key", s)
    add(
        (fk != sk) & (fk != "") & (sk != ""),
        "姓名",
        _col(system, "name", s),
        _col(field, "name", f),
        "姓名写法不同",
    )

    fsex, ssex = _col(field, "sex", f), _col(system, "sex", s)
    s_id_sex = _col(system, "id_sex", s)
    ssex = np.where(ssex != "", ssex, s_id_sex)
    add((fsex != "") & (ssex != "") & (fsex != ssex), "性别", ssex, fsex, "性别不同")

    fb, sb = _col(field, "birth", f), _col(system, "birth", s)
    add((fb != "") & (sb != "") & (fb != sb), "出生日期", sb, fb, "出生日期不同")

    fid, sid = _col(field, "id", f), _col(system, "id", s)
    fkind, skind = _col(field, "id_kind", f), _col(system, "id_kind", s)
    f_ok = np.isin(fkind, (IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT))
    s_wrong = f_ok & (skind == IdKind.INVALID)
    s_old = skind == IdKind.UPGRADED
    raw_sid = _col(system, "id_number", s)
    note = np.where(s_old, "系统中为15位旧号码，应改为18位", "系统中的身份证号有录入错误")
    shown_f = np.where(s_old, sid, fid)
    add(s_wrong | s_old, "身份证号", raw_sid, shown_f, note)

    fa, sa = _col(field, "addr_key", f), _col(system, "addr_key", s)
    # another flat, not another spelling: "1255弄12号302室" lacks only the road
    other_flat = (fa != sa) & (fa != "") & (sa != "")
    for i in np.flatnonzero(other_flat).tolist():
        other_flat[i] = not same_flat(fa[i], sa[i])
    add(
        other_flat,
        "现居住地址",
        _col(system, "address", s),
        _col(field, "address", f),
        "不是同一套房",
    )

    fp, sp = _col(field, "phone", f), _col(system, "phone", s)
    add((fp != "") & (sp != "") & (fp != sp), "联系电话", sp, fp, "联系电话不同")

    if not parts:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    # items were added in a fixed order; a stable sort by pair keeps it
    order = np.argsort(out["f"].to_numpy(dtype=np.int64), kind="stable")
    return out.iloc[order].reset_index(drop=True)[DIFF_COLUMNS]
