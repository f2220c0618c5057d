"""Old import paths kept for one release after a module moved (issue 12's package layout).

A shim module at the old path holds only::

    from vsg_pyro._deprecated import moved

    moved(__name__, "vsg_pyro.opponent.inference")

:func:`moved` warns once per import of the old path and puts the new module into
``sys.modules`` under the old name, so ``import old``, ``from old import name`` (private names
included) and ``old.name is new.name`` all keep working: the two paths are one module object.
"""

from __future__ import annotations

import importlib
import sys
import warnings

__all__ = ["moved"]


def moved(old_name: str, new_name: str) -> None:
    """Make module ``old_name`` an alias of ``new_name`` (sys.modules), warning DeprecationWarning.

    Call it from the shim module at the old path with ``old_name=__name__``.  The warning points
    at the line that imported the old path (the import machinery's frames are skipped).
    """
    warnings.warn(f"{old_name} moved to {new_name}; the old path goes in the next release",
                  DeprecationWarning, stacklevel=3)
    sys.modules[old_name] = importlib.import_module(new_name)
