"""Moved to :mod:`recon.csvio` (CSV files are read back by every later command,
so they belong to no writer); kept so that old imports still work."""

from recon.csvio import neutralise, read_csv, write_csv

__all__ = ["neutralise", "read_csv", "write_csv"]
