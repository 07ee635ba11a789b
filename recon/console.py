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
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["err", "make_progress", "out"]

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
