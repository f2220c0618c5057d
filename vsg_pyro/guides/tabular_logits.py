"""The piece every tabular softmax guide shares: validated initial logits and the recorded
natural-gradient preconditioner (:func:`vsg_pyro.infer.natural_gradient.natural_gradient` reads it through
``fisher_diagonal``)."""

from __future__ import annotations

import torch

__all__ = ["TabularLogits"]


class TabularLogits:
    """Initial logits of a given shape and the recorded natural-gradient preconditioner."""

    def _init_logits(self, shape: tuple[int, ...], init_logits: torch.Tensor | None) -> None:
        if init_logits is None:
            init_logits = torch.zeros(shape, dtype=torch.float64)
        if tuple(init_logits.shape) != shape:
            raise ValueError(f"init_logits: expected shape {shape}, got {tuple(init_logits.shape)}")
        self._init = init_logits.detach().clone()
        self._fisher: dict[str, torch.Tensor] = {}

    def fisher_diagonal(self, param_name: str) -> torch.Tensor:
        """Probability of each cell of ``param_name`` under the guide at its last call."""
        if param_name not in self._fisher:
            raise KeyError(f"{param_name!r}: the guide has not been run yet")
        return self._fisher[param_name]
