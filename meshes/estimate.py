"""Element counts of the cell meshes, estimated from the geometry and mesh sizes alone.

Used before any meshing (case validation) to refuse cases whose mesh would exhaust the machine:
a bare number is SI metres, so ``h_se = 50`` is a 50 m electrolyte. The structured
flat-interface mesh (:mod:`ssbx.meshes.flat_cell`) is counted exactly; the Gmsh cell
(:mod:`ssbx.meshes.cell`) is estimated from the areas at the coarse size plus the graded zones
around the triple points and along small voids, with triangles of area ``sqrt(3)/4 h^2``
(within a factor ~1.5 of Gmsh's counts).
"""

from __future__ import annotations

import math
import sys

from ssbx.meshes.pores import cell_voids
from ssbx.meshes.sizing import FLAT_GROWTH, effective_sizes, flat_cell_grid
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec
from ssbx.meshes.voids import on_axis, on_rim

#: Area of an equilateral triangle of unit side.
_TRIANGLE = math.sqrt(3.0) / 4.0


def flat_cell_count(geometry: CellGeometrySpec, sizes: MeshSizeSpec,
                    growth: float = FLAT_GROWTH) -> int:
    """Triangles (tetrahedra in 3-D) of :func:`ssbx.meshes.flat_cell.build_flat_cell_mesh`
    (exact)."""
    nx, y_li, y_se = flat_cell_grid(geometry, sizes, growth)
    layers = y_li.size - 1 + y_se.size - 1
    if geometry.dimension == 3:
        n_depth = max(1, math.ceil(geometry.box_depth / sizes.size_fine - 1e-9))
        return 6 * nx * n_depth * layers
    return 2 * nx * layers


def _graded_disk(fine: float, coarse: float, radius: float) -> float:
    """Triangles in a disk of ``radius`` whose size grows linearly from ``fine`` at its centre
    to ``coarse`` at its rim, beyond those at the coarse size: int 2 pi r dr / (a h(r)^2)."""
    if radius <= 0.0 or fine >= coarse:
        return 0.0
    s = (coarse - fine) / radius
    graded = 2.0 * math.pi / (_TRIANGLE * s * s) * (
        math.log(coarse / fine) + fine / coarse - 1.0)
    return max(graded - math.pi * radius * radius / (_TRIANGLE * coarse * coarse), 0.0)


def _graded_band(size: float, coarse: float, slope: float, length: float) -> float:
    """Triangles in the band on both sides of a curve of ``length`` whose size grows from
    ``size`` with ``slope`` up to ``coarse``, beyond those at the coarse size."""
    if size >= coarse or slope <= 0.0:
        return 0.0
    width = (coarse - size) / slope
    graded = 2.0 * length / (_TRIANGLE * slope) * (1.0 / size - 1.0 / coarse)
    return max(graded - 2.0 * length * width / (_TRIANGLE * coarse * coarse), 0.0)


def cell_count(geometry: CellGeometrySpec, sizes: MeshSizeSpec) -> int:
    """Triangles of :func:`ssbx.meshes.cell.build_cell_mesh`, estimated."""
    eff = effective_sizes(geometry, sizes)
    coarse, fine = eff["coarse"], eff["fine"]
    area = geometry.width * (geometry.h_se + geometry.h_li)
    count = area / (_TRIANGLE * coarse * coarse)
    grading = max(sizes.grading_distance, 1e-9 * geometry.width)
    slope = (coarse - fine) / grading
    axisymmetric = geometry.kind == "axisymmetric"
    for void, size in zip(geometry.voids, eff["void"], strict=True):
        # the void on the axis or on the outer radius is half meshed; the others are rings
        axis = on_axis(void, axisymmetric) or on_rim(void, axisymmetric, geometry.width)
        triple_points = 1 if axis else 2
        count += triple_points * _graded_disk(fine, coarse, grading)
        half = void.width / 2 if axis else void.width
        count += _graded_band(size, coarse, slope, 2.0 * half + 2.0 * void.height)
    return math.ceil(count) if math.isfinite(count) else sys.maxsize


#: Mean volume of a tetrahedron of Gmsh's 3-D cell meshes per cubed target size (a regular
#: tetrahedron of side h has h^3 / (6 sqrt 2) = 0.118 h^3; Gmsh's Delaunay tetrahedra are larger
#: on average): 0.19 puts the estimate within 0.86-1.13 of Gmsh's counts for boxes with pore
#: arrays and cylinders with axis, ring and rim voids (tests/test_cell3d.py checks 0.7-1.4).
_TETRAHEDRON = 0.19


def cell_count_3d(geometry: CellGeometrySpec, sizes: MeshSizeSpec) -> int:
    """Tetrahedra of the 3-D cell (:mod:`ssbx.meshes.cell3d`), estimated: the volume at the
    coarse size plus the graded tubes around the void rims, where the size grows linearly from
    ``f = size_fine`` to ``c = size_coarse`` over ``G = grading_distance``:
    ``int_0^G 2 pi d L dd / (k h(d)^3) = 2 pi L / (k s^2) (1/(2f) - 1/c + f/(2c^2))``,
    ``s = (c - f)/G``, less the same tube at the coarse size."""
    f, c = sizes.size_fine, sizes.size_coarse
    if geometry.kind == "axisymmetric":
        volume = math.pi * geometry.width**2 * (geometry.h_se + geometry.h_li)
    else:
        volume = geometry.width * geometry.box_depth * (geometry.h_se + geometry.h_li)
    count = volume / (_TETRAHEDRON * c**3)
    grading = max(sizes.grading_distance, 1e-9 * geometry.width)
    if f < c:
        slope = (c - f) / grading
        per_length = 2.0 * math.pi / (_TETRAHEDRON * slope**2) * (
            0.5 / f - 1.0 / c + 0.5 * f / c**2) - math.pi * grading**2 / (_TETRAHEDRON * c**3)
        try:
            voids = cell_voids(geometry)
        except ValueError:
            voids = geometry.voids  # a pore array that does not fit: reported elsewhere
        for void in voids:
            a = 0.5 * void.width
            if geometry.kind == "axisymmetric" and not on_axis(void, True):
                rims = [void.center - a] if on_rim(void, True, geometry.width) else [
                    void.center - a, void.center + a]
            else:
                rims = [a]
            count += sum(2.0 * math.pi * r for r in rims) * max(per_length, 0.0)
    return math.ceil(count) if math.isfinite(count) else sys.maxsize


def estimate_cells(geometry: CellGeometrySpec, sizes: MeshSizeSpec, *, flat: bool) -> int:
    """Cells of the mesh a case builds: the flat-interface mesh (stripping), the Gmsh cell
    (current distribution, mechanics) or the 3-D cell (tetrahedra)."""
    if flat:
        return flat_cell_count(geometry, sizes)
    if geometry.dimension == 3:
        return cell_count_3d(geometry, sizes) * 8**sizes.refinements
    return cell_count(geometry, sizes) * 4**sizes.refinements


__all__ = ["cell_count", "cell_count_3d", "estimate_cells", "flat_cell_count"]
