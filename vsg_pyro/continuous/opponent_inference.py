"""Algorithm 3 for continuous actions: agent i infers its opponents' objective from the replay
buffer (eqs. 6-7) and models them as soft-optimal under it (eq. 5, Prop. 5.9).

Agent ``i`` treats the opponents' actions ``a_-i`` as one block.  Eq. (5) says the optimal
opponent model is ``p(a_-i | s) ∝ pi~(a_-i | s) exp(beta E_{a_i}[Q_-i(s, a)])``; agent ``i`` does
not know ``Q_-i`` and fits an energy ``f_psi(s, a_-i, a_i)`` in its place:

    p_psi(a_-i | s, a_i) ∝ pi~(a_-i) exp(beta f_psi(s, a_-i, a_i)),   pi~ uniform on the box.

**Eqs. (6)-(7), per observed step.**  The objective is the KL from the observed behaviour to
``p_psi``; per observed step ``(s, a_-i, a_i)`` of the buffer it is

    -beta f_psi(s, a_-i, a_i) + log E_{a ~ pi~}[exp(beta f_psi(s, a, a_i))],

whose log-partition is estimated, as eq. (7) does, by self-normalised importance sampling
from a proposal ``q`` (the current opponent model ``P``, samples detached): ``K`` samples,
weights ``w_k = exp(beta f(s, a_k, a_i)) pi~(a_k) / q(a_k | s)``, gradient ``-beta grad f(s,
a_obs) + sum_k (w_k / Z) beta grad f(s, a_k)``.  (The paper writes the KL over whole
trajectories; with continuous actions the trajectory-level weights degenerate, so it is
taken step by step here, each observed state the start of a one-step trajectory.)

**The inferred reward.**  ``f_psi`` plays the opponents' soft action value; their reward
follows by the inverse soft Bellman equation, ``r^(s, a) = f(s, a) - gamma V_f(s')`` with
``V_f(s') = (1/beta) log E_{pi~}[exp(beta f(s', a', a_i'))]`` (:meth:`inferred_reward`; with
``gamma = 0`` it is ``f``).

**Eq. (5) as MAI's opponent prior.**  MAI's prior ``P(a_-i | s)`` (in the model of
:mod:`vsg_pyro.models.continuous`) is fitted to ``p_psi`` by minimising ``KL(P || p_psi) =
E_{a ~ P}[log P(a | s) - beta f_psi(s, a, a_i)] + const`` (reparameterised samples; ``a_i``
from the buffer), instead of by maximum likelihood on the observed actions (behaviour
cloning, :class:`~vsg_pyro.continuous.mai.MAIConfig`'s other ``opponent`` option).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch

from vsg_pyro.guides.neural import mlp

__all__ = ["OpponentEnergy"]


class OpponentEnergy(torch.nn.Module):
    """``f_psi(s, a_-i, a_i)`` and its fit by eqs. (6)-(7) (module docstring).

    Args:
        state_dim, others_dim, own_dim: sizes; low, high: the opponents' action box
            ``(others_dim,)``; hidden: the network's hidden widths; samples: ``K``.
    """

    def __init__(self, state_dim: int, others_dim: int, own_dim: int, low: torch.Tensor,
                 high: torch.Tensor, hidden: Sequence[int] = (64, 64), samples: int = 16) -> None:
        super().__init__()
        if samples < 1:
            raise ValueError(f"samples: must be >= 1, got {samples}")
        self.net = mlp([state_dim + others_dim + own_dim, *hidden, 1])
        self.samples = int(samples)
        self.register_buffer("log_volume", torch.log(torch.as_tensor(high) - torch.as_tensor(low))
                             .sum())

    def forward(self, states: torch.Tensor, others: torch.Tensor,
                own: torch.Tensor) -> torch.Tensor:
        """``f(s, a_-i, a_i)`` ``(...,)`` for inputs with matching leading axes."""
        return self.net(torch.cat([states, others, own], -1)).squeeze(-1)

    def log_partition(self, states: torch.Tensor, own: torch.Tensor, beta: float,
                      proposal: Callable[[torch.Tensor], torch.distributions.Distribution]
                      ) -> torch.Tensor:
        """``log E_{a ~ pi~}[exp(beta f(s, a, a_i))]`` ``(B,)`` by importance sampling from
        ``proposal(states)`` (detached samples)."""
        with torch.no_grad():
            q = proposal(states)
            draws = q.sample((self.samples,))  # (K, B, others_dim)
            log_q = q.log_prob(draws)  # (K, B)
        k = self.samples
        energy = beta * self(states.expand(k, *states.shape), draws, own.expand(k, *own.shape))
        log_prior = -self.log_volume  # uniform pi~ on the box
        return torch.logsumexp(energy + log_prior - log_q, 0) - math.log(k)

    def loss(self, states: torch.Tensor, others: torch.Tensor, own: torch.Tensor, beta: float,
             proposal: Callable[[torch.Tensor], torch.distributions.Distribution]) -> torch.Tensor:
        """Eqs. (6)-(7) per observed step, averaged over the batch (a scalar to minimise)."""
        observed = beta * self(states, others, own)
        return (self.log_partition(states, own, beta, proposal) - observed).mean()

    def prior_loss(self, prior: Callable[[torch.Tensor], torch.distributions.Distribution],
                   states: torch.Tensor, own: torch.Tensor, beta: float) -> torch.Tensor:
        """``KL(P || p_psi)`` up to a constant, for fitting MAI's opponent prior ``P`` to eq. (5)
        (reparameterised samples of ``P``; ``f`` is not trained by this loss)."""
        p = prior(states)
        draws = p.rsample()
        energy = beta * self(states, draws, own)
        return (p.log_prob(draws) - energy).mean()

    def inferred_reward(self, states: torch.Tensor, others: torch.Tensor, own: torch.Tensor,
                        next_states: torch.Tensor, next_own: torch.Tensor, beta: float,
                        gamma: float,
                        proposal: Callable[[torch.Tensor], torch.distributions.Distribution]
                        ) -> torch.Tensor:
        """``r^(s, a) = f(s, a) - gamma V_f(s')`` ``(B,)`` (module docstring)."""
        with torch.no_grad():
            f = self(states, others, own)
            if gamma == 0.0:
                return f
            v_next = self.log_partition(next_states, next_own, beta, proposal) / beta
            return f - gamma * v_next
