"""The results of :func:`vsg_pyro.solve`: one frozen dataclass per concept, built by keyword.

Every result records what was solved (``game``, ``concept``, ``method``, ``family``, ``beta``),
the answer (``policies``), how the run went (``iterations``, ``converged``, ``certificate``,
``reason``, ``seconds``, ``trace``, ``elbo``, ``loss``) and the options it was called with
(``parameters``), as pygambit's results do.  ``converged`` is ``certificate.holds``: the
concept's certificate of equilibrium at the returned policies (see
:mod:`vsg_pyro.core.loop`), never "the steps became small".

Shapes: ``policies`` per agent ``(H?, S, A_i)`` (mean field: one ``(T, S, A)``); ``joint``
``(H?, S, A_1, ..., A_N)``; ``signal`` ``(H?, S, W)``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import torch

from vsg_pyro.core.protocol import Certificate
from vsg_pyro.metrics.exploitability import ExploitabilityReport
from vsg_pyro.metrics.mean_field import MeanFieldReport

__all__ = ["Solution", "NashSolution", "ZeroSumSolution", "CorrelatedSolution",
           "MeanFieldSolution"]


@dataclass(frozen=True, kw_only=True)
class Solution:
    """What every concept's result holds (module docstring).

    ``report``: the exact exploitability of ``policies``
    (:class:`~vsg_pyro.metrics.ExploitabilityReport`; mean field:
    :class:`~vsg_pyro.metrics.mean_field.MeanFieldReport`); ``elbo``/``loss``: per agent,
    the eq. (3) ELBO of the policies and the SVI loss at every step (``loss`` is empty for
    ``method="exact"``); ``guides``: the agents' guides (``method="svi"``); ``state``: the
    solver's final state (continue with ``solver.step``).
    """

    game: str
    concept: str
    method: str
    family: str
    beta: float
    policies: list[torch.Tensor]
    report: ExploitabilityReport | MeanFieldReport
    iterations: int
    converged: bool
    certificate: Certificate
    reason: str
    seconds: float
    trace: list[dict] = field(repr=False)
    elbo: list[list[float]] = field(repr=False)
    loss: list[list[float]] = field(repr=False)
    parameters: dict[str, Any] = field(default_factory=dict, repr=False)
    guides: list | None = field(default=None, repr=False)
    state: Any = field(default=None, repr=False)

    @property
    def exploitability(self) -> float:
        """Max over agents of the exact best-response gain of ``policies``."""
        return float(self.report.exploitability)

    @property
    def nash_conv(self) -> float:
        """Sum over agents of the exact best-response gains (mean field: the exploitability)."""
        return float(getattr(self.report, "nash_conv", self.report.exploitability))

    def _replace(self, **changes: Any) -> Solution:
        """A copy with some fields replaced (as ``NamedTuple._replace``)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, kw_only=True)
class NashSolution(Solution):
    """Nash equilibrium (§5.1)."""


@dataclass(frozen=True, kw_only=True)
class ZeroSumSolution(Solution):
    """Two-player zero-sum equilibrium (§5.4): ``joint`` (product of the policies), its
    ``ce_gap``/``cce_gap``/``welfare``, agent 0's unregularised ``value`` and the Shapley
    minimax value as ``reference``."""

    joint: torch.Tensor = field(repr=False)
    ce_gap: float
    cce_gap: float
    welfare: float
    value: float
    reference: float


@dataclass(frozen=True, kw_only=True)
class CorrelatedSolution(Solution):
    """Correlated equilibrium (§5.3, Figure 3).  ``policies``: the agents' marginal action
    distributions; ``report``: their Nash exploitability *as if played independently*;
    ``joint``: the induced joint; ``ce_gap``/``cce_gap``/``welfare`` of it; ``ce_bound``: the
    CE gap the certificate allows at ``beta``; ``signal``: the learned signal distribution;
    ``reference``: the welfare of the max-welfare CE (HiGHS; normal-form games, else None)."""

    joint: torch.Tensor = field(repr=False)
    ce_gap: float
    cce_gap: float
    welfare: float
    ce_bound: float
    signal: torch.Tensor = field(repr=False)
    reference: float | None = None


@dataclass(frozen=True, kw_only=True)
class MeanFieldSolution(Solution):
    """Mean-field equilibrium (§5.2, Algorithm 4).  ``policies``: the one representative
    policy ``(T, S, A)``; ``report``: its exact mean-field exploitability; ``flow``: its mean
    field ``(T, S, A)``; ``value``: its value."""

    flow: torch.Tensor = field(repr=False)
    value: float

    @property
    def joint(self) -> torch.Tensor:
        """The mean field (the name the single result type used)."""
        return self.flow
