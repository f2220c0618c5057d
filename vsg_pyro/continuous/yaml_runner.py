"""``vsg train CONFIG.yaml``: train MAI (or a baseline) on a continuous-action game from a YAML
file, with a progress bar, periodic checkpoints, a metrics CSV and a learning-curve PNG.

The file::

    game: differential_game          # a continuous built-in (vsg_pyro.games.continuous)
    game_options: {variant: paper}   # its keyword options (optional)
    algo: mai                        # mai | ddpg | maddpg | masql
    out: runs/differential_mai       # output directory (the CLI's --out overrides)
    checkpoint_every: 50             # episodes between checkpoints (0: only the final one)
    config:                          # fields of MAIConfig (BaselineConfig for baselines)
      episodes: 200
      beta_start: 0.1
      beta_end: 1.0
      seed: 0

``config``'s keys and value types are checked against the fields of
:class:`~vsg_pyro.continuous.mai.MAIConfig` (:class:`~vsg_pyro.continuous.baselines.BaselineConfig`
for a baseline), read from the dataclass itself: ``int`` fields take integers, ``float``
fields numbers (numeric strings such as ``1e-3``, which YAML reads as strings, are converted),
``tuple[int, ...]`` fields (``hidden``) a list of positive integers, ``str`` fields
(``opponent``) a string (its value is checked by the dataclass).

Writes ``OUT/metrics.csv`` (one row per episode), ``OUT/learning_curve.png``,
``OUT/checkpoints/episode_NNNN.pt`` (every agent's networks) and ``OUT/summary.json``.
"""

from __future__ import annotations

import csv
import json
import typing
from dataclasses import asdict, fields
from pathlib import Path

import torch
import yaml

from vsg_pyro.continuous.baselines import BASELINES, BaselineConfig, train_baseline
from vsg_pyro.continuous.mai import MAIConfig, MAIResult, train_mai
from vsg_pyro.games.continuous import get_continuous_game

__all__ = ["ALGOS", "load_train_config", "train_from_config"]

ALGOS = ("mai", *BASELINES)
_KEYS = {"game", "game_options", "algo", "out", "checkpoint_every", "config"}


def load_train_config(path: str | Path) -> dict:
    """Read and check the YAML file (module docstring); unknown keys raise ``ValueError``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such config file")
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not valid YAML ({err})") from err
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    unknown = set(doc) - _KEYS
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    if "game" not in doc:
        raise ValueError(f"{path}: 'game' is required")
    algo = doc.get("algo", "mai")
    if algo not in ALGOS:
        raise ValueError(f"algo: must be one of {ALGOS}, got {algo!r}")
    allowed = {f.name for f in fields(_config_class(algo))}
    bad = set(doc.get("config") or {}) - allowed
    if bad:
        raise ValueError(f"config: unknown fields {sorted(bad)} for {algo}; allowed: {sorted(allowed)}")
    return doc


def train_from_config(path: str | Path, out: str | Path | None = None, seed: int | None = None,
                      progress: bool = True) -> tuple[MAIResult, Path]:
    """Run the experiment of ``path``; ``out``/``seed`` override the file.  Returns the result
    and the output directory."""
    doc = load_train_config(path)
    algo = doc.get("algo", "mai")
    options = dict(doc.get("config") or {})
    if seed is not None:
        options["seed"] = seed
    _check_types(options, _config_class(algo))
    try:
        config = _config_class(algo)(**options)
        game = get_continuous_game(doc["game"], **(doc.get("game_options") or {}))
    except TypeError as err:  # a wrong option name or type in the file
        raise ValueError(f"{path}: {err}") from err
    out_dir = Path(out or doc.get("out") or f"runs/{game.name}_{algo}_seed{config.seed}")
    ckpt_dir = out_dir / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    every = int(doc.get("checkpoint_every", 0))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.episodes, desc=f"{algo} on {game.name}", unit="episode")

    def on_episode(entry: dict, agents: list) -> None:
        if bar is not None:
            bar.update(1)
            bar.set_postfix(reward=f"{entry['reward']:.2f}", eval=f"{entry['eval_reward']:.2f}",
                            beta=f"{entry['beta']:.2f}")
        done = entry["episode"] + 1
        if (every and done % every == 0) or done == config.episodes:
            torch.save({"episode": done, "algo": algo, "config": asdict(config),
                        "agents": [a.state_dict() for a in agents]},
                       ckpt_dir / f"episode_{done:04d}.pt")

    try:
        if algo == "mai":
            result = train_mai(game, config, on_episode)  # type: ignore[arg-type]
        else:
            result = train_baseline(game, algo, config, on_episode)  # type: ignore[arg-type]
    finally:
        if bar is not None:
            bar.close()
    _write_metrics(result.metrics, out_dir / "metrics.csv")
    _plot(result.metrics, out_dir / "learning_curve.png", f"{algo} on {game.name}")
    summary = {"game": game.name, "algo": algo, "config": asdict(config),
               "final_reward": result.metrics[-1]["reward"],
               "final_eval_reward": result.metrics[-1]["eval_reward"], "seconds": result.seconds}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1))
    return result, out_dir


def _config_class(algo: str) -> type[MAIConfig]:
    """The dataclass of ``algo``'s ``config`` section."""
    return MAIConfig if algo == "mai" else BaselineConfig


def _field_types(cls: type[MAIConfig]) -> dict[str, object]:
    """``{field name: resolved type}`` of the dataclass ``cls`` (its annotations are strings)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def _is_int_tuple(kind: object) -> bool:
    return typing.get_origin(kind) is tuple and typing.get_args(kind) == (int, Ellipsis)


def _check_types(options: dict, cls: type[MAIConfig]) -> None:
    """Check ``options`` against the field types of ``cls`` (module docstring): integers must
    be integers, other numbers numbers (YAML reads ``ten`` as a string and ``1e-3``, without a
    dot, as a string too: such numeric strings are converted), and ``tuple[int, ...]`` fields
    lists of positive integers.  Unknown names are left to the dataclass.  Edits ``options``
    in place."""
    types = _field_types(cls)
    for name, value in list(options.items()):
        kind = types.get(name)
        if kind is None:
            continue
        if _is_int_tuple(kind):
            if not isinstance(value, list | tuple) or not value or not all(
                    isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in value):
                raise ValueError(f"config.{name}: expected a list of positive integers, got {value!r}")
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"config.{name}: expected an integer, got {value!r}")
        elif kind is float:
            if isinstance(value, str):
                try:
                    value = options[name] = float(value)
                except ValueError:
                    raise ValueError(f"config.{name}: expected a number, got {value!r}") from None
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"config.{name}: expected a number, got {value!r}")
        elif kind is str:
            if not isinstance(value, str):
                raise ValueError(f"config.{name}: expected a string, got {value!r}")
        else:
            raise TypeError(f"{cls.__name__}.{name}: no YAML check for fields of type {kind!r}")


def _write_metrics(metrics: list[dict], path: Path) -> None:
    """One CSV row per episode, the metrics' keys as the header."""
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(metrics[0]))
        writer.writeheader()
        writer.writerows(metrics)


def _plot(metrics: list[dict], path: Path, title: str) -> None:
    """The learning curve (sampled and deterministic rewards per episode) as a PNG."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    try:
        episodes = [m["episode"] for m in metrics]
        ax.plot(episodes, [m["reward"] for m in metrics], label="episode reward (sampled actions)")
        ax.plot(episodes, [m["eval_reward"] for m in metrics], label="reward of the modes")
        ax.set_xlabel("episode")
        ax.set_ylabel("mean reward per step")
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
