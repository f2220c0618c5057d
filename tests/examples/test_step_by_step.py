"""examples/step_by_step.py drives a Nash SVI solver by hand; its final exploitability equals
the one-loop ``solve`` with the same settings (the example and solve share nothing but the
solver), and the exact best-response exploitability it prints is checked by the metrics'
own tests."""

import subprocess
import sys
from pathlib import Path

import pytest

from vsg_pyro import solve

EXAMPLE = Path(__file__).parents[2] / "examples" / "step_by_step.py"


def test_step_by_step_example_runs_and_matches_solve():
    out = subprocess.run([sys.executable, str(EXAMPLE), "--steps", "100", "--beta", "2"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [int(r[0]) for r in rows] == [1, 50, 100]
    reference = solve("resource_commons", family="factorized", init="random", beta=2.0,
                      steps=100, tol=0.0, adaptive_step=False)
    assert float(rows[-1][1]) == pytest.approx(reference.exploitability, rel=1e-5)
    assert "holds at 1e-06" in out
