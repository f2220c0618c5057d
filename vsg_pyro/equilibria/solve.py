"""solve(): one entry point for every concept (the CLI's ``vsg solve`` calls it), a table over
the concept packages :mod:`vsg_pyro.equilibria.nash`, :mod:`~vsg_pyro.equilibria.zero_sum`,
:mod:`~vsg_pyro.equilibria.correlated` and :mod:`~vsg_pyro.equilibria.mean_field`."""

from __future__ import annotations

import inspect
from typing import Any

from vsg_pyro.equilibria import correlated, mean_field, nash, zero_sum
from vsg_pyro.equilibria._common import METHODS, OPTIMIZERS
from vsg_pyro.equilibria.legacy import translate_legacy_options
from vsg_pyro.equilibria.results import Solution

__all__ = ["solve", "SOLVERS", "CONCEPTS", "METHODS", "OPTIMIZERS", "concept_options"]

SOLVERS = {"nash": nash.solve, "zero-sum": zero_sum.solve, "correlated": correlated.solve,
           "mean-field": mean_field.solve}
CONCEPTS: tuple[str, ...] = tuple(SOLVERS)


def concept_options(concept: str) -> dict[str, inspect.Parameter]:
    """The keyword options of ``concept``'s ``solve`` (name -> parameter with its default)."""
    params = inspect.signature(SOLVERS[concept]).parameters
    return {n: p for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}


def solve(game: Any, concept: str = "nash", method: str = "svi", **options: Any) -> Solution:
    """Solve ``game`` for an equilibrium ``concept`` (one of :data:`CONCEPTS`) by ``method``
    (``"svi"`` or ``"exact"``).  ``options`` are the keywords of that concept's ``solve``
    (e.g. :func:`vsg_pyro.equilibria.nash.solve`); an option the concept does not take raises
    ``TypeError`` naming it, and ``None`` asks for the concept's default.  Returns the concept's frozen result
    (:mod:`vsg_pyro.equilibria.results`), whose ``converged`` is its certificate."""
    if concept not in SOLVERS:
        raise ValueError(f"concept: must be one of {CONCEPTS}, got {concept!r}")
    options = translate_legacy_options(concept, options)
    known = concept_options(concept)
    unknown = sorted(set(options) - set(known))
    # None asks for the concept's default
    options = {k: v for k, v in options.items() if v is not None or k not in known}
    if unknown:
        raise TypeError(f"solve(concept={concept!r}): option(s) {', '.join(unknown)} do not "
                        f"apply; {concept} takes {', '.join(known)}")
    return SOLVERS[concept](game, method=method, **options)
