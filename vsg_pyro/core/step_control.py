"""Learning-rate control shared by exact VPG and natural-gradient SVI.

Simultaneous NPG (eq. 4) can orbit the fixed point of, e.g., entropy-regularised zero-sum games
when ``alpha * beta * max|r|`` is large.  :class:`StepSizeController` halves ``alpha`` whenever the
policy change has not fallen below ``0.9`` times its value ``patience`` steps earlier (and alpha
was not changed in between), down to ``1e-4`` times its initial value.
"""

from __future__ import annotations

__all__ = ["StepSizeController"]


class StepSizeController:
    """Call :meth:`update` with each step's policy change; read :attr:`alpha`."""

    def __init__(self, alpha: float, patience: int = 25, enabled: bool = True) -> None:
        if not 0 < alpha <= 1:
            raise ValueError(f"alpha: must lie in (0, 1], got {alpha}")
        if patience < 1:
            raise ValueError(f"patience: must be >= 1, got {patience}")
        self.alpha = alpha
        self.initial_alpha = alpha
        self.min_alpha = alpha * 1e-4
        self.patience = patience
        self.enabled = enabled
        self._history: list[tuple[float, float]] = []  # (delta, alpha used)

    def update(self, delta: float) -> float:
        """Record a step's change; returns the alpha to use for the next step."""
        self._history.append((delta, self.alpha))
        if self.enabled and len(self._history) > self.patience:
            old_delta, old_alpha = self._history[-1 - self.patience]
            if old_alpha == self.alpha and delta > 0.9 * old_delta and self.alpha > self.min_alpha:
                self.alpha /= 2.0
        return self.alpha

    def reset(self) -> None:
        """Forget the recorded changes and return to the initial step (the loop calls this
        while beta changes: changes measured at another beta say nothing about the step at
        this one)."""
        self._history.clear()
        self.alpha = self.initial_alpha
