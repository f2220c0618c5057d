"""Diagnostics of posteriors and samples with ArviZ (ArviZ data built by :mod:`.arviz_io` only).

* :mod:`.arviz_io`: the converter to ArviZ data (ArviZ 0.x and 1.x);
* :mod:`.netcdf_io`: netCDF save and load;
* :mod:`.summaries`: summary tables (R-hat, ESS, HDI) and convergence checks;
* :mod:`.plots`: trace, posterior and posterior-predictive PNGs;
* :mod:`.report`: run directories (:func:`diagnose_run`) and the report as text or JSON.
"""

from vsg_pyro.diagnostics.arviz_io import ARVIZ_MAJOR, to_inference_data
from vsg_pyro.diagnostics.netcdf_io import load_inference_data, save_inference_data
from vsg_pyro.diagnostics.plots import save_plots
from vsg_pyro.diagnostics.report import DiagnosisReport, diagnose_run, format_report, report_to_json
from vsg_pyro.diagnostics.summaries import convergence_checks, summarize

__all__ = [
    "ARVIZ_MAJOR",
    "DiagnosisReport",
    "convergence_checks",
    "diagnose_run",
    "format_report",
    "load_inference_data",
    "report_to_json",
    "save_inference_data",
    "save_plots",
    "summarize",
    "to_inference_data",
]
