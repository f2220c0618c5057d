"""Reports on saved posteriors: netCDF I/O, summaries, convergence checks, plots and run directories.

Everything here takes the ArviZ data that :func:`~vsg_pyro.diagnostics.to_inference_data` builds: an
``InferenceData`` under ArviZ 0.x, a ``xarray.DataTree`` under 1.x.  Where the two ArviZ APIs differ
the code branches on :data:`~vsg_pyro.diagnostics.arviz_io.ARVIZ_MAJOR`; the ``ARVIZ_MAJOR >= 1``
branches are small, commented, and **untested here** (Python 3.11 resolves ArviZ 0.23).

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
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import arviz as az
import numpy as np
import pandas as pd

from vsg_pyro.diagnostics.arviz_io import ARVIZ_MAJOR

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

#: Probability mass of the highest-density intervals in summaries, plots and ``covered``.
DEFAULT_HDI_PROB = 0.9
#: At most this many rows (the first ones with observations) get a posterior-predictive panel.
MAX_PREDICTIVE_ROWS = 12
#: Thresholds :func:`format_report` flags: R-hat above 1.01, bulk/tail ESS below 100 per chain.
R_HAT_LIMIT = 1.01
MIN_ESS_PER_CHAIN = 100

POSTERIOR_FILE = "posterior.nc"
RUN_FILE = "run.json"
SUMMARY_FILE = "summary.csv"
PLOTS_DIR = "plots"

_ENGINE = "h5netcdf"  # netCDF4 is not a dependency; h5netcdf is (through ArviZ)
_SUMMARY_COLUMNS = ("mean", "sd", "hdi_lower", "hdi_upper", "ess_bulk", "ess_tail", "r_hat")

InferenceDataLike = Any
"""``arviz.InferenceData`` (ArviZ 0.x) or ``xarray.DataTree`` (ArviZ 1.x)."""


# --------------------------------------------------------------------------------------------- I/O


def save_inference_data(idata: InferenceDataLike, path: str | os.PathLike[str]) -> Path:
    """Write ArviZ data to a netCDF file (engine h5netcdf) and return its path.

    All groups are written with their variables' full shapes, e.g. ``posterior/psi`` shaped
    ``(chain, draw, *psi_shape)`` and ``observed_data/action_frequencies`` shaped ``(row, action)``.
    An existing file at ``path`` is replaced; missing parent directories are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if ARVIZ_MAJOR >= 1:
        # ArviZ 1.x (untested here): the data is an xarray.DataTree, which writes itself.
        idata.to_netcdf(path, engine=_ENGINE)
    else:
        idata.to_netcdf(str(path), engine=_ENGINE)
    return path


def load_inference_data(path: str | os.PathLike[str]) -> InferenceDataLike:
    """Read ArviZ data written by :func:`save_inference_data`, eagerly.

    Every group is loaded into memory and the file is closed before returning, so the same path
    can be overwritten afterwards.  Returns an ``InferenceData`` (ArviZ 0.x) or a ``DataTree``
    (1.x) with the groups and shapes that were saved.  Raises ``FileNotFoundError`` for a
    missing file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such netCDF file")
    if ARVIZ_MAJOR >= 1:
        # ArviZ 1.x (untested here): its data is a plain xarray.DataTree, so read it with xarray;
        # load_datatree (xarray >= 2025.1) opens, loads into memory and closes.
        import xarray as xr

        if hasattr(xr, "load_datatree"):
            return xr.load_datatree(path, engine=_ENGINE)
        with xr.open_datatree(path, engine=_ENGINE) as tree:
            return tree.load().copy()
    # ArviZ 0.x opens lazily unless rcParams["data.load"] is "eager"; eager loads each group
    # inside a `with` block, which closes the file.
    with az.rc_context(rc={"data.load": "eager"}):
        return az.from_netcdf(str(path), engine=_ENGINE)


# --------------------------------------------------------------------------- summaries and checks


def summarize(
    idata: InferenceDataLike,
    var_names: Sequence[str] | None = None,
    hdi_prob: float = DEFAULT_HDI_PROB,
) -> pd.DataFrame:
    """Posterior summary table from ``az.summary``, unrounded.

    One row per scalar element of each posterior variable, indexed like ``psi[0]``, ``psi[1]``
    (``m[0, 1]`` for two dimensions; coordinate names replace the integers where the data has
    coordinates).  Columns, in this order: ``mean``, ``sd``, ``hdi_lower``, ``hdi_upper`` (the
    ``hdi_prob`` highest-density interval; ArviZ 0.x calls them e.g. ``hdi_5%``/``hdi_95%``, 1.x
    ``hdi90_lb``/``hdi90_ub``: renamed here so callers need not know which), ``ess_bulk``,
    ``ess_tail``, ``r_hat``, then whatever else ArviZ adds (``mcse_mean``, ``mcse_sd``).
    ``r_hat`` is NaN with a single chain (ArviZ 0.x).  ``DataFrame.attrs["hdi_prob"]`` records
    ``hdi_prob``.
    """
    if not 0.0 < hdi_prob < 1.0:
        raise ValueError(f"hdi_prob: expected a probability in (0, 1), got {hdi_prob}")
    names = list(var_names) if var_names is not None else None
    if ARVIZ_MAJOR >= 1:
        # ArviZ 1.x (untested here): hdi_prob became ci_prob, and the default interval is an ETI.
        table = az.summary(idata, var_names=names, kind="all", ci_kind="hdi", ci_prob=hdi_prob,
                           round_to="none")
    else:
        table = az.summary(idata, var_names=names, kind="all", hdi_prob=hdi_prob, round_to="none")
    hdi_columns = [column for column in table.columns if str(column).startswith("hdi")]
    if len(hdi_columns) != 2:
        raise RuntimeError(f"az.summary: expected two HDI columns, got {list(table.columns)}")
    table = table.rename(columns={hdi_columns[0]: "hdi_lower", hdi_columns[1]: "hdi_upper"})
    missing = [column for column in _SUMMARY_COLUMNS if column not in table.columns]
    if missing:
        raise RuntimeError(f"az.summary: columns {missing} missing from {list(table.columns)}")
    rest = [column for column in table.columns if column not in _SUMMARY_COLUMNS]
    table = table[list(_SUMMARY_COLUMNS) + rest].astype(float)
    table.attrs["hdi_prob"] = float(hdi_prob)
    return table


def convergence_checks(
    idata: InferenceDataLike,
    var_names: Sequence[str] | None = None,
    *,
    summary: pd.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Worst-case convergence diagnostics over the posterior's scalar elements.

    Returns ``{"max_r_hat": float | None, "min_ess_bulk": float | None, "min_ess_tail":
    float | None, "n_chains": int, "n_draws": int}`` (draws per chain).  ``max_r_hat`` is
    ``None`` when there is a single chain (R-hat compares chains; ArviZ 0.x gives NaN there) or
    when ArviZ returns no finite R-hat; the ESS entries are ``None`` when no finite value exists.
    Pass ``summary`` (from :func:`summarize`) to reuse a table already computed.
    """
    if summary is None:
        summary = summarize(idata, var_names)
    n_chains, n_draws = _chain_draw_sizes(idata)
    max_r_hat = _finite_extreme(summary["r_hat"], max) if n_chains >= 2 else None
    return {
        "max_r_hat": max_r_hat,
        "min_ess_bulk": _finite_extreme(summary["ess_bulk"], min),
        "min_ess_tail": _finite_extreme(summary["ess_tail"], min),
        "n_chains": n_chains,
        "n_draws": n_draws,
    }


def _finite_extreme(values: pd.Series, pick) -> float | None:
    finite = [float(value) for value in values if math.isfinite(float(value))]
    return float(pick(finite)) if finite else None


def _chain_draw_sizes(idata: InferenceDataLike) -> tuple[int, int]:
    posterior = _group(idata, "posterior")
    if posterior is None:
        raise ValueError("the data has no 'posterior' group")
    sizes = posterior.sizes
    return int(sizes["chain"]), int(sizes["draw"])


def _group(idata: InferenceDataLike, name: str):
    """The group ``name`` (a Dataset, or a DataTree node under ArviZ 1.x), or None if absent."""
    try:
        return idata[name]
    except KeyError:
        return None


# -------------------------------------------------------------------------------------------- plots


def save_plots(
    idata: InferenceDataLike,
    out_dir: str | os.PathLike[str],
    var_names: Sequence[str] | None = None,
) -> list[Path]:
    """Write diagnostic PNGs into ``out_dir`` (created if needed) and return their paths.

    * ``trace.png``: ArviZ trace plot of the posterior (``var_names`` or all variables).
    * ``posterior.png``: ArviZ posterior densities with 90% HDIs.
    * ``posterior_predictive.png``, only when the data has ``posterior_predictive/action_probs``
      shaped ``(chain, draw, row, action)`` and ``observed_data/action_frequencies`` shaped
      ``(row, action)``: one panel per row with observations (at most the first
      :data:`MAX_PREDICTIVE_ROWS`), showing each action's posterior-predictive median probability
      with its 90% equal-tailed interval against the observed frequency.  Rows "with observations"
      are those with a positive total in ``observed_data/action_counts`` (``(row, action)``) when
      present, otherwise those whose frequencies are finite and not all zero.

    Figures are closed after saving.  If ``matplotlib.pyplot`` has not been imported yet (and
    ``MPLBACKEND`` is unset) the non-interactive Agg backend is selected; a backend already in use
    is left alone, since switching would close the user's figures.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plt = _pyplot()
    names = list(var_names) if var_names is not None else None
    written = [
        _save_arviz_plot(plt, idata, "trace", names, out_dir / "trace.png"),
        _save_arviz_plot(plt, idata, "posterior", names, out_dir / "posterior.png"),
    ]
    predictive = _save_predictive_plot(plt, idata, out_dir / "posterior_predictive.png")
    if predictive is not None:
        written.append(predictive)
    return written


def _pyplot():
    """``matplotlib.pyplot``, selecting Agg first if no backend can be in use yet."""
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        import matplotlib

        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_arviz_plot(plt, idata: InferenceDataLike, kind: str, var_names: list[str] | None,
                     path: Path) -> Path:
    if _group(idata, "posterior") is None:
        raise ValueError("save_plots: the data has no 'posterior' group")
    before = set(plt.get_fignums())
    try:
        if ARVIZ_MAJOR >= 1:
            # ArviZ 1.x (untested here): plot_trace became plot_trace_dist, plot_posterior
            # became plot_dist; both return a PlotCollection, which saves itself.
            if kind == "trace":
                collection = az.plot_trace_dist(idata, var_names=var_names, backend="matplotlib")
            else:
                collection = az.plot_dist(idata, var_names=var_names, ci_kind="hdi",
                                          ci_prob=DEFAULT_HDI_PROB, backend="matplotlib")
            collection.savefig(path)
        else:
            with warnings.catch_warnings():
                # ArviZ 0.x's matplotlib backend calls an API that matplotlib >= 3.11 deprecates;
                # nothing a caller can act on.
                warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"arviz\.")
                if kind == "trace":
                    axes = az.plot_trace(idata, var_names=var_names)
                else:
                    axes = az.plot_posterior(idata, var_names=var_names, hdi_prob=DEFAULT_HDI_PROB)
            figure = np.atleast_1d(axes).ravel()[0].figure
            figure.savefig(path, dpi=100)
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
    return path


def _save_predictive_plot(plt, idata: InferenceDataLike, path: Path) -> Path | None:
    predictive = _group(idata, "posterior_predictive")
    observed = _group(idata, "observed_data")
    if predictive is None or observed is None:
        return None
    if "action_probs" not in predictive.data_vars or "action_frequencies" not in observed.data_vars:
        return None
    probs_da = predictive["action_probs"]
    probs = np.asarray(probs_da.values, dtype=float)
    frequencies = np.asarray(observed["action_frequencies"].values, dtype=float)
    if probs.ndim != 4 or frequencies.shape != probs.shape[2:]:
        raise ValueError(
            "save_plots: expected posterior_predictive/action_probs (chain, draw, row, action) and "
            f"observed_data/action_frequencies (row, action), got {probs.shape} and "
            f"{frequencies.shape}")
    counts = None
    if "action_counts" in observed.data_vars:
        counts = np.asarray(observed["action_counts"].values, dtype=float)
        if counts.shape != frequencies.shape:
            raise ValueError(f"save_plots: observed_data/action_counts has shape {counts.shape}, "
                             f"action_frequencies {frequencies.shape}")
        has_data = counts.sum(axis=-1) > 0
    else:
        has_data = np.isfinite(frequencies).all(axis=-1) & (np.nansum(frequencies, axis=-1) > 0)
    rows = np.flatnonzero(has_data)[:MAX_PREDICTIVE_ROWS]
    if rows.size == 0:
        return None

    row_dim, action_dim = probs_da.dims[2], probs_da.dims[3]
    row_labels = _coordinate_labels(probs_da, row_dim, probs.shape[2])
    action_labels = _coordinate_labels(probs_da, action_dim, probs.shape[3])
    draws = probs.reshape(-1, *probs.shape[2:])[:, rows]  # (chain * draw, len(rows), action)
    low, median, high = np.quantile(draws, [0.05, 0.5, 0.95], axis=0)

    n_cols = min(4, rows.size)
    n_rows = math.ceil(rows.size / n_cols)
    before = set(plt.get_fignums())
    try:
        size = (max(3.2 * n_cols, 6.0), 2.6 * n_rows + 0.4)
        figure, axes = plt.subplots(n_rows, n_cols, figsize=size, squeeze=False, sharey=True)
        x = np.arange(probs.shape[3])
        for panel, (ax, row) in enumerate(zip(axes.ravel(), rows, strict=False)):
            ax.errorbar(x, median[panel], yerr=[median[panel] - low[panel], high[panel] - median[panel]],
                        fmt="o", color="C0", capsize=3, label="predictive median, 90% interval")
            ax.scatter(x, frequencies[row], marker="x", s=50, color="C3", zorder=3,
                       label="observed frequency")
            title = f"{_dim_title(row_dim, 'row')} {row_labels[row]}"
            if counts is not None:
                title += f" (n={counts[row].sum():g})"
            ax.set_title(title, fontsize=9)
            ax.set_xticks(x, action_labels, fontsize=8)
            ax.set_ylim(-0.02, 1.02)
        for ax in axes.ravel()[rows.size:]:
            ax.set_visible(False)
        for ax in axes[:, 0]:
            ax.set_ylabel("probability")
        for ax in axes.ravel()[max(0, rows.size - n_cols):rows.size]:
            ax.set_xlabel(_dim_title(action_dim, "action"))
        axes[0, 0].legend(fontsize=7, loc="upper right")
        figure.suptitle("Posterior predictive action probabilities vs observed frequencies",
                        fontsize=10)
        figure.tight_layout()
        figure.savefig(path, dpi=100)
    finally:
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
    return path


def _dim_title(dim: str, default: str) -> str:
    """``default`` for ArviZ's generated names (``action_probs_dim_2``), else the dimension's name."""
    return default if dim.startswith("action_probs_dim_") else dim


def _coordinate_labels(array, dim: str, size: int) -> list[str]:
    if dim in array.coords:
        return [str(value) for value in np.asarray(array.coords[dim].values)]
    return [str(index) for index in range(size)]


# ---------------------------------------------------------------------------------- run directories


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
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(run, dict):
        raise ValueError(f"{path}: expected a JSON object of run metadata, got {type(run).__name__}")
    return run


def _add_truth(summary: pd.DataFrame, idata: InferenceDataLike, truth: object,
               run_path: Path) -> pd.DataFrame:
    if not isinstance(truth, Mapping):
        raise ValueError(f"{run_path}: 'truth' must be an object {{var_name: values}}, "
                         f"got {type(truth).__name__}")
    posterior = _group(idata, "posterior")
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
        coordinate_values = [_coordinate_labels(variable, dim, size)
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
