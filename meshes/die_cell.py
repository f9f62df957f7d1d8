"""A structured axisymmetric mesh of a metal foil in a pellet die with its plunger clearance.

The section (``r`` right, ``z`` up), lengths in any unit: the foil fills the die bore,
``0 <= r <= R``, ``0 <= z <= h`` (the electrolyte pellet below, the plunger face above); the
annular clearance between the plunger (radius ``R - δ``) and the die wall, ``R - δ <= r <= R``,
``h <= z <= h + L``, is filled with the foil's metal and opens at its top. An L-shaped region of
a tensor grid: ``cells_across_clearance`` uniform columns across the clearance, columns growing
by ``growth`` from that size towards the axis (at most ``foil_aspect`` times the foil layer),
``foil_layers`` uniform layers across the foil and rows growing by ``growth`` up the clearance
from the clearance cell size (at most twice the clearance); quads split into two triangles with
alternating diagonals. Built on rank 0 and distributed with shared-facet ghosting. No tags: the
problem locates its boundaries by :class:`DieCellGeometry`'s coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

from mpi4py import MPI

import basix.ufl
import dolfinx
import numpy as np
import ufl


@dataclass(frozen=True)
class DieCellGeometry:
    """The die cell's section: bore ``radius`` ``R``, foil ``thickness`` ``h``, plunger
    ``clearance`` ``δ`` and its ``clearance_length`` ``L`` (one unit of length)."""

    radius: float
    thickness: float
    clearance: float
    clearance_length: float

    def __post_init__(self) -> None:
        values = (self.radius, self.thickness, self.clearance, self.clearance_length)
        if not all(v > 0.0 for v in values) or self.clearance >= self.radius:
            raise ValueError(f"die cell: radius, thickness, clearance and clearance length must "
                             f"be positive with clearance < radius (got {values})")

    @property
    def plunger_radius(self) -> float:
        """``R - δ``."""
        return self.radius - self.clearance

    @property
    def top(self) -> float:
        """``h + L``: the open end of the clearance."""
        return self.thickness + self.clearance_length


def _growing(length: float, first: float, growth: float, largest: float) -> np.ndarray:
    """Sizes first, first*growth, ... (at most ``largest``) summing to ``length`` (scaled)."""
    sizes: list[float] = []
    while sum(sizes) < length:
        sizes.append(min(first * growth ** len(sizes), largest))
    s = np.array(sizes) * length / sum(sizes)
    return np.cumsum(s)


def die_cell_grid(g: DieCellGeometry, *, foil_layers: int = 8, cells_across_clearance: int = 6,
                  growth: float = 1.15, foil_aspect: float = 4.0) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """The radial and axial node coordinates of the tensor grid (module docstring)."""
    fine = g.clearance / cells_across_clearance
    across = g.plunger_radius + fine * np.arange(cells_across_clearance + 1)
    inward = g.plunger_radius - _growing(g.plunger_radius, fine, growth,
                                         foil_aspect * g.thickness / foil_layers)
    r = np.concatenate([[0.0], inward[::-1][1:], across])
    r[-1] = g.radius
    up = g.thickness + _growing(g.clearance_length, fine, growth, 2.0 * g.clearance)
    z = np.concatenate([np.linspace(0.0, g.thickness, foil_layers + 1), up])
    z[-1] = g.top
    return r, z


def build_die_cell_mesh(comm: MPI.Comm, g: DieCellGeometry, **grid: float) -> dolfinx.mesh.Mesh:
    """The triangle mesh of the die cell's section (module docstring; ``grid``: the keywords
    of :func:`die_cell_grid`). Collective."""
    r, z = die_cell_grid(g, **grid)
    if comm.rank == 0:
        nr, nz = len(r), len(z)
        R, Z = np.meshgrid(r, z, indexing="ij")
        idx = np.arange(nr * nz).reshape(nr, nz)
        i, j = np.meshgrid(np.arange(nr - 1), np.arange(nz - 1), indexing="ij")
        inside = (z[j + 1] <= g.thickness * (1 + 1e-12)) | (r[i] >= g.plunger_radius * (1 - 1e-12))
        i, j = i[inside], j[inside]
        a, b, c, d = idx[i, j], idx[i + 1, j], idx[i + 1, j + 1], idx[i, j + 1]
        flip = ((i + j) % 2 == 0)[:, None]
        t1 = np.where(flip, np.column_stack([a, b, c]), np.column_stack([a, b, d]))
        t2 = np.where(flip, np.column_stack([a, c, d]), np.column_stack([b, c, d]))
        cells = np.vstack([t1, t2])
        used, cells = np.unique(cells, return_inverse=True)
        cells = cells.reshape(-1, 3).astype(np.int64)
        x = np.column_stack([R.ravel(), Z.ravel()])[used]
    else:
        x = np.zeros((0, 2))
        cells = np.zeros((0, 3), dtype=np.int64)
    element = ufl.Mesh(basix.ufl.element("Lagrange", "triangle", 1, shape=(2,)))
    partitioner = dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet, 2)
    return dolfinx.mesh.create_mesh(comm, cells, element, x, partitioner)


__all__ = ["DieCellGeometry", "build_die_cell_mesh", "die_cell_grid"]
