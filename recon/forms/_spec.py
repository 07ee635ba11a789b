"""What a form is: its columns (some ticked, some written in), its key, its
hidden record, and how it is printed."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BLANK_BOX", "FormColumn", "FormSpec", "RowKind"]

BLANK_BOX = "□"


class RowKind:
    """The kinds of line a form prints (the ``_kind`` column of its rows)."""

    HEADING = "heading"  # a building / a house: one line of text across the sheet
    PERSON = ""  # a listed person (or thing) with boxes to tick
    BLANK = "blank"  # an empty line to write a person nobody listed
    FACTS = "facts"  # a thing's facts to confirm or correct (a dwelling's use, area...)


@dataclass(frozen=True)
class FormColumn:
    key: str  # column of the rows frame
    header: str  # printed header (and what the reader looks for)
    width: float = 10
    kind: str = "text"  # text | id | int | check | wrap | key
    tick: bool = False  # a box to tick: printed □, read back as a mark
    write: bool = False  # a cell a person writes in: read back as text


@dataclass(frozen=True)
class FormSpec:
    """One kind of form."""

    workbook: str  # file name
    title: str  # "{group} 入户核查单（机到人）": {group} is the sheet's 居委
    columns: tuple[FormColumn, ...]
    notes: str = ""  # the filling instructions printed under the title
    centre: str = ""  # the page header's centre text
    footer: str = "&L核查人签名：________________&R核查日期：________________"
    key: str = "记录号"  # header of the key column
    record_sheet: str = "_记录"  # the very hidden sheet of full records
    blank_height: float = 24.0  # points: room to write by hand
    extra_sheets: tuple[str, ...] = field(default=())  # other hidden sheets it carries

    @property
    def ticks(self) -> tuple[str, ...]:
        """The headers of the boxes to tick, in order."""
        return tuple(c.header for c in self.columns if c.tick)

    @property
    def written(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.write)

    def needed(self) -> tuple[str, ...]:
        """Headers a sheet must show to be this form (the key and every box)."""
        return (self.key, *self.ticks)
