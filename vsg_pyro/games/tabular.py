"""Tabular stochastic games (the paper's §3.1): N agents, finite states and actions.

A :class:`TabularGame` holds dense tensors (float64 on the CPU unless ``dtype``/``device`` say
otherwise) in the layout of :mod:`vsg_pyro.core.joint`:

* ``transitions``: ``(S, A_1, ..., A_N, S)``, ``P[s, a_1..a_N, s']``;
* ``rewards``: ``(N, S, A_1, ..., A_N)``, ``R[i, s, a_1..a_N]`` is agent ``i``'s reward;
* ``initial``: ``(S,)``, the initial state distribution.

It is either **finite-horizon** (``horizon=H`` decision steps t = 0..H-1; the paper writes
t = 0..T, i.e. H = T + 1) or **discounted** (``gamma`` in [0, 1); the paper's absorbing-state
construction of §4, which is equivalent to discounting).  A normal-form game is the one-state,
one-step case (:func:`vsg_pyro.games.normal_form_game`).

**Devices and precision.**  ``TabularGame(..., device="cuda", dtype=torch.float32)`` (or
``game.to(device, dtype)``) keeps the tensors there; the input is checked in float64 on the
CPU first.  Partial: the exact Nash solver (``solve(game, method="exact")``) and the exact
exploitability follow the game's device and dtype; the other solvers refuse such a game.
float32 carries about 7 significant digits: the Nash solver's defaults for a float32 game
are ``certificate_tol=1e-5`` and ``tol=1e-6`` (1e-6 and 1e-8 in float64); its policies agree
with float64's to 1e-5 (tested).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["TabularGame", "as_float64_tensor", "check_distribution", "check_device_dtype",
           "require_cpu_float64", "DTYPES"]

DTYPES: tuple[torch.dtype, ...] = (torch.float64, torch.float32)

_PROB_ATOL = 1e-8


def as_float64_tensor(value: object, name: str) -> torch.Tensor:
    """Convert array-likes to a float64 CPU tensor, naming ``name`` in the error."""
    try:
        if isinstance(value, torch.Tensor):
            out = value.detach().to(dtype=torch.float64, device="cpu")
        else:
            out = torch.as_tensor(np.array(value, dtype=np.float64))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: cannot be read as an array of real numbers ({err})") from err
    return out


def check_device_dtype(device: object, dtype: object) -> tuple[torch.device, torch.dtype]:
    """``device`` (``None``: the CPU) and ``dtype`` (``None``: float64) checked: a known
    device that is available here, float64 or float32."""
    dtype = torch.float64 if dtype is None else dtype
    if dtype not in DTYPES:
        raise ValueError(f"dtype: must be torch.float64 or torch.float32, got {dtype!r}")
    try:
        where = torch.device("cpu" if device is None else device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device: {device!r} is not a torch device ({err})") from None
    if where.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device: {device!r} asked for, but CUDA is not available here")
    if where.type not in ("cpu", "cuda"):
        raise ValueError(f"device: only 'cpu' and 'cuda' are supported, got {device!r}")
    return where, dtype  # type: ignore[return-value]


def require_cpu_float64(game: object, who: str) -> None:
    """Refuse a :class:`TabularGame` placed elsewhere than float64 on the CPU in ``who`` (a
    solver that does not follow the game's device and dtype)."""
    if isinstance(game, TabularGame) and not game.is_cpu_float64:
        raise ValueError(f"game: {who} runs on float64 CPU games only; this one is "
                         f"{game.dtype} on {game.device} (game.to('cpu', torch.float64) "
                         "converts it; the exact Nash solver takes it as it is)")


def _check_finite(x: torch.Tensor, name: str) -> None:
    if not torch.isfinite(x).all():
        bad = (~torch.isfinite(x)).nonzero()[0].tolist()
        raise ValueError(f"{name}: contains NaN or infinite values (first at index {bad})")


def check_distribution(x: torch.Tensor, name: str, what: str) -> None:
    """``x[..., :]`` must be probability vectors over its last axis."""
    _check_finite(x, name)
    if (x < -_PROB_ATOL).any():
        bad = (x < -_PROB_ATOL).nonzero()[0].tolist()
        raise ValueError(f"{name}: negative probability {x[tuple(bad)].item():.3g} at index {bad}")
    sums = x.sum(-1)
    off = (sums - 1.0).abs() > 1e-6
    if off.any():
        bad = off.nonzero()[0].tolist()
        raise ValueError(
            f"{name}: {what} must sum to 1 over the last axis; "
            f"sum is {sums[tuple(bad)].item():.6g} at index {bad}"
        )


@dataclass(frozen=True, eq=False)
class TabularGame:
    """A finite N-agent stochastic game with dense tensors (see module docstring for shapes).

    Args:
        transitions: ``(S, A_1, ..., A_N, S)`` transition probabilities.
        rewards: ``(N, S, A_1, ..., A_N)`` rewards.
        initial: ``(S,)`` initial distribution; default uniform.
        horizon: number of decision steps for a finite-horizon game.
        gamma: discount factor in [0, 1) for an infinite-horizon game.
        name: a label used in reports.
        agent_names, action_names, state_names: optional labels.
        device, dtype: where the tensors live and their precision (default: the CPU,
            float64; see the module docstring).

    Exactly one of ``horizon`` and ``gamma`` must be given.  Invalid input raises
    ``ValueError`` naming the offending field.
    """

    transitions: torch.Tensor
    rewards: torch.Tensor
    initial: torch.Tensor | None = None
    horizon: int | None = None
    gamma: float | None = None
    name: str = "game"
    agent_names: tuple[str, ...] | None = None
    action_names: tuple[tuple[str, ...], ...] | None = None
    state_names: tuple[str, ...] | None = None
    device: torch.device | str | None = None
    dtype: torch.dtype | None = None
    _action_counts: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        rewards = as_float64_tensor(self.rewards, "rewards")
        transitions = as_float64_tensor(self.transitions, "transitions")
        if rewards.ndim < 3:
            raise ValueError(
                f"rewards: expected shape (N, S, A_1, ..., A_N) with N >= 1, got {tuple(rewards.shape)}"
            )
        n = rewards.shape[0]
        if rewards.ndim != n + 2:
            raise ValueError(
                f"rewards: shape {tuple(rewards.shape)} has {rewards.ndim - 2} action axes "
                f"but its first axis says N={n} agents; expected (N, S, A_1, ..., A_N)"
            )
        n_states = rewards.shape[1]
        counts = tuple(int(c) for c in rewards.shape[2:])
        if n_states < 1 or min(counts) < 1:
            raise ValueError(f"rewards: every axis needs at least one entry, got {tuple(rewards.shape)}")
        _check_finite(rewards, "rewards")
        expected = (n_states, *counts, n_states)
        if tuple(transitions.shape) != expected:
            raise ValueError(
                f"transitions: expected shape (S, A_1, ..., A_N, S) = {expected} "
                f"(from rewards), got {tuple(transitions.shape)}"
            )
        check_distribution(transitions, "transitions", "P(. | s, a)")
        if self.initial is None:
            initial = torch.full((n_states,), 1.0 / n_states, dtype=torch.float64)
        else:
            initial = as_float64_tensor(self.initial, "initial")
            if tuple(initial.shape) != (n_states,):
                raise ValueError(f"initial: expected shape ({n_states},), got {tuple(initial.shape)}")
            check_distribution(initial, "initial", "the initial distribution")
        if (self.horizon is None) == (self.gamma is None):
            raise ValueError("horizon/gamma: give exactly one (finite horizon H, or discount gamma)")
        if self.horizon is not None:
            if isinstance(self.horizon, bool) or int(self.horizon) != self.horizon or self.horizon < 1:
                raise ValueError(f"horizon: must be an integer >= 1, got {self.horizon!r}")
            set_(self, "horizon", int(self.horizon))
        else:
            g = float(self.gamma)  # type: ignore[arg-type]
            if not (0.0 <= g < 1.0) or math.isnan(g):
                raise ValueError(f"gamma: must lie in [0, 1), got {self.gamma!r}")
            set_(self, "gamma", g)
        device, dtype = check_device_dtype(self.device, self.dtype)
        set_(self, "device", device)
        set_(self, "dtype", dtype)
        set_(self, "rewards", rewards.to(device=device, dtype=dtype))
        set_(self, "transitions", transitions.to(device=device, dtype=dtype))
        set_(self, "initial", initial.to(device=device, dtype=dtype))
        set_(self, "_action_counts", counts)
        set_(self, "agent_names", self._labels(self.agent_names, n, "agent_names", "agent"))
        set_(self, "state_names", self._labels(self.state_names, n_states, "state_names", "s"))
        if self.action_names is None:
            names = tuple(tuple(str(k) for k in range(c)) for c in counts)
        else:
            names = tuple(tuple(str(a) for a in acts) for acts in self.action_names)
            if tuple(len(a) for a in names) != counts:
                raise ValueError(
                    f"action_names: expected {counts} names per agent, "
                    f"got {tuple(len(a) for a in names)}"
                )
        set_(self, "action_names", names)

    @staticmethod
    def _labels(
        given: Sequence[str] | None, count: int, name: str, prefix: str
    ) -> tuple[str, ...]:
        if given is None:
            return tuple(f"{prefix}{k}" for k in range(count))
        labels = tuple(str(x) for x in given)
        if len(labels) != count:
            raise ValueError(f"{name}: expected {count} names, got {len(labels)}")
        if len(set(labels)) != count:
            raise ValueError(f"{name}: names must be distinct, got {labels}")
        return labels

    def to(self, device: torch.device | str | None = None,
           dtype: torch.dtype | None = None) -> TabularGame:
        """The same game on ``device`` with ``dtype`` (``None`` keeps the current one)."""
        return dataclasses.replace(self, transitions=self.transitions.cpu(),
                                   rewards=self.rewards.cpu(), initial=self.initial.cpu(),
                                   device=self.device if device is None else device,
                                   dtype=self.dtype if dtype is None else dtype)

    @property
    def is_cpu_float64(self) -> bool:
        """The default placement, which every solver takes."""
        return self.dtype == torch.float64 and self.device.type == "cpu"  # type: ignore[union-attr]

    # ------------------------------------------------------------------ derived sizes
    @property
    def n_agents(self) -> int:
        return int(self.rewards.shape[0])

    @property
    def n_states(self) -> int:
        return int(self.rewards.shape[1])

    @property
    def action_counts(self) -> tuple[int, ...]:
        """``(A_1, ..., A_N)``."""
        return self._action_counts

    @property
    def row_shape(self) -> tuple[int, ...]:
        """Leading axes of per-step tables: ``(H, S)`` for a finite horizon, ``(S,)`` when
        discounted (rows ``m`` of the Pyro programs are these, flattened time-major)."""
        return (self.horizon, self.n_states) if self.horizon is not None else (self.n_states,)

    @property
    def is_finite_horizon(self) -> bool:
        return self.horizon is not None

    @property
    def is_normal_form(self) -> bool:
        """One state and one decision step."""
        return self.n_states == 1 and self.horizon == 1

    @property
    def effective_horizon(self) -> float:
        """``H`` for a finite horizon, ``1 / (1 - gamma)`` when discounted."""
        if self.horizon is not None:
            return float(self.horizon)
        return 1.0 / (1.0 - float(self.gamma))  # type: ignore[arg-type]

    @property
    def reward_range(self) -> float:
        """``max |r_i(s, a)|`` over agents, states and joint actions."""
        return float(self.rewards.abs().max())

    def agent_index(self, agent: int | str) -> int:
        """Index of an agent given by position or name (``ValueError`` if unknown)."""
        if isinstance(agent, str):
            if agent not in self.agent_names:  # type: ignore[operator]
                raise ValueError(f"agent: unknown name {agent!r}; agents are {self.agent_names}")
            return self.agent_names.index(agent)  # type: ignore[union-attr]
        if not 0 <= int(agent) < self.n_agents:
            raise ValueError(f"agent: index {agent} out of range for {self.n_agents} agents")
        return int(agent)

    def describe(self) -> str:
        """One line: name, agents, states, actions, horizon or discount."""
        time = f"horizon {self.horizon}" if self.horizon is not None else f"gamma {self.gamma}"
        acts = "x".join(str(c) for c in self.action_counts)
        where = "" if self.is_cpu_float64 else f", {self.dtype} on {self.device}"
        return (f"{self.name}: {self.n_agents} agents, {self.n_states} states, actions {acts}, "
                f"{time}{where}")

    def __repr__(self) -> str:
        return f"TabularGame({self.describe()})"
