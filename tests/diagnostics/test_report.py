"""Diagnostic reports: netCDF round trip, summaries, convergence checks, plots and run directories."""

import json

import numpy as np
import pytest
import torch

from vsg_pyro.diagnostics import (
    DiagnosisReport,
    convergence_checks,
    diagnose_run,
    format_report,
    load_inference_data,
    report_to_json,
    save_inference_data,
    save_plots,
    summarize,
    to_inference_data,
)

torch.set_num_threads(1)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
N_CHAINS, N_DRAWS, N_ROWS, N_ACTIONS = 4, 500, 3, 3
PSI_MEANS = np.array([0.0, 3.0])


def _groups(seed=0, chain_offsets=None, counts=None):
    """{group: {variable: array}}: a well-mixed normal psi (4, 500, 2), predictive action
    probabilities (4, 500, 3, 3) and observed frequencies/counts (3, 3)."""
    rng = np.random.default_rng(seed)
    psi = rng.normal(size=(N_CHAINS, N_DRAWS, 2)) + PSI_MEANS
    if chain_offsets is not None:
        psi = psi + np.asarray(chain_offsets, dtype=float)[:, None, None]
    logits = rng.normal(size=(N_CHAINS, N_DRAWS, N_ROWS, N_ACTIONS)) + np.array([1.0, 0.0, -1.0])
    probs = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    counts = np.array([[5, 3, 2], [0, 0, 0], [1, 6, 3]]) if counts is None else np.asarray(counts)
    totals = counts.sum(axis=-1, keepdims=True)
    frequencies = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
    return {
        "posterior": {"psi": psi},
        "posterior_predictive": {"action_probs": probs},
        "observed_data": {"action_frequencies": frequencies, "action_counts": counts},
    }


@pytest.fixture(scope="module")
def groups():
    return _groups()


@pytest.fixture(scope="module")
def idata(groups):
    return to_inference_data(groups)


def _write_run(run_dir, idata, run):
    save_inference_data(idata, run_dir / "posterior.nc")
    (run_dir / "run.json").write_text(json.dumps(run))
    return run_dir


def test_netcdf_round_trip_is_exact_and_the_file_can_be_overwritten(tmp_path, groups, idata):
    path = save_inference_data(idata, tmp_path / "nested" / "posterior.nc")
    assert path == tmp_path / "nested" / "posterior.nc" and path.stat().st_size > 0
    loaded = load_inference_data(path)
    for group, variables in groups.items():
        for name, array in variables.items():
            restored = np.asarray(loaded[group][name].values)
            assert restored.shape == array.shape
            np.testing.assert_array_equal(restored, array)  # NaN frequencies included
    # Loading is eager and closes the file: the same path takes new data, and `loaded` keeps the old.
    other = to_inference_data(_groups(seed=1))
    save_inference_data(other, path)
    np.testing.assert_array_equal(load_inference_data(path)["posterior"]["psi"].values,
                                  other["posterior"]["psi"].values)
    np.testing.assert_array_equal(loaded["posterior"]["psi"].values, groups["posterior"]["psi"])
    with pytest.raises(FileNotFoundError, match="missing.nc"):
        load_inference_data(tmp_path / "missing.nc")


def test_summary_of_well_mixed_chains(idata, groups):
    summary = summarize(idata)
    assert list(summary.index) == ["psi[0]", "psi[1]"]
    for column in ("mean", "sd", "hdi_lower", "hdi_upper", "ess_bulk", "ess_tail", "r_hat"):
        assert column in summary.columns
    assert (summary["r_hat"] < 1.01).all()
    assert (summary["ess_bulk"] > 1000).all()  # 2000 independent draws
    draws = groups["posterior"]["psi"].reshape(-1, 2)
    np.testing.assert_allclose(summary["mean"], draws.mean(axis=0))  # unrounded
    # A 90% HDI of a unit normal is about +-1.645 around the mean.
    np.testing.assert_allclose(summary["hdi_upper"] - summary["hdi_lower"], 2 * 1.645, atol=0.2)
    wider = summarize(idata, var_names=["psi"], hdi_prob=0.99)
    assert ((wider["hdi_upper"] - wider["hdi_lower"]) > (summary["hdi_upper"] - summary["hdi_lower"])).all()
    with pytest.raises(ValueError, match="hdi_prob"):
        summarize(idata, hdi_prob=1.5)

    checks = convergence_checks(idata)
    assert checks["n_chains"] == N_CHAINS and checks["n_draws"] == N_DRAWS
    assert 1.0 - 0.01 < checks["max_r_hat"] < 1.01
    assert checks["min_ess_bulk"] == pytest.approx(summary["ess_bulk"].min())
    assert checks["min_ess_tail"] == pytest.approx(summary["ess_tail"].min())


def test_non_mixing_chains_have_large_r_hat():
    stuck = to_inference_data(_groups(chain_offsets=[0.0, 0.0, 4.0, 4.0]))
    checks = convergence_checks(stuck)
    assert checks["max_r_hat"] > 1.1
    assert "WARNING" in format_report(DiagnosisReport(summary=summarize(stuck), checks=checks))


def test_one_chain_reports_no_r_hat():
    rng = np.random.default_rng(2)
    checks = convergence_checks(to_inference_data({"posterior": {"tau": rng.normal(size=(1, 400))}}))
    assert checks["max_r_hat"] is None
    assert checks["n_chains"] == 1 and checks["n_draws"] == 400
    assert checks["min_ess_bulk"] > 100


def test_save_plots_writes_three_pngs(tmp_path, idata):
    paths = save_plots(idata, tmp_path / "plots")
    assert [path.name for path in paths] == ["trace.png", "posterior.png", "posterior_predictive.png"]
    for path in paths:
        assert path.parent == tmp_path / "plots"
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # every figure closed


def test_predictive_plot_needs_rows_with_observations(tmp_path):
    no_data = to_inference_data(_groups(counts=np.zeros((N_ROWS, N_ACTIONS), dtype=int)))
    paths = save_plots(no_data, tmp_path, var_names=["psi"])
    assert [path.name for path in paths] == ["trace.png", "posterior.png"]
    assert not (tmp_path / "posterior_predictive.png").exists()

    bad = _groups()
    bad["observed_data"]["action_frequencies"] = np.full((N_ROWS + 1, N_ACTIONS), 1 / N_ACTIONS)
    del bad["observed_data"]["action_counts"]
    with pytest.raises(ValueError, match="action_frequencies"):
        save_plots(to_inference_data(bad), tmp_path)


def test_diagnose_run_with_truth(tmp_path, idata, groups):
    draws = groups["posterior"]["psi"].reshape(-1, 2)
    truth = [float(draws[:, 0].mean()), float(draws[:, 1].mean() + 10 * draws[:, 1].std())]
    run = {"game": "matching_pennies", "method": "nuts", "seed": 0, "truth": {"psi": truth}}
    run_dir = _write_run(tmp_path, idata, run)

    report = diagnose_run(run_dir)
    assert report.run == run
    assert report.summary.loc["psi[0]", "truth"] == pytest.approx(truth[0])
    assert report.summary.loc["psi[1]", "truth"] == pytest.approx(truth[1])
    assert bool(report.summary.loc["psi[0]", "covered"]) is True  # truth at the mean
    assert bool(report.summary.loc["psi[1]", "covered"]) is False  # truth 10 sd away
    assert report.checks["n_chains"] == N_CHAINS and report.checks["max_r_hat"] < 1.01

    csv_lines = (run_dir / "summary.csv").read_text().splitlines()
    assert csv_lines[0].startswith("variable,mean,sd,hdi_lower,hdi_upper")
    assert csv_lines[0].endswith("truth,covered")
    assert csv_lines[1].startswith("psi[0],") and csv_lines[1].endswith(",True")
    assert csv_lines[2].endswith(",False")
    assert [path.name for path in report.plots] == ["trace.png", "posterior.png",
                                                    "posterior_predictive.png"]
    assert all(path.parent == run_dir / "plots" and path.is_file() for path in report.plots)

    text = format_report(report)
    for expected in ("matching_pennies", "max r_hat", "psi[1]", "covered",
                     "truth inside the HDI for 1 of 2", str(report.plots[0])):
        assert expected in text


def test_diagnose_run_without_truth_has_no_truth_columns(tmp_path, idata):
    report = diagnose_run(_write_run(tmp_path, idata, {"game": "rps"}))
    assert "truth" not in report.summary.columns and "covered" not in report.summary.columns
    assert len(report.plots) == 3


def test_diagnose_run_refuses_missing_files_and_bad_metadata(tmp_path, idata):
    with pytest.raises(FileNotFoundError, match="posterior.nc"):
        diagnose_run(tmp_path)
    save_inference_data(idata, tmp_path / "posterior.nc")
    with pytest.raises(FileNotFoundError, match="run.json"):
        diagnose_run(tmp_path)
    (tmp_path / "run.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        diagnose_run(tmp_path)
    (tmp_path / "run.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        diagnose_run(tmp_path)
    (tmp_path / "run.json").write_text(json.dumps({"truth": {"psi": [0.0, 1.0, 2.0]}}))
    with pytest.raises(ValueError, match="shape"):
        diagnose_run(tmp_path)


def test_report_to_json_is_serialisable(tmp_path, idata):
    run = {"game": "rps", "truth": {"psi": [0.0, 3.0]}}
    report = diagnose_run(_write_run(tmp_path, idata, run))
    # A row without truth: NaN truth and <NA> covered must become null, not NaN.
    summary = report.summary.copy()
    summary.loc["psi[1]", ["truth", "covered"]] = [np.nan, None]
    payload = report_to_json(DiagnosisReport(summary, report.checks, report.plots, report.run))

    decoded = json.loads(json.dumps(payload, allow_nan=False))
    assert [row["variable"] for row in decoded["summary"]] == ["psi[0]", "psi[1]"]
    assert decoded["summary"][0]["covered"] is True
    assert decoded["summary"][1]["truth"] is None and decoded["summary"][1]["covered"] is None
    assert decoded["checks"]["n_chains"] == N_CHAINS
    assert decoded["plots"] == [str(path) for path in report.plots]
    assert decoded["run"] == run
