"""Opponent modelling with reward inference (§5.1.2, Algorithms 1 and 3).

* :mod:`.play`: simulated play of a tabular game (:func:`simulate_play`, :class:`PlayRecord`)
  and Algorithm 1's replay buffer of play records (:class:`PlayRecordBuffer`);
* :mod:`.inference`: the reward ``psi`` an agent ascribes to an opponent, by NUTS, by SVI with
  an AutoGuide, or by the paper's point estimate (eqs. 6-7); posteriors as ArviZ data;
* :mod:`.replay_model`: :class:`ReplayOpponentModel`, learned opponent models for the solver's
  ``opponent=ExternalOpponent(model)`` (counts, or reward inference and eq. 5);
* :mod:`.experiment`: one reward-inference experiment into a run directory (``vsg infer``).
"""

from vsg_pyro.opponent.experiment import (
    INFERENCE_METHODS,
    OTHERS,
    RewardInferenceRun,
    infer_opponent_reward,
)
from vsg_pyro.opponent.inference import (
    PointEstimate,
    RewardPosterior,
    infer_reward_nuts,
    infer_reward_svi,
    opponent_inputs,
    posterior_to_inference_data,
    reward_point_estimate,
)
from vsg_pyro.opponent.play import PlayRecord, PlayRecordBuffer, action_counts, simulate_play
from vsg_pyro.opponent.replay_model import ReplayOpponentModel, opponent_kl

__all__ = [
    "PlayRecord",
    "PlayRecordBuffer",
    "simulate_play",
    "action_counts",
    "RewardPosterior",
    "PointEstimate",
    "opponent_inputs",
    "infer_reward_nuts",
    "infer_reward_svi",
    "reward_point_estimate",
    "posterior_to_inference_data",
    "ReplayOpponentModel",
    "opponent_kl",
    "RewardInferenceRun",
    "infer_opponent_reward",
    "INFERENCE_METHODS",
    "OTHERS",
]
