"""Merging the copies of one form read back.

A form usually goes out whole to several people (each 居委 gets the whole
workbook and fills its own sheet) and comes back as several copies: a line
(one key) may then be blank in some copies and filled in one, or -- a
mistake to show, never to settle silently -- filled differently in two.
Per key: a filled line beats a blank one; lines filled alike are one
reading; lines filled differently are a conflict, and none of them is
taken. A key twice on one sheet is a line copied by hand (said by the
caller). What "filled" and "the same reading" mean is the line's own
business (:class:`Line`); a file given twice is dropped before
(``read_form`` reads identical files once).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, Protocol, TypeVar

__all__ = ["Line", "Merged", "merge_copies", "place"]


class Line(Protocol):
    """One line of a form as one copy shows it."""

    @property
    def key(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def sheet(self) -> str: ...
    @property
    def row(self) -> int: ...
    @property
    def filled(self) -> bool:
        """Anything written in it beyond what was printed."""
        ...

    def reading(self) -> Hashable:
        """What the line says, compared between copies (equal: the same reading)."""
        ...


L = TypeVar("L", bound=Line)


def place(file: str, sheet: str, row: object) -> str:
    """A line's place as a clerk finds it: "东兰.xlsx／东兰 第7行"."""
    return f"{file}／{sheet} 第{row}行"


@dataclass
class Merged(Generic[L]):
    """Every copy's line of one key, and what they say together."""

    key: str
    lines: list[L]  # in the order read
    # a line whose key an earlier line of the same sheet has, with that earlier row
    repeats: list[tuple[L, int]] = field(default_factory=list)

    # (cached: asked once the copies are all read)
    @cached_property
    def filled(self) -> list[L]:
        return [r for r in self.lines if r.filled]

    @cached_property
    def conflict(self) -> bool:
        """Two copies filled differently: none is taken."""
        filled = self.filled
        return len(filled) > 1 and len({r.reading() for r in filled}) > 1

    @property
    def chosen(self) -> L | None:
        """The line taken: the first filled one when every fill says the same,
        the first line when none is filled; None on a conflict."""
        if self.conflict:
            return None
        filled = self.filled
        return filled[0] if filled else self.lines[0]


def merge_copies(lines: Iterable[L]) -> list[Merged[L]]:
    """The lines of every copy, grouped per key (in the order keys are first met)."""
    by_key: dict[str, Merged[L]] = {}
    first_in_sheet: dict[tuple[str, str, str], int] = {}
    for line in lines:
        merged = by_key.get(line.key)
        if merged is None:
            merged = by_key[line.key] = Merged(line.key, [])
        merged.lines.append(line)
        row = first_in_sheet.setdefault((line.key, line.file, line.sheet), line.row)
        if row != line.row:
            merged.repeats.append((line, row))
    return list(by_key.values())
