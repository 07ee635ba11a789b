"""The one place terminal output is made: rich consoles and progress bars.

Messages, progress and summaries go to stderr (``err``); the result of a
look-up command (``recon id``, ``recon address``, ``recon inspect``) goes to
stdout (``out``). Neither ever carries personal data from input files except
where the user asked for exactly that value (``recon id TEXT``).
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["StepProgress", "err", "make_progress", "out"]

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def make_progress(console: Console | None = None) -> Progress:
    """A progress display on stderr: spinner, description, bar, counts, time."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console or err,
        transient=False,
    )


class StepProgress:
    """A progress bar per step of a long job; ``step("file")`` advances.

    Used as ``on_step`` callback: ``step(name, total)`` closes the running
    step and opens the next (``total`` None: a step with no count).
    """

    def __init__(self, labels: dict[str, str], console: Console | None = None) -> None:
        self.labels = labels
        self.progress = make_progress(console)
        self.task: TaskID | None = None

    def __enter__(self) -> StepProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._close()
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def _close(self) -> None:
        if self.task is not None:
            done = self.progress.tasks[self.task].completed or 1
            self.progress.update(self.task, total=done, completed=done)

    def step(self, name: str, total: int | None = None) -> None:
        if name == "file":
            if self.task is not None:
                self.progress.advance(self.task)
            return
        self._close()
        self.task = self.progress.add_task(self.labels.get(name, name), total=total)
