"""Polycrystalline microstructure on a particle mesh: Voronoi grains and their crystal axes.

A secondary particle of a layered oxide is an aggregate of primary grains with random
orientations. Here the grains are the Voronoi cells of ``count`` seed points drawn uniformly in
the particle (a ball of radius R about the origin, or its octant x, y, z >= 0), and each grain
gets a c-axis drawn uniformly on the unit sphere. Both draws come from one seeded generator,
so every rank (and every machine) builds the same microstructure. The grain of a mesh cell is
the seed nearest its midpoint: grain boundaries follow the cells (a staircase of the mesh
size); a conforming Gmsh tessellation with tagged boundaries (for cohesive zones) is not built.

Textures: ``"random"`` (c-axes uniform on the sphere), ``"radial"`` (each grain's c-axis along
the radius through its seed) and ``"tangential"`` (each grain's c-axis random in the plane
normal to that radius: the a-b planes, along which Li moves, point at the centre — the
radially aligned primary grains of many co-precipitated layered oxides, e.g. Ni-rich NMC,
whose random and radial orientations X. Lu et al. compare, Energy Environ. Sci. (2021),
doi:10.1039/d1ee01388b).
The seeds depend only on the seed, not on the texture, so textures compare grain for grain.
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

    def boundary_normals(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Unit normals (shape (n, 3)) of the boundaries between the grains ``first`` and
        ``second`` (index arrays): a Voronoi boundary is the bisector plane of the two seeds,
        so its normal is the direction from one seed to the other."""
        d = self.seeds[np.asarray(second)] - self.seeds[np.asarray(first)]
        return d / np.linalg.norm(d, axis=1)[:, None]


TEXTURES = ("random", "radial", "tangential")


def random_polycrystal(count: int, radius: float, seed: int, *, octant: bool = False,
                       texture: str = "random") -> Polycrystal:
    """``count`` grains in the ball of ``radius`` [m] (its octant if ``octant``), seeded, with
    the c-axes of ``texture`` (one of ``TEXTURES``, module docstring)."""
    if count < 1 or radius <= 0.0:
        raise ValueError(f"need count >= 1 and radius > 0, got {count!r}, {radius!r}")
    if texture not in TEXTURES:
        raise ValueError(f"texture must be one of {TEXTURES}, got {texture!r}")
    rng = np.random.default_rng(seed)
    seeds = np.empty((0, 3))
    while seeds.shape[0] < count:
        trial = rng.uniform(-radius, radius, size=(2 * count, 3))
        trial = trial[np.linalg.norm(trial, axis=1) <= radius]
        if octant:
            trial = np.abs(trial)
        seeds = np.vstack([seeds, trial])[:count]
    axes = rng.normal(size=(count, 3))
    radial = seeds / np.maximum(np.linalg.norm(seeds, axis=1), 1e-300)[:, None]
    if texture == "radial":
        axes = radial
    elif texture == "tangential":
        axes -= np.sum(axes * radial, axis=1)[:, None] * radial
    axes /= np.linalg.norm(axes, axis=1)[:, None]
    return Polycrystal(seeds, axes)


__all__ = ["TEXTURES", "Polycrystal", "random_polycrystal"]
