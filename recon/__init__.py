"""recon: reconcile door-to-door field sheets with the police register.

The library behind the ``recon`` command; every command is one of these
functions, and the command line only parses options and prints::

    import recon
    field = recon.load("采集表/", side="field")          # records with provenance
    system = recon.load("系统导出.csv", side="system")
    result = recon.match_records(field.records, system.records, recon.load_rules().matching)
    run = recon.match(["采集表/"], ["系统导出.csv"], "结果/")  # the whole job, files written
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "ReconError",
    "RulesError",
    "UsageError",
    "__version__",
    "inspect_files",
    "load",
    "load_rules",
    "match",
    "match_records",
    "parse_address",
    "parse_id",
]

if TYPE_CHECKING:
    from recon.errors import InputError, ReconError, RulesError, UsageError
    from recon.inspect import inspect_files
    from recon.loaders import load
    from recon.matchers import match_records
    from recon.normalize.address import parse_address
    from recon.normalize.ids import parse_id
    from recon.pipeline import run_match as match
    from recon.rules import load_rules

_WHERE = {
    "InputError": ("recon.errors", "InputError"),
    "ReconError": ("recon.errors", "ReconError"),
    "RulesError": ("recon.errors", "RulesError"),
    "UsageError": ("recon.errors", "UsageError"),
    "inspect_files": ("recon.inspect", "inspect_files"),
    "load": ("recon.loaders", "load"),
    "load_rules": ("recon.rules", "load_rules"),
    "match": ("recon.pipeline", "run_match"),
    "match_records": ("recon.matchers", "match_records"),
    "parse_address": ("recon.normalize.address", "parse_address"),
    "parse_id": ("recon.normalize.ids", "parse_id"),
}


def __getattr__(name: str) -> Any:
    """Import on first use: `recon --help` need not load pandas."""
    if name in _WHERE:
        import importlib

        module, attr = _WHERE[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'recon' has no attribute {name!r}")
