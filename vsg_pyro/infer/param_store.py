"""Param-store scoping: a fresh start for some agents' parameters.

Every agent's parameters carry its name (``"{agent}/..."``), so several agents, and the
mediator, share Pyro's one param store.  :func:`clear_agent_params` drops the parameters of the
named agents (and nothing else) before a run, so that a run does not continue from another
run's parameters; other agents' and the user's parameters are left alone.  (Pyro's
``pyro.get_param_store().scope()`` swaps the whole store instead; the solvers keep their
parameters in the global store so that users can inspect them after a run.)
"""

from __future__ import annotations

from collections.abc import Iterable

import pyro

__all__ = ["clear_agent_params"]


def clear_agent_params(agent_names: Iterable[str]) -> list[str]:
    """Delete every parameter named ``"{agent}/..."`` for the given agents; returns the names
    deleted."""
    prefixes = tuple(f"{name}/" for name in agent_names)
    store = pyro.get_param_store()
    stale = [name for name in list(store.keys()) if name.startswith(prefixes)]
    for name in stale:
        del store[name]
    return stale
