"""Neural guides for continuous actions (MAI, Algorithm 2): agent i's policy
``pi_theta(a_i | s, a_-i)`` and opponent model ``rho_phi(a_-i | s)`` as ``PyroModule``s.

Both are **tanh-squashed Gaussians on a box** ``[low, high]``: ``u ~ Normal(mu, sigma)``,
``a = low + (high - low) (tanh(u) + 1) / 2``.  They are ``TransformedDistribution``s
(``TanhTransform`` then ``AffineTransform``), so samples are reparameterised (``rsample``) and
``log_prob`` carries the exact log-det-Jacobian of the squashing:

    log p(a) = log N(u; mu, sigma) - sum_k [log(1 - tanh(u_k)^2) + log((high_k - low_k) / 2)].

:class:`ContinuousAgentGuide` is the guide of :func:`vsg_pyro.models.continuous.continuous_agent_model`:
inside the model's plate over a batch of states it samples the opponents' actions from
``rho_phi`` at :func:`~vsg_pyro.models.continuous.opponent_action_site`, then its own action from
``pi_theta`` at :func:`~vsg_pyro.models.continuous.own_action_site`.  Module names carry the
agent's name, so several agents' networks coexist in one param store.  Shapes: states
``(B, state_dim)``, actions ``(B, action_dim)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyro
import pyro.distributions as dist
import torch
from pyro.distributions.transforms import AffineTransform, TanhTransform
from pyro.nn import PyroModule

__all__ = ["squashed_gaussian", "squashed_mode", "ClampedTanhTransform", "GaussianHead", "ConditionalPolicy",
           "OpponentModel", "ContinuousAgentGuide", "mlp"]

LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0


class ClampedTanhTransform(TanhTransform):
    """``TanhTransform`` whose inverse clamps to ``(-1 + eps, 1 - eps)``: scoring a value on the
    box's boundary (float32 ``tanh`` saturates) gives a finite log-density instead of NaN.
    Samples drawn through ``rsample`` are scored from the cache, exactly."""

    def _inverse(self, y: torch.Tensor) -> torch.Tensor:
        eps = 1e-6 if y.dtype == torch.float32 else 1e-12
        return torch.atanh(y.clamp(-1 + eps, 1 - eps))


def squashed_gaussian(mu: torch.Tensor, log_std: torch.Tensor, low: torch.Tensor,
                      high: torch.Tensor) -> dist.TransformedDistribution:
    """The tanh-squashed Gaussian on ``[low, high]`` (module docstring), one event of
    ``action_dim`` (``.to_event(1)``): ``mu``, ``log_std`` ``(B, action_dim)``."""
    base = dist.Normal(mu, log_std.clamp(LOG_STD_MIN, LOG_STD_MAX).exp())
    squashed = dist.TransformedDistribution(
        base, [ClampedTanhTransform(cache_size=1),
               AffineTransform((high + low) / 2, (high - low) / 2, cache_size=1)])
    return squashed.to_event(1)


def squashed_mode(d: dist.Distribution) -> torch.Tensor:
    """The image of the base Gaussian's mean under the squashing (``tanh`` of ``mu``, scaled
    onto the box) of a :func:`squashed_gaussian`: ``(B, action_dim)``."""
    x = d.base_dist.base_dist.loc
    for t in d.base_dist.transforms:
        x = t(x)
    return x


def mlp(sizes: Sequence[int]) -> torch.nn.Sequential:
    """A ReLU network ``sizes[0] -> ... -> sizes[-1]`` (no activation on the output)."""
    layers: list[torch.nn.Module] = []
    for k in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[k], sizes[k + 1]))
        if k + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class GaussianHead(PyroModule):
    """``x (B, in_dim) -> squashed Gaussian over (B, action_dim)`` on ``[low, high]``."""

    def __init__(self, in_dim: int, action_dim: int, low: torch.Tensor, high: torch.Tensor,
                 hidden: Sequence[int] = (64, 64), init_log_std: float = 0.0, name: str = "") -> None:
        super().__init__(name=name)
        dtype = torch.get_default_dtype()
        low = torch.as_tensor(low, dtype=dtype).reshape(-1).expand(action_dim)
        high = torch.as_tensor(high, dtype=dtype).reshape(-1).expand(action_dim)
        if not (high > low).all():
            raise ValueError(f"high must exceed low in every coordinate, got {low} and {high}")
        self.register_buffer("low", low.clone())
        self.register_buffer("high", high.clone())
        self.action_dim = action_dim
        self.net = mlp([max(in_dim, 1), *hidden, 2 * action_dim])
        with torch.no_grad():  # start near the centre of the box with std exp(init_log_std)
            last = self.net[-1]
            last.weight.mul_(0.01)
            last.bias.zero_()
            last.bias[action_dim:] = init_log_std

    def forward(self, x: torch.Tensor) -> dist.TransformedDistribution:
        if x.shape[-1] == 0:
            x = torch.zeros(*x.shape[:-1], 1, dtype=x.dtype)
        mu, log_std = self.net(x).split(self.action_dim, -1)
        return squashed_gaussian(mu, log_std, self.low, self.high)


class ConditionalPolicy(GaussianHead):
    """``pi_theta(a_i | s, a_-i)``: input ``cat(s, a_-i)``."""

    def __init__(self, state_dim: int, own_dim: int, others_dim: int, low, high,
                 hidden: Sequence[int] = (64, 64), init_log_std: float = 0.0) -> None:
        super().__init__(state_dim + others_dim, own_dim, low, high, hidden, init_log_std)

    def forward(self, state: torch.Tensor, others: torch.Tensor) -> dist.TransformedDistribution:  # type: ignore[override]
        return super().forward(torch.cat([state, others], -1))


class OpponentModel(GaussianHead):
    """``rho_phi(a_-i | s)`` (all opponents' actions as one vector): input ``s``.  ``name``
    names its parameters in the param store when it is used on its own (not inside a guide)."""

    def __init__(self, state_dim: int, others_dim: int, low, high,
                 hidden: Sequence[int] = (64, 64), init_log_std: float = 0.0, name: str = "") -> None:
        super().__init__(state_dim, others_dim, low, high, hidden, init_log_std, name)

    def forward(self, state: torch.Tensor) -> dist.TransformedDistribution:  # type: ignore[override]
        return super().forward(state)


class ContinuousAgentGuide(PyroModule):
    """Agent ``name``'s guide ``q(a_-i, a_i | s) = rho_phi(a_-i | s) pi_theta(a_i | s, a_-i)``.

    Call it with the model's :class:`~vsg_pyro.models.continuous.ContinuousInputs`.
    """

    def __init__(self, name: str, policy: ConditionalPolicy, opponent: OpponentModel) -> None:
        super().__init__(name=f"{name}/guide")
        self.agent_name = name
        self.policy = policy
        self.opponent = opponent

    def forward(self, inputs) -> torch.Tensor:
        from vsg_pyro.models.continuous import opponent_action_site, own_action_site, plate_name

        with pyro.plate(plate_name(self.agent_name), inputs.states.shape[0]):
            others = pyro.sample(opponent_action_site(self.agent_name), self.opponent(inputs.states))
            return pyro.sample(own_action_site(self.agent_name), self.policy(inputs.states, others))
