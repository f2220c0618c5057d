"""Param-store scoping: a fresh start for a run's own guide parameters.

Every agent's parameters carry its name (``"{agent}/..."``), so several agents, and the
mediator, share Pyro's one param store.  :func:`clear_params` drops the named parameters (the
ones the solver's built-in guides are about to create, from their ``param_names``) before a
run, so that a run does not continue from another run's values; every other parameter, a
user's own guide's included, is left alone.  (Pyro's ``pyro.get_param_store().scope()``
swaps the whole store instead; the solvers keep their parameters in the global store so that
users can inspect them after a run.)
"""

from __future__ import annotations

from collections.abc import Iterable

import pyro

__all__ = ["clear_params"]


def clear_params(names: Iterable[str]) -> list[str]:
    """Delete the parameters ``names`` that are in Pyro's param store; returns those deleted."""
    store = pyro.get_param_store()
    stale = [name for name in dict.fromkeys(names) if name in store]
    for name in stale:
        del store[name]
    return stale
