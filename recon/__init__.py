"""recon: reconcile door-to-door field sheets with the police register."""

__version__ = "0.1.0"

__all__ = ["__version__"]
