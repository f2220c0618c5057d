"""Games: the :class:`TabularGame` container (and :class:`SparseTabularGame` for large
discounted games), built-ins, and file formats; the
continuous-action games of MAI (:class:`ContinuousGame`, the differential game, routing)."""

from vsg_pyro.games.continuous import (
    CONTINUOUS_GAMES,
    ContinuousGame,
    DifferentialGame,
    differential_game,
    get_continuous_game,
)
from vsg_pyro.games.grid_pursuit import grid_pursuit_game
from vsg_pyro.games.io import load_game, save_game
from vsg_pyro.games.mean_field import (
    MeanFieldGame,
    beach_bar,
    grid_crowd,
    left_right,
    rock_paper_scissors_mfg,
    sis_epidemic,
)
from vsg_pyro.games.normal_form import (
    battle_of_the_sexes,
    biased_rock_paper_scissors,
    bimatrix_game,
    chicken,
    matching_pennies,
    normal_form_game,
    payoff_tensor,
    prisoners_dilemma,
    random_normal_form_game,
    rock_paper_scissors,
    shapley_game,
    stag_hunt,
    three_player_matching_pennies,
)
from vsg_pyro.games.potential_games import exogenous_congestion_game, identical_interest_game
from vsg_pyro.games.registry import (
    BUILTIN_GAMES,
    MEAN_FIELD_GAMES,
    builtin_game_names,
    get_game,
    get_mean_field_game,
)
from vsg_pyro.games.routing import (
    RoutingGame,
    RoutingNetwork,
    best_response_cost,
    braess,
    routing_game,
    routing_nash_conv,
    splittable_equilibrium,
    wardrop_equilibrium,
)
from vsg_pyro.games.sparse import SparseTabularGame
from vsg_pyro.games.stochastic import (
    markov_congestion_game,
    random_stochastic_game,
    resource_commons,
    zero_sum_game,
)
from vsg_pyro.games.tabular import TabularGame

__all__ = [
    "TabularGame",
    "SparseTabularGame",
    "grid_pursuit_game",
    "identical_interest_game",
    "exogenous_congestion_game",
    "MeanFieldGame",
    "left_right",
    "rock_paper_scissors_mfg",
    "sis_epidemic",
    "beach_bar",
    "grid_crowd",
    "BUILTIN_GAMES",
    "MEAN_FIELD_GAMES",
    "get_mean_field_game",
    "builtin_game_names",
    "get_game",
    "load_game",
    "save_game",
    "normal_form_game",
    "bimatrix_game",
    "payoff_tensor",
    "prisoners_dilemma",
    "matching_pennies",
    "battle_of_the_sexes",
    "chicken",
    "stag_hunt",
    "rock_paper_scissors",
    "biased_rock_paper_scissors",
    "shapley_game",
    "three_player_matching_pennies",
    "random_normal_form_game",
    "resource_commons",
    "markov_congestion_game",
    "random_stochastic_game",
    "zero_sum_game",
    "ContinuousGame",
    "DifferentialGame",
    "differential_game",
    "CONTINUOUS_GAMES",
    "get_continuous_game",
    "RoutingNetwork",
    "RoutingGame",
    "routing_game",
    "braess",
    "wardrop_equilibrium",
    "splittable_equilibrium",
    "best_response_cost",
    "routing_nash_conv",
]
