"""The keys and hidden record sheets the visit forms share (入户核查单 and
人户分离核查单 both list system records; 待人工确认单 lists pairs)."""

from __future__ import annotations

import hashlib

__all__ = ["PAIR_SHEET", "RECORD_COLUMNS", "RECORD_SHEET", "record_key"]

RECORD_SHEET = "_记录"  # 记录号 -> the full record (the printed sheet masks IDs)
PAIR_SHEET = "_配对"  # 配对号 -> the two records' fingerprints

# the hidden record of each 记录号 (full values, as the system holds them)
RECORD_COLUMNS = [
    "记录号", "居委", "姓名", "性别", "身份证号", "户籍地址", "登记住址", "登记日期", "联系电话",
    "人员编号", "系统文件", "系统工作表", "系统行号",
]  # fmt: skip


def record_key(file: str, sheet: str, row: object, id_: str = "") -> str:
    """A short stable key of a system record: the same record, the same key.

    Made from the record's place in the export only. It used to hash the ID
    number too, and a key printed beside an ID masked on its birth digits
    could then be searched back to the full number; the place alone is
    unique within a run and says nothing about the person. (``id_`` is
    accepted and ignored, for callers of the old signature.)
    """
    digest = hashlib.sha1(f"{file}|{sheet}|{row}".encode()).hexdigest()
    return "R" + digest[:8].upper()
