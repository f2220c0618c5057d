"""Algorithm 1 with learned opponent models: agents act, record each other's actions in a
replay buffer and update their opponent models (Algorithm 3) before every best-response step.

:class:`ReplayOpponentModel` is an
:data:`~vsg_pyro.equilibria.nash.opponents.ExternalOpponentModel`: pass it to
``solve(game, opponent=ExternalOpponent(model))`` (the guides' ``external`` mode consumes it).
The driver asks it for agent 0's models first in every round; that call
plays ``steps_per_round`` transitions with everyone's current executed policies, appends them
to the replay buffer and refits every agent's model of every other agent:

* ``method="counts"``: the posterior mean of a Dirichlet(``pseudo_count``) over the opponent's
  actions per row, from the buffer (a model-free baseline);
* ``method="reward"`` (Algorithm 3, finite-horizon games): ``psi`` by the paper's point estimate
  (eqs. 6-7, :func:`~vsg_pyro.opponent.inference.reward_point_estimate`, warm-started), then the
  opponent model of eq. (5) against the modeller's own current policy (two players).

Each round's ``history`` entry has ``eps_p``: the largest ``KL(p_i || pi_-i)`` over agents and
rows (Prop. 5.5's premise) and ``eps_p_visited``, the same over rows visited in the buffer.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from vsg_pyro.games.tabular import TabularGame
from vsg_pyro.models.opponent import tabular_reward_features
from vsg_pyro.opponent.inference import opponent_inputs, reward_point_estimate
from vsg_pyro.opponent.play import PlayRecordBuffer, action_counts, simulate_play

__all__ = ["ReplayOpponentModel", "opponent_kl"]

METHODS = ("counts", "reward")


def opponent_kl(model: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """``KL(model || truth)`` per row: ``(..., A) x (..., A) -> (...)``."""
    return (torch.special.xlogy(model, model) - torch.special.xlogy(model, truth)).sum(-1)


class ReplayOpponentModel:
    """Learned opponent models from simulated play (module docstring).

    Args:
        game: the game (its dynamics simulate play).
        method: ``"counts"`` or ``"reward"``.
        steps_per_round: transitions played per round.
        capacity: replay-buffer size (older transitions drop out, so the models track the
            opponents' changing policies).
        pseudo_count: Dirichlet pseudo-count per action (``counts``).
        beta: the opponents' inverse temperature assumed by ``reward``.
        reward_steps, reward_samples: eqs. (6)-(7) Adam steps per round and importance samples.
        seed: seeds the play and the importance samples.
    """

    def __init__(
        self,
        game: TabularGame,
        method: str = "counts",
        steps_per_round: int = 200,
        capacity: int = 2000,
        pseudo_count: float = 0.5,
        beta: float = 1.0,
        reward_steps: int = 20,
        reward_samples: int = 128,
        seed: int = 0,
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"method: must be one of {METHODS}, got {method!r}")
        if method == "reward" and (game.n_agents != 2 or game.horizon is None):
            raise ValueError("method='reward': implemented for two-player finite-horizon games "
                             "(eqs. 6-7 need episodes); use method='counts'")
        if steps_per_round < 1 or not pseudo_count > 0 or reward_steps < 1 or reward_samples < 1:
            raise ValueError("steps_per_round, reward_steps, reward_samples: must be >= 1; "
                             "pseudo_count: must be > 0")
        self.game, self.method = game, method
        self.steps_per_round, self.pseudo_count, self.beta = steps_per_round, pseudo_count, beta
        self.reward_steps, self.reward_samples = reward_steps, reward_samples
        self.buffer = PlayRecordBuffer(capacity)
        self.generator = torch.Generator().manual_seed(seed)
        self.episodes = 0
        self.models: list[list[torch.Tensor | None]] = []
        self.psi: dict[tuple[int, int], torch.Tensor] = {}
        self.history: list[dict] = []
        self._lead = game.row_shape
        self._rows = int(torch.tensor(self._lead).prod())

    def __call__(self, agent: int, executed: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        if agent == 0 or not self.models:
            self._round(executed)
        return [m for j, m in enumerate(self.models[agent]) if j != agent]  # type: ignore[misc]

    # ------------------------------------------------------------------ one round
    def _round(self, executed: Sequence[torch.Tensor]) -> None:
        g = self.game
        steps = self.steps_per_round
        if g.horizon is not None:  # whole episodes
            steps = -(-steps // g.horizon) * g.horizon
        record = simulate_play(g, executed, steps, seed=self.generator,
                               first_episode=self.episodes)
        self.episodes = int(record.episode.max()) + 1
        self.buffer.add(record)
        data = self.buffer.data()
        n = g.n_agents
        counts = [action_counts(data, j, self._rows, g.action_counts[j]) for j in range(n)]
        by_counts = [((c + self.pseudo_count) / (c + self.pseudo_count).sum(-1, keepdim=True))
                     .reshape(*self._lead, -1) for c in counts]
        models: list[list[torch.Tensor | None]] = []
        for i in range(n):
            row: list[torch.Tensor | None] = []
            for j in range(n):
                if j == i:
                    row.append(None)
                elif self.method == "counts":
                    row.append(by_counts[j])
                else:
                    row.append(self._reward_model(i, j, data, executed))
            models.append(row)
        self.models = models
        kl = max(float(opponent_kl(models[i][j], executed[j]).max())  # type: ignore[arg-type]
                 for i in range(n) for j in range(n) if j != i)
        visited = [c.sum(-1).reshape(self._lead) > 0 for c in counts]
        kl_visited = max(float(opponent_kl(models[i][j], executed[j])[visited[j]].max())  # type: ignore[arg-type]
                         for i in range(n) for j in range(n) if j != i)
        self.history.append({"round": len(self.history), "transitions": len(self.buffer),
                             "eps_p": kl, "eps_p_visited": kl_visited})

    def _reward_model(self, i: int, j: int, data, executed) -> torch.Tensor:
        g = self.game
        feats = tabular_reward_features(g, j, joint=True)
        inputs = opponent_inputs(g, j, data, list(executed), self.beta, features=feats,
                                 name=g.agent_names[i])
        est = reward_point_estimate(inputs, data, steps=self.reward_steps,
                                    samples=self.reward_samples, seed=self.generator,
                                    init=self.psi.get((i, j)))
        self.psi[(i, j)] = est.psi
        return est.policy.reshape(*self._lead, -1)
