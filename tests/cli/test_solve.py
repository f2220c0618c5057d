"""The CLI does what the Python API does."""

import argparse
import json

import numpy as np
import pytest
import torch

import vsg_pyro
from vsg_pyro import solve
from vsg_pyro.cli import main
from vsg_pyro.core.schedules import geometric_beta
from vsg_pyro.games import get_game, save_game
from vsg_pyro.metrics import exploitability

KEYS = {"game", "concept", "family", "beta", "method", "policies", "exploitability", "nash_conv",
        "elbo", "iterations", "converged", "certificate", "reason", "seconds"}


@pytest.mark.parametrize("method", ["svi", "exact"])
def test_solve_json_matches_python_api(capsys, method):
    argv = ["solve", "chicken", "--beta", "3", "--family", "factorized", "--method", method,
            "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == KEYS
    api = solve(get_game("chicken"), beta=3.0, family="factorized", method=method)
    assert doc["game"] == "chicken" and doc["concept"] == "nash" and doc["method"] == method
    assert doc["iterations"] == api.iterations
    for ours, theirs in zip(doc["policies"], api.policies, strict=True):
        assert ours == pytest.approx(theirs.reshape(-1).tolist(), abs=1e-12)
    game = get_game("chicken")
    rep = exploitability(game, [torch.tensor(p, dtype=torch.float64) for p in doc["policies"]])
    assert doc["exploitability"] == pytest.approx(rep.exploitability, abs=1e-12)
    assert doc["nash_conv"] == pytest.approx(rep.nash_conv, abs=1e-12)
    assert doc["elbo"] == pytest.approx([t[-1] for t in api.elbo], abs=1e-12)


def test_solve_stochastic_game_file(tmp_path, capsys):
    path = tmp_path / "commons.json"
    save_game(get_game("resource_commons"), path)
    assert main(["solve", str(path), "--json", "--beta", "2"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["policies"]) == 2 and len(doc["policies"][0]) == 3  # [state][action]
    assert len(doc["policies"][0][0]) == 2
    # the file's game solved through the CLI is the built-in solved through the API ...
    api = solve("resource_commons", beta=2.0)
    assert doc["converged"] and api.converged
    np.testing.assert_allclose(np.array(doc["policies"][0]), api.policies[0].numpy(), atol=1e-12)
    # ... and the JSON's exploitability is that of its own policies (exact best responses)
    game = get_game("resource_commons")
    rep = exploitability(game, [torch.tensor(p, dtype=torch.float64) for p in doc["policies"]])
    assert doc["exploitability"] == pytest.approx(rep.exploitability, abs=1e-12)


def test_table_output(capsys):
    assert main(["solve", "prisoners_dilemma", "--method", "exact", "--beta", "2"]) == 0
    out = capsys.readouterr().out
    assert "exploitability" in out and "agent0" in out and "C=" in out


def test_errors_exit_2(capsys):
    assert main(["solve", "no_such_game"]) == 2
    assert "neither a built-in game" in capsys.readouterr().err
    assert main(["solve", "chicken", "--beta", "-1", "--json"]) == 2
    assert "beta" in capsys.readouterr().err


CONCEPT_KEYS = KEYS | {"joint", "ce_gap", "cce_gap", "welfare", "value", "reference"}


def test_correlated_json_matches_python_api(capsys):
    argv = ["solve", "chicken", "--concept", "correlated", "--method", "exact", "--beta", "3",
            "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == CONCEPT_KEYS | {"signal"}
    api = solve("chicken", concept="correlated", method="exact", beta=3.0)
    assert doc["concept"] == "correlated" and doc["family"] == "factorized"
    assert torch.tensor(doc["joint"], dtype=torch.float64).sub(api.joint.reshape(2, 2)).abs().max() < 1e-12
    assert doc["ce_gap"] == pytest.approx(api.ce_gap, abs=1e-12)
    assert doc["welfare"] == pytest.approx(api.welfare, abs=1e-12)
    assert doc["reference"] == pytest.approx(10.5) and doc["value"] is None
    assert len(doc["signal"]) == 4  # private recommendations: one per joint action
    assert main(["solve", "chicken", "--concept", "correlated", "--method", "exact",
                 "--signal", "public", "--signal-size", "3", "--init", "random"]) == 0
    assert "CE gap" in capsys.readouterr().out


def test_zero_sum_json(capsys):
    argv = ["solve", "zs_random_3x4_s1", "--concept", "zero-sum", "--method", "exact",
            "--beta", "100", "--anneal-from", "1", "--anneal-steps", "300", "--steps", "20000",
            "--init", "random", "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == CONCEPT_KEYS
    assert doc["converged"] and abs(doc["value"] - doc["reference"]) < 1e-3
    assert len(doc["joint"]) == 3 and len(doc["joint"][0]) == 4


def test_correlated_options_need_the_concept(capsys):
    assert main(["solve", "chicken", "--signal", "public"]) == 2
    assert "--concept correlated" in capsys.readouterr().err


def test_mean_field_json(capsys):
    argv = ["solve", "beach_bar", "--concept", "mean-field", "--method", "exact", "--beta", "0.1",
            "--steps", "400", "--target", "0.1", "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["converged"] and doc["exploitability"] <= 0.1
    assert len(doc["exploitability_trace"]) == doc["iterations"]
    assert len(doc["policy"]) == 20 and len(doc["policy"][0]) == 20  # [t][state][action]
    api = solve("beach_bar", concept="mean-field", method="exact", beta=0.1, steps=400,
                target=0.1)
    assert doc["exploitability"] == pytest.approx(api.exploitability, abs=1e-12)
    assert main(["solve", "chicken", "--damping", "0.5"]) == 2
    assert "--concept mean-field" in capsys.readouterr().err
    assert main(["solve", "chicken", "--concept", "mean-field"]) == 2
    assert "not a mean-field game" in capsys.readouterr().err


def test_mean_field_variants_match_the_api(capsys):
    """--optimistic on RPS and --prior uniform with annealing (--anneal-from) on SIS give what
    solve(concept="mean-field") gives with the same options."""
    argv = ["solve", "rps_mfg", "--concept", "mean-field", "--method", "exact", "--beta", "0.5",
            "--optimistic", "--steps", "100", "--target", "1e-3", "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["converged"] and doc["exploitability"] <= 1e-3
    api = solve("rps_mfg", concept="mean-field", method="exact", beta=0.5, steps=100,
                target=1e-3, optimistic=True)
    assert doc["exploitability_trace"] == pytest.approx([e["exploitability"] for e in api.trace])
    argv = ["solve", "sis_epidemic", "--concept", "mean-field", "--method", "exact", "--prior",
            "uniform", "--anneal-from", "10", "--beta", "25", "--steps", "40", "--damping", "0.1",
            "--target", "-1", "--json"]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    api = solve("sis_epidemic", concept="mean-field", method="exact", beta=25.0, steps=40,
                beta_schedule=geometric_beta(10.0, 25.0, 20),
                target=-1.0, prior="uniform", damping=0.1)
    assert doc["exploitability"] == pytest.approx(api.exploitability, abs=1e-12)
    assert doc["beta"] == pytest.approx(25.0)
    assert main(["solve", "chicken", "--optimistic"]) == 2
    assert "--concept mean-field" in capsys.readouterr().err


def test_a_closed_pipe_ends_the_cli_quietly(monkeypatch):
    # `vsg qre ... | head -1`: the reader has gone, so writing raises BrokenPipeError; main
    # returns 1 and does not raise (before: a traceback on stderr).
    import os

    from vsg_pyro.cli import main

    read, write = os.pipe()
    os.close(read)
    stdout = os.fdopen(write, "w", buffering=1)  # line-buffered: the first line hits the pipe
    monkeypatch.setattr("sys.stdout", stdout)
    try:
        assert main(["qre", "chicken", "--max-lambda", "2"]) == 1
    finally:
        monkeypatch.undo()
        stdout.close()


def test_a_refused_option_shows_no_progress_bar(capsys):
    # the bar is made at the first step, so a refused option leaves only the error line
    from vsg_pyro.cli import main

    assert main(["solve", "chicken", "--method", "exact", "--validate", "--progress"]) == 2
    err = capsys.readouterr().err
    assert "validate" in err and "step/s" not in err and "%|" not in err
    assert main(["solve", "chicken", "--steps", "5", "--progress"]) == 0
    assert "step" in capsys.readouterr().err  # a run that steps still shows it


def test_help_and_version_import_neither_torch_nor_pyro():
    """``vsg --help`` / ``--version`` list the commands from vsg_pyro.cli.commands without
    importing the heavy stack (issue 16: it took ~4 s; benchmarks/bench_cli_startup.py)."""
    import subprocess
    import sys

    code = ("import sys\nfrom vsg_pyro.cli import main\n"
            "for argv in (['--help'], ['--version']):\n"
            "    try:\n        main(argv)\n    except SystemExit as e:\n        assert e.code == 0\n"
            "assert 'torch' not in sys.modules and 'pyro' not in sys.modules, "
            "[m for m in ('torch', 'pyro') if m in sys.modules]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "solve" in done.stdout and "qre-batch" in done.stdout
    assert f"vsg {vsg_pyro.__version__}" in done.stdout


def test_every_command_is_listed_once_with_its_module():
    from vsg_pyro.cli import COMMANDS, build_parser

    parser = build_parser()  # every module imported: each registers the name it is listed as
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == list(COMMANDS)


@pytest.mark.parametrize("flag, shown", [("--progress", True), ("--no-progress", False),
                                         (None, False)])  # default: only on a terminal
def test_progress_flag(flag, shown, capsys):
    argv = ["solve", "chicken", "--method", "exact", "--beta", "2"] + ([flag] if flag else [])
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert ("step" in err) == shown, err


def test_infer_progress_flag(tmp_path, capsys):
    argv = ["infer", "chicken", "--out", str(tmp_path / "run"), "--method", "svi",
            "--svi-steps", "20", "--samples", "10", "--chains", "2", "--observations", "100"]
    assert main([*argv, "--progress"]) == 0
    assert "svi" in capsys.readouterr().err
    assert main([*argv, "--no-progress"]) == 0
    assert capsys.readouterr().err == ""
