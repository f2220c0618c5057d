"""Pyro model programs (installed as ``vsg_pyro.models``).

* :mod:`vsg_pyro.models.nash`: agent i's graphical model of the paper's Figure 1 (Nash
  equilibrium), as a one-step soft-Bellman program over a plate of (time, state) rows and as a
  full-trajectory program for cross-checks;
* :mod:`vsg_pyro.models.correlated`: Figure 3 (a correlation signal): agent i's model on the
  signal-augmented state and the mediator's model of the signal;
* :mod:`vsg_pyro.models.zero_sum`: §5.4, agent i's program for its zero-sum opponent's response;
* :mod:`vsg_pyro.models.mean_field`: §5.2, the representative agent given the mean field;
* :mod:`vsg_pyro.models.opponent`: §5.1.2, agent i's model of an opponent's observed actions
  given an unknown reward (Prop. 5.9).
"""

from vsg_pyro.models.correlated import (
    CorrelatedInputs,
    MediatorInputs,
    correlated_agent_model,
    mediator_model,
    signal_site,
)
from vsg_pyro.models.mean_field import MeanFieldInputs, mean_field_model
from vsg_pyro.models.nash import (
    NashInputs,
    action_site,
    nash_model,
    nash_trajectory_model,
    opponent_site,
    plate_name,
)
from vsg_pyro.models.opponent import (
    OpponentInputs,
    linear_reward,
    opponent_reward_model,
    soft_optimal_policy,
    tabular_reward_features,
)
from vsg_pyro.models.zero_sum import ZeroSumInputs, opponent_response, opponent_response_model

__all__ = [
    "CorrelatedInputs",
    "MediatorInputs",
    "correlated_agent_model",
    "mediator_model",
    "signal_site",
    "MeanFieldInputs",
    "mean_field_model",
    "OpponentInputs",
    "linear_reward",
    "opponent_reward_model",
    "soft_optimal_policy",
    "tabular_reward_features",
    "ZeroSumInputs",
    "opponent_response",
    "opponent_response_model",
    "NashInputs",
    "action_site",
    "nash_model",
    "nash_trajectory_model",
    "opponent_site",
    "plate_name",
]
