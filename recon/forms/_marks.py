"""Reading the marks a person writes in a form's boxes.

A clerk ticks in Excel or WPS with whatever is at hand -- √ ✓ ☑ ■ 1 是 对 Y,
or the option's own word -- or writes over the printed □ ("√□"). Besides a
tick, a cross or a no-word (× X 否 N 不) says "not this box", and a circle
(○) is ambiguous: forms use it both as "chosen" (a box circled) and as an
empty box, so its meaning depends on the rest of the row (see
:meth:`Boxes.choice`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from recon.loaders import cell_text

__all__ = ["Boxes", "mark_state", "read_boxes", "tick_state"]

_TICKS = {
    "√",
    "✓",
    "✔",
    "☑",
    "☒",
    "■",
    "●",
    "◆",
    "▲",
    "★",
    "1",
    "是",
    "Y",
    "YES",
    "V",
    "对",
    "有",
    "✅",
}
_EMPTY = {"", "□", "☐", "○", "◯", "0", "否", "N", "NO", "-", "—"}
_NO = {"×", "✗", "✘", "X", "╳", "否", "N", "NO", "不", "不是", "无"}
_CIRCLE = {"○", "◯", "〇", "⭕", "O"}
_BLANK_CELLS = {"", "□", "☐"}


def tick_state(text: object, option: str) -> str:
    """'ticked', 'empty' or 'unknown' for one tick cell of ``option``.

    A cell may hold a tick mark, the option's own word, or the printed box
    with a mark in front of or instead of it ("√□", "☑").
    """
    s = unicodedata.normalize("NFKC", cell_text(text)).strip().upper()
    if s in _EMPTY:
        return "empty"
    if s in _TICKS or s == option or s.replace(" ", "") == option:
        return "ticked"
    stripped = s.replace("□", "").replace("☐", "").strip()
    if stripped in _TICKS or stripped == option:
        return "ticked"
    return "unknown"


def mark_state(text: object, option: str) -> str:
    """'ticked', 'empty', 'no' (×, 否), 'circle' (○) or 'unknown' for one tick cell.

    As ``tick_state``, and besides: a cross or a no-word, which says "not
    this box", and a circle, whose meaning depends on the rest of the row.
    """
    if text is None or text in _BLANK_CELLS:
        return "empty"  # most boxes: as printed
    s = unicodedata.normalize("NFKC", cell_text(text)).strip().upper()
    bare = s.replace("□", "").replace("☐", "").strip()
    if bare in _NO:
        return "no"
    if bare in _CIRCLE:
        return "circle"
    state = tick_state(text, option)
    if state == "unknown" and option in s and len(s) <= len(option) + 2:
        return "ticked"  # the word with a stray character: "已离开了", "√已离开"
    return state


@dataclass
class Boxes:
    """The boxes of one row, read with :func:`mark_state`."""

    texts: dict[str, str]  # option -> the cell as written
    states: dict[str, str] = field(default_factory=dict)  # option -> mark_state
    _by_state: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for option, state in self.states.items():
            self._by_state.setdefault(state, []).append(option)

    def having(self, state: str) -> list[str]:
        """The options whose box holds ``state``, in the form's order."""
        return list(self._by_state.get(state, ()))

    @property
    def ticked(self) -> list[str]:
        return self.having("ticked")

    @property
    def filled(self) -> bool:
        """Anything written in a box beyond the printed □."""
        return len(self._by_state.get("empty", ())) < len(self.states)

    def choice(self) -> tuple[str, str]:
        """The one option chosen, read the way a person would, and how.

        ("option", "") for one clear tick; ("option", "circle") for a lone ○,
        read as the choice (○ also means "not chosen" on some forms: the caller
        asks for it to be confirmed); ("", why) when no single option is
        chosen -- why: "several" (ticks in several boxes), "unknown" (a mark
        nobody can read), "circles" (○ in several boxes and no tick), "no"
        (only crosses) or "" (nothing written). A circle or a cross beside a
        clear tick only says "not this one".
        """
        ticked = self.ticked
        if len(ticked) > 1:
            return "", "several"
        if self.having("unknown"):
            return "", "unknown"
        if ticked:
            return ticked[0], ""
        circled = self.having("circle")
        if len(circled) == 1:
            return circled[0], "circle"
        if circled:
            return "", "circles"
        if self.having("no"):
            return "", "no"
        return "", ""


def read_boxes(get: Callable[[str], str] | Mapping[str, object], options: tuple[str, ...]) -> Boxes:
    """The boxes ``options`` of one row; ``get`` gives a cell's text by header."""
    cell = get if callable(get) else (lambda o: get.get(o, ""))
    texts = {o: v if isinstance(v := cell(o), str) else cell_text(v) for o in options}
    return Boxes(texts, {o: mark_state(t, o) for o, t in texts.items()})
