"""``vsg train CONFIG.yaml`` (:mod:`vsg_pyro.continuous.yaml_runner`): the file's checks, derived
from the config dataclasses, and a tiny run end to end."""

import json
import typing
from dataclasses import fields

import pytest
import torch

from vsg_pyro.cli import main
from vsg_pyro.continuous.baselines import BaselineConfig
from vsg_pyro.continuous.mai import MAIConfig
from vsg_pyro.continuous.yaml_runner import _check_types, _field_types


@pytest.mark.parametrize("cls", [MAIConfig, BaselineConfig])
def test_every_config_field_has_a_yaml_check(cls):
    kinds = _field_types(cls)
    assert list(kinds) == [f.name for f in fields(cls)]
    for name, kind in kinds.items():
        assert kind in (int, float, str) or typing.get_args(kind) == (int, Ellipsis), name
    defaults = {f.name: getattr(cls(), f.name) for f in fields(cls)}
    options = {name: list(v) if isinstance(v, tuple) else v for name, v in defaults.items()}
    _check_types(options, cls)  # every default passes its own field's check


def test_integer_fields_are_the_int_annotated_ones():
    ints = {name for name, kind in _field_types(MAIConfig).items() if kind is int}
    assert ints == {"episodes", "anneal_episodes", "batch_size", "buffer_size", "updates_per_step",
                    "update_every", "learning_starts", "seed", "opponent_samples"}
    with pytest.raises(ValueError, match="config.opponent: expected a string"):
        _check_types({"opponent": 3}, MAIConfig)
    options = {"actor_lr": "1e-3", "noise": 1}
    _check_types(options, BaselineConfig)
    assert options == {"actor_lr": 1e-3, "noise": 1}
    with pytest.raises(ValueError, match="config.noise: expected a number"):
        _check_types({"noise": "loud"}, BaselineConfig)


def test_vsg_train_writes_metrics_checkpoints_and_a_curve(tmp_path, capsys):
    config = tmp_path / "tiny.yaml"
    config.write_text("game: differential_game\ngame_options: {episode_length: 5}\nalgo: mai\n"
                      "checkpoint_every: 2\nconfig: {episods: 3}\n")
    assert main(["train", str(config), "--out", str(tmp_path / "run")]) == 2
    assert "episods" in capsys.readouterr().err
    for bad, message in [("game: differential_game\nconfig: {episodes: ten}\n", "expected an integer"),
                         ("game: differential_game\nconfig: {episodes: 2.5}\n", "expected an integer"),
                         ("game: differential_game\nconfig: {hidden: 64}\n", "list of positive"),
                         ("game: differential_game\nconfig: {actor_lr: fast}\n", "expected a number"),
                         ("game: differential_game\ngame_options: {colour: red}\n", "colour"),
                         ("game: [unclosed\n", "YAML")]:
        config.write_text(bad)
        assert main(["train", str(config), "--out", str(tmp_path / "bad")]) == 2
        assert message in capsys.readouterr().err
    config.write_text("game: differential_game\ngame_options: {episode_length: 5}\nalgo: mai\n"
                      "checkpoint_every: 2\nconfig: {episodes: 3, learning_starts: 4, batch_size: 8}\n")
    assert main(["train", str(config), "--out", str(tmp_path / "run"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    run = tmp_path / "run"
    assert doc["episodes"] == 3
    rows = (run / "metrics.csv").read_text().splitlines()
    assert rows[0].startswith("episode,beta,reward,eval_reward") and len(rows) == 4
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["episode_0002.pt",
                                                                      "episode_0003.pt"]
    ckpt = torch.load(run / "checkpoints" / "episode_0003.pt", weights_only=False)
    assert len(ckpt["agents"]) == 2 and "policy" in ckpt["agents"][0]
    assert (run / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    config.write_text("game: differential_game\nalgo: ddpg\nconfig: {episodes: 2, learning_starts: 4,"
                      " batch_size: 8, noise: 0.2}\n")
    assert main(["train", str(config), "--out", str(tmp_path / "ddpg"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["episodes"] == 2
