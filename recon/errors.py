"""One error hierarchy for everything recon refuses to do.

Every message is meant for office staff: Simplified Chinese, naming the file,
sheet, row and column where that applies, and saying what to do. Messages
never carry personal data (names, ID numbers, addresses) -- coordinates only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InputError", "ReconError", "RulesError", "UsageError", "Where"]


@dataclass(frozen=True)
class Where:
    """Coordinates of a problem in an input file (all optional)."""

    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件「{self.file}」")
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列「{self.column}」")
        return "，".join(parts)


class ReconError(Exception):
    """Base of every error recon reports to a user (exit code 1)."""

    exit_code = 1

    def __init__(self, message: str, where: Where | None = None, hint: str = "") -> None:
        self.message = message
        self.where = where or Where()
        self.hint = hint
        super().__init__(self.render())

    def __reduce__(self) -> tuple[object, ...]:
        # errors raised in a worker process must arrive whole in the parent
        return (_restore, (type(self), self.__dict__.copy()))

    def render(self) -> str:
        place = self.where.describe()
        text = f"{place}：{self.message}" if place else self.message
        if self.hint:
            text += f"。{self.hint}" if not text.endswith(("。", "！", "？")) else self.hint
        return text


def _restore(cls: type[ReconError], state: dict[str, object]) -> ReconError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.render())
    return error


class InputError(ReconError):
    """An input file or folder cannot be used as it is."""


class RulesError(ReconError):
    """A rules or mapping file is invalid; lists every error found at once."""

    def __init__(self, problems: list[str], file: str = "") -> None:
        self.problems = problems
        body = "；".join(problems)
        super().__init__(
            f"规则文件有 {len(problems)} 处错误：{body}",
            Where(file=file),
            "请按提示修改后重试",
        )


class UsageError(ReconError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2
