"""Diagnostics of posteriors and samples with ArviZ (through :mod:`.arviz_io` only)."""

from vsg_pyro.diagnostics.arviz_io import ARVIZ_MAJOR, to_inference_data

__all__ = ["ARVIZ_MAJOR", "to_inference_data"]
