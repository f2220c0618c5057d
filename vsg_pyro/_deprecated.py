"""Old import paths kept for one release after the package layout of issue 12.

A shim module at an old path calls :func:`moved`, which warns (``DeprecationWarning``) and makes
the old name an alias of the new module in ``sys.modules``, so every name, private ones too,
stays importable from the old path and ``old is new`` holds.
"""

from __future__ import annotations

import importlib
import sys
import warnings

__all__ = ["moved"]


def moved(old_name: str, new_name: str) -> None:
    """Make module ``old_name`` an alias of ``new_name``, warning ``DeprecationWarning``."""
    warnings.warn(f"{old_name} moved to {new_name}; the old path goes in the next release",
                  DeprecationWarning, stacklevel=3)
    sys.modules[old_name] = importlib.import_module(new_name)
