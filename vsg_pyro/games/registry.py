"""Built-in games by name, and :func:`get_game` which also opens game files."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from pathlib import Path

from vsg_pyro.games import mean_field as mf
from vsg_pyro.games import normal_form as nf
from vsg_pyro.games import potential_games as pg
from vsg_pyro.games import stochastic as sg
from vsg_pyro.games.io import load_game
from vsg_pyro.games.tabular import TabularGame

__all__ = ["BUILTIN_GAMES", "MEAN_FIELD_GAMES", "builtin_game_names", "get_game",
           "get_mean_field_game"]

def _named(game: TabularGame, name: str) -> TabularGame:
    return dataclasses.replace(game, name=name)


BUILTIN_GAMES: dict[str, Callable[[], TabularGame]] = {
    "prisoners_dilemma": nf.prisoners_dilemma,
    "matching_pennies": nf.matching_pennies,
    "battle_of_the_sexes": nf.battle_of_the_sexes,
    "chicken": nf.chicken,
    "stag_hunt": nf.stag_hunt,
    "rock_paper_scissors": nf.rock_paper_scissors,
    "biased_rock_paper_scissors": nf.biased_rock_paper_scissors,
    "shapley_game": nf.shapley_game,
    "three_player_matching_pennies": nf.three_player_matching_pennies,
    "resource_commons": sg.resource_commons,
    "markov_congestion": sg.markov_congestion_game,
    "identical_interest": lambda: _named(pg.identical_interest_game(), "identical_interest"),
    "exogenous_congestion": lambda: _named(pg.exogenous_congestion_game(),
                                           "exogenous_congestion"),
}

MEAN_FIELD_GAMES: dict[str, Callable[[], mf.MeanFieldGame]] = {
    "left_right": mf.left_right,
    "rps_mfg": mf.rock_paper_scissors_mfg,
    "sis_epidemic": mf.sis_epidemic,
    "beach_bar": mf.beach_bar,
    "grid_crowd": mf.grid_crowd,
}
_GRID = re.compile(r"^grid_crowd_(?P<side>\d+)(?:x(?P=side))?$")


def get_mean_field_game(spec: str | mf.MeanFieldGame) -> mf.MeanFieldGame:
    """A mean-field built-in by name (``grid_crowd_N`` for an N x N grid, e.g. ``grid_crowd_100``
    = 10,000 states)."""
    if isinstance(spec, mf.MeanFieldGame):
        return spec
    if spec in MEAN_FIELD_GAMES:
        return MEAN_FIELD_GAMES[spec]()
    match = _GRID.match(spec)
    if match:
        return mf.grid_crowd(side=int(match["side"]))
    raise ValueError(f"game: {spec!r} is not a mean-field game ({', '.join(MEAN_FIELD_GAMES)}, "
                     "grid_crowd_N)")


_RANDOM = re.compile(r"^random(?:_sg(?P<states>\d+))?[_:](?P<acts>\d+(?:x\d+)+)(?:[_:]s?(?P<seed>\d+))?$")


def builtin_game_names() -> list[str]:
    """Names accepted by :func:`get_game` (plus ``random_AxB[_sSEED]`` and
    ``random_sgS_AxB[_sSEED]`` for seeded random normal-form and stochastic games, and
    ``zs_SPEC`` for the zero-sum version ``r_1 = -r_0`` of a two-player ``SPEC``)."""
    return list(BUILTIN_GAMES)


def _load_file(path: Path) -> TabularGame:
    """A ``.nfg`` (Gambit) or ``.json``/``.npz`` (tabular-game) file."""
    if path.suffix == ".nfg":
        from vsg_pyro.games.nfg import read_nfg

        sfg = read_nfg(path)
        return nf.normal_form_game(sfg.payoffs, sfg.title or path.stem, sfg.player_names,
                                   sfg.strategy_names)
    return load_game(path)


def get_game(spec: str | TabularGame) -> TabularGame:
    """A built-in name, a random-game spec, or a path to ``.nfg`` / ``.json`` / ``.npz``."""
    if isinstance(spec, TabularGame):
        return spec
    if isinstance(spec, os.PathLike):
        spec = os.fspath(spec)
    if not isinstance(spec, str):
        sparse = " (a SparseTabularGame is solved by solve(game, method='exact'), concept " \
                 "Nash, only)" if type(spec).__name__ == "SparseTabularGame" else ""
        raise ValueError(f"game: expected a TabularGame, a built-in name or a path, got "
                         f"{type(spec).__name__}{sparse}")
    if spec in BUILTIN_GAMES:
        return BUILTIN_GAMES[spec]()
    if Path(spec).suffix in (".nfg", ".json", ".npz"):  # a file name is always a file
        return _load_file(Path(spec))
    if spec.startswith("zs_"):  # the zero-sum version of a two-player spec: r_1 = -r_0
        return sg.zero_sum_game(get_game(spec[3:]), name=spec)
    match = _RANDOM.match(spec)
    if match:
        counts = [int(c) for c in match["acts"].split("x")]
        seed = int(match["seed"] or 0)
        if match["states"]:
            return sg.random_stochastic_game(int(match["states"]), counts, seed)
        return nf.random_normal_form_game(counts, seed)
    raise ValueError(
        f"game: {spec!r} is neither a built-in game ({', '.join(BUILTIN_GAMES)}), "
        "a random spec like 'random_3x3_s0' / 'random_sg3_2x2_s0' (prefix 'zs_' for its "
        "zero-sum version), nor a .nfg/.json/.npz file"
    )
