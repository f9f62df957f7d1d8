"""Polycrystalline microstructure on a particle mesh: Voronoi grains and their crystal axes.

A secondary particle of a layered oxide is an aggregate of primary grains with random
orientations. Here the grains are the Voronoi cells of ``count`` seed points drawn uniformly in
the particle (a ball of radius R about the origin, or its octant x, y, z >= 0), and each grain
gets a c-axis drawn uniformly on the unit sphere. Both draws come from one seeded generator,
so every rank (and every machine) builds the same microstructure. The grain of a mesh cell is
the seed nearest its midpoint: grain boundaries follow the cells (a staircase of the mesh
size); a conforming Gmsh tessellation with tagged boundaries (for cohesive zones) is not built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Polycrystal:
    """Seed points [m] (shape (count, 3)) and unit c-axes (shape (count, 3)) of the grains."""

    seeds: np.ndarray
    axes: np.ndarray

    def grain_of(self, x: np.ndarray) -> np.ndarray:
        """The grain index of each point (x of shape (3, n)): the nearest seed."""
        points = np.asarray(x, dtype=float).T
        grains = np.empty(points.shape[0], dtype=np.int64)
        for start in range(0, points.shape[0], 4096):
            chunk = points[start:start + 4096]
            d2 = np.sum((chunk[:, None, :] - self.seeds[None, :, :]) ** 2, axis=2)
            grains[start:start + 4096] = np.argmin(d2, axis=1)
        return grains

    def axis_at(self, x: np.ndarray) -> np.ndarray:
        """The c-axis of the grain at each point, shape (3, n) (for ``Function.interpolate``
        into a DG0 vector space: evaluated at the cell midpoints)."""
        return self.axes[self.grain_of(x)].T


def random_polycrystal(count: int, radius: float, seed: int, *, octant: bool = False
                       ) -> Polycrystal:
    """``count`` grains in the ball of ``radius`` [m] (its octant if ``octant``), seeded."""
    if count < 1 or radius <= 0.0:
        raise ValueError(f"need count >= 1 and radius > 0, got {count!r}, {radius!r}")
    rng = np.random.default_rng(seed)
    seeds = np.empty((0, 3))
    while seeds.shape[0] < count:
        trial = rng.uniform(-radius, radius, size=(2 * count, 3))
        trial = trial[np.linalg.norm(trial, axis=1) <= radius]
        if octant:
            trial = np.abs(trial)
        seeds = np.vstack([seeds, trial])[:count]
    axes = rng.normal(size=(count, 3))
    axes /= np.linalg.norm(axes, axis=1)[:, None]
    return Polycrystal(seeds, axes)


__all__ = ["Polycrystal", "random_polycrystal"]
