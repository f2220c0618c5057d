"""``vsg games``: list the built-in games (tabular, mean-field and continuous-action)."""

from __future__ import annotations

import argparse

from vsg_pyro.cli.commands import command_help
from vsg_pyro.games import (
    CONTINUOUS_GAMES,
    MEAN_FIELD_GAMES,
    builtin_game_names,
    get_continuous_game,
    get_game,
    get_mean_field_game,
)

__all__ = ["add_parser", "run"]


def run(_args: argparse.Namespace) -> int:
    """Print every built-in game; returns 0."""
    for name in builtin_game_names():
        print(get_game(name).describe())
    print("random_AxB[_sSEED]: seeded random normal-form game; "
          "random_sgS_AxB[_sSEED]: seeded random stochastic game; zs_SPEC: its zero-sum version")
    print("mean-field games (--concept mean-field):")
    for name in MEAN_FIELD_GAMES:
        print("  " + get_mean_field_game(name).describe())
    print("  grid_crowd_N: an N x N grid crowd (grid_crowd_100: 10,000 states)")
    print("continuous-action games (vsg train CONFIG.yaml; game_options in the file):")
    for name in CONTINUOUS_GAMES:
        game = get_continuous_game(name)
        print(f"  {name}: {game.n_agents} agents, actions {game.action_dims}, "
              f"{game.episode_length} steps per episode")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``vsg games`` and its options on the subparsers ``sub``."""
    games = sub.add_parser("games", help=command_help("games"))
    games.set_defaults(func=run)
    return games
