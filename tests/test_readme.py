"""The README must not drift from the command line it documents.

Every command that ``recon --help`` lists must be named in the README as
``recon <command>``, every long option of the program and of each command
(``--system``, ``--out``, ...) must appear in it, and the two set-up commands
of CONTRACT.md must stand in it exactly, each alone in a code block. The
command reference quotes every help text of ``--help`` word for word.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from recon.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

INSTALL_AND_DEMO = "pip install . && recon demo"
INSTALL_AND_TEST = 'pip install ".[test]" && pytest'


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _cli() -> dict[str, list[str]]:
    """Command name -> its long options; the program's own options under ''."""
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    assert commands, "recon --help lists no command"

    def long_options(command: object) -> list[str]:
        found = []
        for param in getattr(command, "params", []):
            for opt in [*param.opts, *param.secondary_opts]:
                if opt.startswith("--"):
                    found.append(opt)
        return found

    table = {"": long_options(group)}
    for name, command in commands.items():
        if not getattr(command, "hidden", False):
            table[name] = long_options(command)
    return table


def _mentions_command(text: str, name: str) -> bool:
    return re.search(rf"recon {re.escape(name)}(?![\w-])", text) is not None


def _mentions_option(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def _undocumented(text: str) -> list[str]:
    """What the CLI offers that ``text`` does not mention."""
    missing = []
    for name, options in _cli().items():
        if name and not _mentions_command(text, name):
            missing.append(f"recon {name}")
        for option in options:
            if not _mentions_option(text, option):
                missing.append(f"{('recon ' + name).strip()} {option}")
    return missing


def _code_blocks(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)]


def test_every_command_and_long_option_is_in_the_readme() -> None:
    missing = _undocumented(_readme())
    assert not missing, "README.md does not mention: " + ", ".join(missing)


def test_command_reference_quotes_every_help_text() -> None:
    text = _readme()
    group = typer.main.get_command(app)
    missing = []
    for name, command in [("", group), *getattr(group, "commands", {}).items()]:
        helps = [command.help, *(getattr(p, "help", None) for p in command.params)]
        missing += [f"{('recon ' + name).strip()}: {h}" for h in helps if h and h not in text]
    assert not missing, "README.md command reference lacks: " + "; ".join(missing)


@pytest.mark.parametrize("command", [INSTALL_AND_DEMO, INSTALL_AND_TEST])
def test_setup_command_stands_alone_in_a_code_block(command: str) -> None:
    assert command in _code_blocks(_readme())


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert INSTALL_AND_TEST.replace('"', "'") in ci.replace('"', "'")


def test_the_check_notices_a_missing_command_or_option() -> None:
    """Guard the guard: a README lacking a command or an option must fail."""
    text = _readme()
    table = _cli()
    name = next(n for n in table if n)
    without_command = re.sub(rf"recon {re.escape(name)}(?![\w-])", "recon", text)
    assert f"recon {name}" in _undocumented(without_command)
    option = next(o for opts in table.values() for o in opts if o != "--help")
    without_option = re.sub(rf"(?<![\w-]){re.escape(option)}(?![\w-])", "", text)
    assert any(m.endswith(" " + option) for m in _undocumented(without_option))
    assert INSTALL_AND_TEST not in _code_blocks(text.replace(INSTALL_AND_TEST, "pytest"))
