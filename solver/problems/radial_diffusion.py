"""A 1-D radial reference solver for diffusion in a sphere: the independent check of the
finite-element particle problem where no closed form exists (a concentration-dependent
diffusivity, e.g. the stress-coupled ``D_eff(c)``).

    dc/dt = (1/r^2) d/dr (r^2 D(c) dc/dr),   dc/dr = 0 at r = 0,   D(c) dc/dr = N(t) at r = R

(N the molar influx [mol/(m^2 s)], > 0 inserts). Finite volumes on ``cells`` equal shells
(second order in space; the face diffusivity at the mean of its two cells), variable-step BDF2
in time (backward Euler on the first step), a Picard iteration on D(c) within each step to
round-off. Plain numpy: it shares no code with the finite-element problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


def _tridiagonal_solve(lower: np.ndarray, diag: np.ndarray, upper: np.ndarray,
                       rhs: np.ndarray) -> np.ndarray:
    """Thomas algorithm: ``lower[i] x[i-1] + diag[i] x[i] + upper[i] x[i+1] = rhs[i]``."""
    n = len(diag)
    c, d = np.empty(n), np.empty(n)
    c[0], d[0] = upper[0] / diag[0], rhs[0] / diag[0]
    for i in range(1, n):
        m = diag[i] - lower[i] * c[i - 1]
        c[i] = upper[i] / m if i < n - 1 else 0.0
        d[i] = (rhs[i] - lower[i] * d[i - 1]) / m
    x = np.empty(n)
    x[-1] = d[-1]
    for i in range(n - 2, -1, -1):
        x[i] = d[i] - c[i] * x[i + 1]
    return x


@dataclass
class RadialDiffusion:
    """Diffusion in a sphere of ``radius`` [m] (module docstring): ``diffusivity(c)`` [m^2/s]
    vectorised over numpy arrays, uniform initial concentration [mol/m^3]."""

    radius: float
    diffusivity: Callable[[np.ndarray], np.ndarray]
    initial_concentration: float
    cells: int = 800

    def __post_init__(self) -> None:
        self.faces = np.linspace(0.0, self.radius, self.cells + 1)
        self.centres = 0.5 * (self.faces[1:] + self.faces[:-1])
        self.volumes = (self.faces[1:] ** 3 - self.faces[:-1] ** 3) / 3.0
        self.c = np.full(self.cells, float(self.initial_concentration))
        self._c_previous = self.c.copy()
        self._dt_previous: float | None = None
        self.time = 0.0

    def step(self, dt: float, influx: float) -> None:
        """Advance by ``dt`` [s] under the molar influx [mol/(m^2 s)]."""
        if self._dt_previous is None or dt > 2.0 * self._dt_previous:
            a0, a1, a2 = 1.0, -1.0, 0.0
        else:
            w = dt / self._dt_previous
            a0, a1, a2 = (1.0 + 2.0 * w) / (1.0 + w), -(1.0 + w), w * w / (1.0 + w)
        history = a1 * self.c + a2 * self._c_previous
        h = self.faces[1] - self.faces[0]
        area = self.faces[1:-1] ** 2  # interior faces
        c = self.c.copy()
        for _ in range(200):
            d_face = self.diffusivity(0.5 * (c[1:] + c[:-1]))
            conductance = area * d_face / h  # between cell i and i + 1
            diag = a0 * self.volumes / dt
            diag = diag + np.concatenate([conductance, [0.0]]) \
                + np.concatenate([[0.0], conductance])
            lower = np.concatenate([[0.0], -conductance])
            upper = np.concatenate([-conductance, [0.0]])
            rhs = -history * self.volumes / dt
            rhs[-1] += self.radius ** 2 * influx
            new = _tridiagonal_solve(lower, diag, upper, rhs)
            change = np.max(np.abs(new - c))
            c = new
            if change <= 1e-14 * max(np.max(np.abs(c)), 1.0):
                break
        self._c_previous, self.c = self.c, c
        self._dt_previous = dt
        self.time += dt

    def run(self, times: Sequence[float], influx: float) -> None:
        """Step to each of the increasing ``times`` [s] under a constant influx."""
        for t in times:
            self.step(t - self.time, influx)

    def mean(self) -> float:
        """Mean concentration over the sphere [mol/m^3]."""
        return float(np.sum(self.c * self.volumes) / np.sum(self.volumes))

    def at(self, r: np.ndarray) -> np.ndarray:
        """Concentration at radii ``r`` [m] (linear between cell centres; the outermost and
        innermost half cells extrapolated from the neighbouring pair)."""
        return _interpolate_with_ends(self.centres, self.c, np.asarray(r, dtype=float))


def _interpolate_with_ends(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    inside = np.interp(at, x, y)
    low_slope = (y[1] - y[0]) / (x[1] - x[0])
    high_slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    out = np.where(at < x[0], y[0] + low_slope * (at - x[0]), inside)
    return np.where(at > x[-1], y[-1] + high_slope * (at - x[-1]), out)


__all__ = ["RadialDiffusion"]
