"""Correlation signals (§5.3, Figure 3): who observes what, and the joint play they induce.

A signal ``omega`` is drawn from ``sigma(omega | m)`` in every row ``m`` (a state, or a (t, s)
pair of a finite horizon) and each agent ``i`` acts on its *observation* ``o_i(omega)``:

* ``public`` (the paper's Figure 3): ``omega in {0..K-1}``, every agent observes ``omega``;
* ``private`` (a mediator's recommendations): ``omega = (omega_1, ..., omega_N)`` with
  ``omega_i in A_i``, agent ``i`` observes only ``omega_i`` (its recommended action).

Signals are flattened to one axis of size ``|Omega|`` (C order over ``(A_1, ..., A_N)`` for
private signals); ``observations[i]`` maps a flat signal to agent ``i``'s observation.

Shapes below: ``M`` rows, ``W = |Omega|``, ``K_i`` observations of agent ``i``,
``J = (A_1, ..., A_N)``; signal-conditioned executed policies ``(M, K_i, A_i)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from vsg_pyro.core.joint import agent_view

__all__ = ["SIGNALS", "SignalStructure", "play_tensor", "induced_joint", "signal_conditioned"]

SIGNALS: tuple[str, ...] = ("private", "public")
_MAX_PLAY_ENTRIES = 50_000_000


@dataclass(frozen=True)
class SignalStructure:
    """``kind`` (``"private"`` / ``"public"``), ``size`` = ``|Omega|``, ``observation_counts``
    = ``(K_1, ..., K_N)`` and ``observations``: per agent a ``(W,)`` long tensor."""

    kind: str
    size: int
    observation_counts: tuple[int, ...]
    observations: tuple[torch.Tensor, ...]

    @classmethod
    def build(
        cls, kind: str, action_counts: Sequence[int], public_size: int = 4
    ) -> SignalStructure:
        """Private: ``Omega = A_1 x ... x A_N``; public: ``Omega = {0..public_size-1}``."""
        counts = tuple(int(c) for c in action_counts)
        if kind == "private":
            size = math.prod(counts)
            flat = torch.arange(size)
            obs = torch.unravel_index(flat, counts)
            return cls(kind, size, counts, tuple(o.long() for o in obs))
        if kind == "public":
            if isinstance(public_size, bool) or int(public_size) != public_size or public_size < 1:
                raise ValueError(f"signal_size: must be an integer >= 1, got {public_size!r}")
            size = int(public_size)
            flat = torch.arange(size)
            return cls(kind, size, (size,) * len(counts), tuple(flat for _ in counts))
        raise ValueError(f"signal: must be one of {SIGNALS}, got {kind!r}")

    @property
    def n_agents(self) -> int:
        return len(self.observation_counts)

    def one_hot(self, agent: int) -> torch.Tensor:
        """``E[omega, o] = 1{o_agent(omega) = o}``: ``(W, K_agent)`` float64."""
        return torch.nn.functional.one_hot(self.observations[agent],
                                           self.observation_counts[agent]).to(torch.float64)

    def observation_marginal(self, sigma: torch.Tensor, agent: int) -> torch.Tensor:
        """``P(o_agent = o | m)``: ``(M, W) -> (M, K_agent)``."""
        return sigma @ self.one_hot(agent)


def play_tensor(
    structure: SignalStructure,
    sigma: torch.Tensor,
    executed: Sequence[torch.Tensor],
    exclude: int | None = None,
) -> torch.Tensor:
    """``P(m, omega, a) = sigma(omega | m) prod_{j != exclude} pi_bar_j(a_j | m, o_j(omega))``.

    Args:
        sigma: ``(M, W)``; executed: per agent ``(M, K_j, A_j)``.
        exclude: an agent left out (its action axis has size 1).

    Returns:
        ``(M, W, *J)`` (size 1 at ``exclude``).
    """
    n = len(executed)
    m, w = sigma.shape
    entries = m * w * math.prod(e.shape[-1] for j, e in enumerate(executed) if j != exclude)
    if entries > _MAX_PLAY_ENTRIES:
        raise ValueError(f"game: {entries:,} (row, signal, joint action) entries; correlated "
                         f"equilibria are computed densely and this game is too large")
    out = sigma.reshape(m, w, *([1] * n))
    for j, pol in enumerate(executed):
        if j == exclude:
            continue
        out = out * agent_view(pol[:, structure.observations[j]], j, n)
    return out


def induced_joint(
    structure: SignalStructure, sigma: torch.Tensor, executed: Sequence[torch.Tensor]
) -> torch.Tensor:
    """The joint action distribution ``mu(a | m) = sum_omega P(m, omega, a)``: ``(M, *J)``."""
    return play_tensor(structure, sigma, executed).sum(1)


def signal_conditioned(
    structure: SignalStructure, agent: int, play: torch.Tensor, sigma: torch.Tensor
) -> torch.Tensor:
    """Agent ``agent``'s opponent model given its observation:
    ``p_i(a_-i | m, o) = sum_{omega: o_i(omega) = o} P_-i(m, omega, a) / P(o | m)``.

    Args:
        play: :func:`play_tensor` with ``exclude=agent`` ``(M, W, *J)``.

    Returns:
        ``(M, K_i, *J)`` with size 1 at the agent's action axis (zero where ``P(o | m) = 0``).
    """
    e = structure.one_hot(agent)  # (W, K)
    joint = torch.tensordot(play.movedim(1, -1), e, dims=1).movedim(-1, 1)  # (M, K, *J)
    p_o = structure.observation_marginal(sigma, agent)  # (M, K)
    n = play.ndim - 2
    denom = p_o.reshape(*p_o.shape, *([1] * n))
    return torch.where(denom > 0, joint / denom.clamp_min(torch.finfo(joint.dtype).tiny),
                       torch.zeros_like(joint))
