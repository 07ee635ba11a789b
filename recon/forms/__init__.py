"""Forms: the sheets a person fills in by hand, and reading them back.

Every such sheet -- 入户核查单, 人户分离核查单, 待人工确认单, 抽查单, 居住房屋基础
信息核对表 -- is one kind of thing: a workbook with a printable sheet per
居委 (or one sheet), heading lines (a building, a house), person lines with
boxes to tick and cells to write in, blank lines for people nobody listed,
a stable key per line, and a very hidden sheet holding each key's full
record (the printed sheet masks ID numbers and phones). A :class:`FormSpec`
describes one form; :func:`write_form` prints it; :func:`read_form` reads
filled copies back -- opening files through the loaders' reader, so that a
locked, encrypted or damaged file gets the same message as an input does,
and reading a file given twice once. :func:`mark_state` reads what a person
wrote in a box (:func:`read_boxes` a row of them), and :func:`merge_copies`
puts the copies of one line together: filled beats blank, two different
fills are a conflict.
"""

from recon.forms._marks import Boxes, mark_state, read_boxes, tick_state
from recon.forms._merge import Line, Merged, merge_copies, place
from recon.forms._read import NUMERIC, FilledForm, FormLine, FormSheet, read_form
from recon.forms._records import PAIR_SHEET, RECORD_COLUMNS, RECORD_SHEET, record_key
from recon.forms._spec import BLANK_BOX, FormColumn, FormSpec, RowKind
from recon.forms._write import sheet_name, write_form

__all__ = [
    "BLANK_BOX",
    "NUMERIC",
    "PAIR_SHEET",
    "RECORD_COLUMNS",
    "RECORD_SHEET",
    "Boxes",
    "FilledForm",
    "FormColumn",
    "FormLine",
    "FormSheet",
    "FormSpec",
    "Line",
    "Merged",
    "RowKind",
    "mark_state",
    "merge_copies",
    "place",
    "read_boxes",
    "read_form",
    "record_key",
    "sheet_name",
    "tick_state",
    "write_form",
]
