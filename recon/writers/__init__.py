"""Writers: results in, files out (CSV for programs, workbooks and PDFs for people).

A writer takes data and a destination, nothing else: it never re-reads an
input file and never decides an outcome.
"""

from recon.writers._rows import column_letter
from recon.writers._xlsx import (
    LINE_HEIGHT,
    PAD,
    ROW_HEIGHT,
    TITLE_HEIGHT,
    Col,
    WorkbookWriter,
    display_units,
    fit,
)
from recon.writers.match_outputs import (
    build_ledger,
    build_tables,
    csv_view,
    where_text,
    with_total,
    write_differences_sheet,
    write_ledger,
    write_match_files,
    write_resident_sheets,
)

__all__ = [
    "LINE_HEIGHT",
    "PAD",
    "ROW_HEIGHT",
    "TITLE_HEIGHT",
    "Col",
    "WorkbookWriter",
    "build_ledger",
    "build_tables",
    "column_letter",
    "csv_view",
    "display_units",
    "fit",
    "where_text",
    "with_total",
    "write_differences_sheet",
    "write_ledger",
    "write_match_files",
    "write_resident_sheets",
]
