"""信息变更: what differs in substance between the two rows of a matched pair."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recon.matchers._records import Records, filled
from recon.normalize.address import same_flat
from recon.normalize.ids import IdKind

__all__ = ["DIFF_COLUMNS", "differences"]

DIFF_COLUMNS = ["f", "s", "item", "system_value", "field_value", "note"]


def _col(frame: pd.DataFrame, name: str, idx: np.ndarray) -> np.ndarray:
    if name not in frame:
        return np.full(len(idx), "", dtype=object)
    return filled(frame[name].to_numpy(dtype=object)[idx])


def differences(
    field: pd.DataFrame,
    system: pd.DataFrame,
    pairs: pd.DataFrame,
    recs: Records | None = None,
) -> pd.DataFrame:
    """One row per (pair, item) whose values differ in substance.

    Items: 姓名 (a name variant), 性别, 出生日期, 身份证号 (the system holds a
    mistyped or 15-digit number), 现居住地址 (another flat), 联系电话.
    Formatting alone (spaces, full-width digits, another spelling of the same
    flat) is not a difference.

    ``recs``: the matcher's combined records of these two frames, whose
    columns are read instead of the frames' where they have them.
    """
    if pairs.empty:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    f = pairs["f"].to_numpy(dtype=np.int64)
    s = pairs["s"].to_numpy(dtype=np.int64)
    nf = len(field)
    parts: list[pd.DataFrame] = []

    def both(name: str, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(field values, system values) of every pair (or of pairs ``rows``)."""
        ff, ss = (f, s) if rows is None else (f[rows], s[rows])
        if recs is not None and name in recs:
            return recs.take(name, ff), recs.take(name, nf + ss)
        return _col(field, name, ff), _col(system, name, ss)

    def differ(name: str) -> np.ndarray:
        """Pairs whose values of ``name`` are both given and differ."""
        if recs is not None and name in recs:
            # by the codes the matcher made of the column
            codes = recs.codes(name)[0]
            cf, cs = codes[f], codes[nf + s]
            return (cf != cs) & (cf >= 0) & (cs >= 0)
        fv, sv = both(name)
        return (fv != sv) & (fv != "") & (sv != "")

    def add(
        mask: np.ndarray,
        item: str,
        sys_v: np.ndarray | str,
        fld_v: np.ndarray | str,
        note: str | np.ndarray,
    ) -> None:
        """Rows of ``mask``; a value given as a column name is read for them only."""
        if not mask.any():
            return
        rows = np.flatnonzero(mask)
        sv = _col(system, sys_v, s[rows]) if isinstance(sys_v, str) else sys_v[rows]
        fv = _col(field, fld_v, f[rows]) if isinstance(fld_v, str) else fld_v[rows]
        parts.append(
            pd.DataFrame(
                {
                    "f": f[rows],
                    "s": s[rows],
                    "item": item,
                    "system_value": sv,
                    "field_value": fv,
                    "note": note[rows] if isinstance(note, np.ndarray) else note,
                }
            )
        )

    fk, sk = both("name_key")
    add((fk != sk) & (fk != "") & (sk != ""), "姓名", "name", "name", "姓名写法不同")

    fsex, ssex = _col(field, "sex", f), _col(system, "sex", s)
    s_id_sex = _col(system, "id_sex", s)
    ssex = np.where(ssex != "", ssex, s_id_sex)
    add((fsex != "") & (ssex != "") & (fsex != ssex), "性别", ssex, fsex, "性别不同")

    born = differ("birth")
    if born.any():
        fb, sb = np.full(len(f), "", dtype=object), np.full(len(f), "", dtype=object)
        fb[born], sb[born] = both("birth", born)
        add(born, "出生日期", sb, fb, "出生日期不同")

    fkind, skind = both("id_kind")
    f_ok = np.isin(fkind, (IdKind.VALID, IdKind.UPGRADED, IdKind.SUSPECT))
    s_wrong = f_ok & (skind == IdKind.INVALID)
    s_old = skind == IdKind.UPGRADED
    shown = s_wrong | s_old
    if shown.any():
        fid, sid = np.full(len(f), "", dtype=object), np.full(len(f), "", dtype=object)
        fid[shown], sid[shown] = both("id", shown)
        note = np.where(s_old, "系统中为15位旧号码，应改为18位", "系统中的身份证号有录入错误")
        shown_f = np.where(s_old, sid, fid)
        add(shown, "身份证号", "id_number", shown_f, note)

    # another flat, not another spelling: "1255弄12号302室" lacks only the road
    other_flat = differ("addr_key")
    rows = np.flatnonzero(other_flat)
    fa, sa = both("addr_key", rows)
    for i, x, y in zip(rows.tolist(), fa, sa, strict=True):
        other_flat[i] = not same_flat(x, y)
    add(other_flat, "现居住地址", "address", "address", "不是同一套房")

    fp, sp = both("phone")
    add((fp != "") & (sp != "") & (fp != sp), "联系电话", sp, fp, "联系电话不同")

    if not parts:
        return pd.DataFrame(columns=DIFF_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    # items were added in a fixed order; a stable sort by pair keeps it
    order = np.argsort(out["f"].to_numpy(dtype=np.int64), kind="stable")
    return out.iloc[order].reset_index(drop=True)[DIFF_COLUMNS]
