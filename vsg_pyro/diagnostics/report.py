"""Reports on run directories: :func:`diagnose_run` (summary, convergence checks, truth coverage,
plots), and the report as text (:func:`format_report`) or JSON (:func:`report_to_json`).

Everything here takes the ArviZ data that :func:`~vsg_pyro.diagnostics.to_inference_data` builds: an
``InferenceData`` under ArviZ 0.x, a ``xarray.DataTree`` under 1.x.  The pieces live in
:mod:`.netcdf_io` (netCDF save/load), :mod:`.summaries` (R-hat, ESS, HDI) and :mod:`.plots`;
their public names are importable from here too, as before the split.

A *run directory* holds::

    run_dir/
        posterior.nc    the ArviZ data (written by :func:`save_inference_data`)
        run.json        a JSON object of free-form metadata, e.g. {"game": ..., "method": ...,
                        "truth": {"psi": [0.3, -1.2]}}  ("truth" optional: true parameter values)

and :func:`diagnose_run` adds ``summary.csv`` and ``plots/*.png`` to it.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vsg_pyro.diagnostics.arviz_io import InferenceDataLike as InferenceDataLike
from vsg_pyro.diagnostics.arviz_io import coordinate_labels, get_group
from vsg_pyro.diagnostics.netcdf_io import load_inference_data
from vsg_pyro.diagnostics.netcdf_io import save_inference_data as save_inference_data
from vsg_pyro.diagnostics.plots import MAX_PREDICTIVE_ROWS as MAX_PREDICTIVE_ROWS
from vsg_pyro.diagnostics.plots import save_plots
from vsg_pyro.diagnostics.summaries import DEFAULT_HDI_PROB, convergence_checks, summarize

__all__ = [
    "DEFAULT_HDI_PROB",
    "MAX_PREDICTIVE_ROWS",
    "DiagnosisReport",
    "convergence_checks",
    "diagnose_run",
    "format_report",
    "load_inference_data",
    "report_to_json",
    "save_inference_data",
    "save_plots",
    "summarize",
]

#: Thresholds :func:`format_report` flags: R-hat above 1.01, bulk/tail ESS below 100 per chain.
R_HAT_LIMIT = 1.01
MIN_ESS_PER_CHAIN = 100

POSTERIOR_FILE = "posterior.nc"
RUN_FILE = "run.json"
SUMMARY_FILE = "summary.csv"
PLOTS_DIR = "plots"


@dataclass(frozen=True)
class DiagnosisReport:
    """What :func:`diagnose_run` found for one run directory.

    ``summary``: the :func:`summarize` table, plus ``truth`` (float, NaN where unknown) and
    ``covered`` (nullable boolean: truth inside the 90% HDI, ``<NA>`` where unknown) columns when
    ``run.json`` has ``"truth"``; ``checks``: :func:`convergence_checks`; ``plots``: the PNGs
    written; ``run``: the ``run.json`` object.
    """

    summary: pd.DataFrame
    checks: dict[str, float | int | None]
    plots: list[Path] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)


def diagnose_run(run_dir: str | os.PathLike[str],
                 var_names: Sequence[str] | None = None) -> DiagnosisReport:
    """Summarise, check and plot the run saved in ``run_dir``; return a :class:`DiagnosisReport`.

    Reads ``run_dir/posterior.nc`` and ``run_dir/run.json`` (see the module docstring), writes
    ``run_dir/summary.csv`` (index column ``variable``) and ``run_dir/plots/*.png``.  When
    ``run.json`` has ``"truth": {var_name: nested list shaped like one draw of var_name}``, the
    summary gets ``truth`` and ``covered`` columns for those variables' scalar elements (truth
    variables absent from the summary are skipped with a warning).

    Raises ``FileNotFoundError`` naming ``posterior.nc`` or ``run.json`` when one is missing, and
    ``ValueError`` when ``run.json`` is not valid JSON, is not a JSON object, or has a ``truth``
    that is not an object or whose values' shapes do not match the posterior's.
    """
    run_dir = Path(run_dir)
    posterior_path, run_path = run_dir / POSTERIOR_FILE, run_dir / RUN_FILE
    for required in (posterior_path, run_path):
        if not required.is_file():
            raise FileNotFoundError(f"{required}: missing {required.name} in run directory {run_dir}")
    run = _read_run_json(run_path)
    idata = load_inference_data(posterior_path)
    summary = summarize(idata, var_names, hdi_prob=DEFAULT_HDI_PROB)
    if "truth" in run:
        summary = _add_truth(summary, idata, run["truth"], run_path)
    checks = convergence_checks(idata, var_names, summary=summary)
    summary.to_csv(run_dir / SUMMARY_FILE, index_label="variable")
    plots = save_plots(idata, run_dir / PLOTS_DIR, var_names)
    return DiagnosisReport(summary=summary, checks=checks, plots=plots, run=run)


def _read_run_json(path: Path) -> dict[str, Any]:
    """``run.json`` as a dict; ``ValueError`` if it is not a JSON object."""
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(run, dict):
        raise ValueError(f"{path}: expected a JSON object of run metadata, got {type(run).__name__}")
    return run


def _add_truth(summary: pd.DataFrame, idata: InferenceDataLike, truth: object,
               run_path: Path) -> pd.DataFrame:
    """``summary`` with the ``truth`` and ``covered`` columns of :class:`DiagnosisReport`."""
    if not isinstance(truth, Mapping):
        raise ValueError(f"{run_path}: 'truth' must be an object {{var_name: values}}, "
                         f"got {type(truth).__name__}")
    posterior = get_group(idata, "posterior")
    summary = summary.copy()
    truth_column = pd.Series(np.nan, index=summary.index, dtype=float)
    for name, values in truth.items():
        if posterior is None or name not in posterior.data_vars:
            warnings.warn(f"{run_path}: truth for {name!r}, which the posterior lacks; skipped",
                          stacklevel=3)
            continue
        variable = posterior[name]
        element_shape = tuple(variable.shape[2:])
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{run_path}: truth[{name!r}] is not numeric ({error})") from error
        if array.shape != element_shape:
            raise ValueError(f"{run_path}: truth[{name!r}] has shape {array.shape}, the posterior's "
                             f"{name} has {element_shape} per draw")
        dims = variable.dims[2:]
        coordinate_values = [coordinate_labels(variable, dim, size)
                             for dim, size in zip(dims, element_shape, strict=True)]
        for index in np.ndindex(*element_shape):
            label = name if not index else (
                f"{name}[{', '.join(coordinate_values[axis][i] for axis, i in enumerate(index))}]")
            if label not in truth_column.index:
                warnings.warn(f"{run_path}: no summary row {label!r} for truth; skipped", stacklevel=3)
                continue
            truth_column[label] = float(array[index])
    summary["truth"] = truth_column
    known = truth_column.notna()
    covered = (summary["hdi_lower"] <= truth_column) & (truth_column <= summary["hdi_upper"])
    summary["covered"] = covered.astype("boolean").where(known, pd.NA)
    return summary


# ------------------------------------------------------------------------------------------ output


def format_report(report: DiagnosisReport) -> str:
    """Plain text for a terminal: run metadata, convergence checks (flagged against R-hat
    :data:`R_HAT_LIMIT` and :data:`MIN_ESS_PER_CHAIN` ESS per chain), the summary table and the
    plot paths."""
    lines: list[str] = []
    metadata = {key: value for key, value in report.run.items() if key != "truth"}
    if metadata:
        lines.append("Run")
        lines.extend(f"  {key}: {_short(value)}" for key, value in metadata.items())
        lines.append("")
    checks = report.checks
    n_chains = checks.get("n_chains")
    lines.append("Convergence")
    lines.append(f"  chains: {n_chains}, draws per chain: {checks.get('n_draws')}")
    max_r_hat = checks.get("max_r_hat")
    if max_r_hat is None:
        lines.append("  max r_hat: n/a (needs at least two chains)")
    else:
        flag = "ok" if max_r_hat <= R_HAT_LIMIT else f"WARNING: above {R_HAT_LIMIT}, chains disagree"
        lines.append(f"  max r_hat: {max_r_hat:.4f} ({flag})")
    ess_floor = MIN_ESS_PER_CHAIN * (n_chains or 1)
    for key in ("min_ess_bulk", "min_ess_tail"):
        value = checks.get(key)
        if value is None:
            lines.append(f"  {key}: n/a")
        else:
            flag = "ok" if value >= ess_floor else f"WARNING: below {ess_floor}"
            lines.append(f"  {key}: {value:.0f} ({flag})")
    lines.append("")
    prob = report.summary.attrs.get("hdi_prob", DEFAULT_HDI_PROB)
    lines.append(f"Summary (HDI {prob:.0%})")
    with pd.option_context("display.width", 200, "display.max_columns", None):
        lines.append(report.summary.to_string(float_format=lambda value: f"{value:.4g}"))
    if "covered" in report.summary.columns:
        covered = report.summary["covered"].dropna()
        if len(covered):
            lines.append(f"  truth inside the HDI for {int(covered.sum())} of {len(covered)} elements")
    lines.append("")
    lines.append("Plots")
    if report.plots:
        lines.extend(f"  {path}" for path in report.plots)
    else:
        lines.append("  (none)")
    return "\n".join(lines)


def _short(value: object, limit: int = 100) -> str:
    """``value`` as at most ``limit`` characters of text (JSON unless a string)."""
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


def report_to_json(report: DiagnosisReport) -> dict[str, Any]:
    """A JSON-serialisable dict: ``{"summary": [{"variable": "psi[0]", "mean": ..., ...}, ...],
    "checks": {...}, "plots": [str, ...], "run": {...}}``.  NaN and ``<NA>`` become ``None``;
    numpy scalars become Python numbers."""
    records = report.summary.reset_index(names="variable").to_dict(orient="records")
    return {
        "summary": [_jsonable(record) for record in records],
        "checks": _jsonable(report.checks),
        "plots": [str(path) for path in report.plots],
        "run": _jsonable(report.run),
    }


def _jsonable(value: object) -> Any:
    """``value`` with numpy, pandas and path values turned into JSON types (NaN: None)."""
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if value is None or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)
