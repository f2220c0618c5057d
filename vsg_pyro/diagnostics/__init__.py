"""Diagnostics of posteriors and samples with ArviZ (through :mod:`.arviz_io` only)."""

from vsg_pyro.diagnostics.arviz_io import ARVIZ_MAJOR, to_inference_data
from vsg_pyro.diagnostics.report import (
    DiagnosisReport,
    convergence_checks,
    diagnose_run,
    format_report,
    load_inference_data,
    report_to_json,
    save_inference_data,
    save_plots,
    summarize,
)

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
