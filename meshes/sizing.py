"""Element sizes of the cell meshes, from the geometry and the case's mesh sizes (numpy only).

Shared by the mesh builders (:mod:`ssbx.meshes.cell`, :mod:`ssbx.meshes.flat_cell`) and by
the estimate of a mesh's size made before meshing (:mod:`ssbx.meshes.estimate`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec

#: Row-height ratio of the flat-interface mesh away from the interface.
FLAT_GROWTH = 1.3


def graded_rows(thickness: float, first: float, largest: float, growth: float) -> np.ndarray:
    """Row boundaries ``0 = y_0 < y_1 < ... < y_n = thickness`` [m]: the first row is ``first``
    high, each next one ``growth`` times higher, capped at ``largest``; the rows are then scaled
    to end exactly at ``thickness``."""
    if not (thickness > 0 and first > 0 and largest >= first and growth >= 1.0):
        raise ValueError(f"graded_rows: need thickness, first > 0, largest >= first, growth >= 1 "
                         f"(got {thickness}, {first}, {largest}, {growth})")
    heights: list[float] = []
    total, h = 0.0, first
    while total < thickness * (1.0 - 1e-9):
        heights.append(h)
        total += h
        h = min(h * growth, largest)
    y = np.concatenate([[0.0], np.cumsum(heights)])
    return y * (thickness / y[-1])


def flat_cell_grid(geometry: CellGeometrySpec, sizes: MeshSizeSpec,
                   growth: float = FLAT_GROWTH) -> tuple[int, np.ndarray, np.ndarray]:
    """The grid of the flat-interface cell: ``(nx, y_li, y_se)``: ``ceil(width / size_fine)``
    columns and the row boundaries [m] (:func:`graded_rows`) in the Li and in the electrolyte,
    each from the interface."""
    nx = max(1, math.ceil(geometry.width / sizes.size_fine - 1e-9))
    y_li = graded_rows(geometry.h_li, sizes.size_fine, sizes.size_coarse, growth)
    y_se = graded_rows(geometry.h_se, sizes.size_fine, sizes.size_coarse, growth)
    return nx, y_li, y_se


def effective_sizes(geometry: CellGeometrySpec, sizes: MeshSizeSpec) -> dict[str, Any]:
    """Element sizes [m] the builder actually uses.

    coarse: ``min(size_coarse, min(h_se, h_li) / 4)`` (at least four elements across each layer);
    fine: ``min(size_fine, coarse)``, the size at the triple points;
    void: per void, the size along its surfaces ``clip(min(height, width) / 4, fine, coarse)``.
    """
    coarse = min(sizes.size_coarse, 0.25 * min(geometry.h_se, geometry.h_li))
    fine = min(sizes.size_fine, coarse)
    void = [min(coarse, max(fine, 0.25 * min(v.height, v.width))) for v in geometry.voids]
    return {"coarse": coarse, "fine": fine, "void": void}


__all__ = ["FLAT_GROWTH", "effective_sizes", "flat_cell_grid", "graded_rows"]
