"""The PettingZoo adapter: a ParallelEnv with Box actions trains under MAI unchanged."""

import numpy as np
import pytest
import torch

pettingzoo = pytest.importorskip("pettingzoo")
from gymnasium.spaces import Box, Discrete  # noqa: E402
from pettingzoo import ParallelEnv  # noqa: E402

from vsg_pyro.continuous.mai import MAIConfig, train_mai  # noqa: E402
from vsg_pyro.games.continuous import differential_game  # noqa: E402
from vsg_pyro.games.pettingzoo_adapter import PettingZooGame  # noqa: E402


class DifferentialEnv(ParallelEnv):
    """The differential game as a PettingZoo ParallelEnv (observation: a constant 0)."""

    metadata = {"name": "differential_parallel_env"}

    def __init__(self, max_cycles=25, discrete=False):
        self.possible_agents = ["player_0", "player_1"]
        self.max_cycles, self.discrete = max_cycles, discrete
        self.game = differential_game()

    def observation_space(self, agent):
        return Box(-1.0, 1.0, (1,), np.float32)

    def action_space(self, agent):
        return Discrete(3) if self.discrete else Box(-10.0, 10.0, (1,), np.float32)

    def reset(self, seed=None, options=None):
        self.agents, self.t = list(self.possible_agents), 0
        return {a: np.zeros(1, np.float32) for a in self.agents}, {a: {} for a in self.agents}

    def step(self, actions):
        self.t += 1
        r = float(self.game.reward(torch.tensor(actions["player_0"][0]),
                                   torch.tensor(actions["player_1"][0])))
        trunc = self.t >= self.max_cycles
        obs = {a: np.zeros(1, np.float32) for a in self.agents}
        out = ({a: r for a in self.agents}, {a: False for a in self.agents},
               {a: trunc for a in self.agents}, {a: {} for a in self.agents})
        if trunc:
            self.agents = []
        return (obs, *out)


def test_adapter_matches_the_native_game():
    game = PettingZooGame(lambda: DifferentialEnv(max_cycles=3))
    assert game.n_agents == 2 and game.state_dim == 2 and game.action_dims == (1, 1)
    state = game.reset(torch.Generator().manual_seed(0))
    native = differential_game()
    for a1, a2, end in [(5.0, 5.0, False), (-5.0, 0.0, False), (30.0, 5.0, True)]:
        state, r, done = game.step(state, [torch.tensor([a1]), torch.tensor([a2])])
        expected = native.reward(torch.tensor(min(a1, 10.0)), torch.tensor(a2))
        assert r.tolist() == pytest.approx([expected.item()] * 2) and done == end


def test_mai_trains_through_the_adapter():
    """Trained through the adapter, the agents' deterministic actions earn through the
    adapter what the native game pays for them (the differential game's reward, in the
    native implementation)."""
    game = PettingZooGame(lambda: DifferentialEnv(max_cycles=5), episode_length=5)
    res = train_mai(game, MAIConfig(episodes=2, learning_starts=4, batch_size=8))
    assert len(res.metrics) == 2
    state = game.reset(torch.Generator().manual_seed(0))
    actions = [agent.mode(state) for agent in res.agents]
    _, rewards, _ = game.step(state, actions)
    native = differential_game().reward(actions[0].reshape(()).clamp(-10, 10),
                                        actions[1].reshape(()).clamp(-10, 10))
    assert rewards.tolist() == pytest.approx([native.item()] * 2, rel=1e-6)


def test_discrete_actions_are_refused():
    with pytest.raises(ValueError, match="Box"):
        PettingZooGame(lambda: DifferentialEnv(discrete=True))
