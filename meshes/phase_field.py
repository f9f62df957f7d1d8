"""Rectangles for phase-field cracks (Gmsh), metres in, metres out; built on one rank and
distributed.

- :func:`build_band_mesh`: refined along a band ``y = 0`` from ``x = 0`` (the quarter of a
  symmetric Griffith crack, or a crack path known in advance);
- :func:`build_refined_rectangle`: a general rectangle with a refined box where a crack may go
  (a full, non-symmetric domain: kinking and deflection).
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

import dolfinx

from ssbx.meshes.gmsh_session import mesh_on_rank

_MODEL = "ssbx_phase_field"


def build_band_mesh(comm: MPI.Comm, width: float, height: float, band_length: float,
                    band_height: float, band_size: float, far_size: float, *,
                    transition: float | None = None, rank: int = 0) -> dolfinx.mesh.Mesh:
    """The rectangle ``[0, width] x [0, height]`` with elements of ``band_size`` in
    ``x <= band_length, y <= band_height``, growing linearly to ``far_size`` over
    ``transition`` (default: one band height) around that box: the refined rectangle whose
    box reaches one element beyond the symmetry lines (:func:`build_refined_rectangle`)."""
    return build_refined_rectangle(
        comm, (0.0, 0.0), (width, height), (-band_size, band_length, -band_size, band_height),
        band_size, far_size, transition=transition or band_height, rank=rank)


def build_refined_rectangle(comm: MPI.Comm, corner: tuple[float, float],
                            size: tuple[float, float], box: tuple[float, float, float, float],
                            fine_size: float, far_size: float, *,
                            transition: float | None = None,
                            rank: int = 0) -> dolfinx.mesh.Mesh:
    """The rectangle with lower-left ``corner`` and ``size`` (width, height), with elements of
    ``fine_size`` inside ``box = (x_min, x_max, y_min, y_max)``, growing linearly to
    ``far_size`` over ``transition`` (default: a quarter of the box's larger side) around it.
    Collective. Lengths are scaled by ``fine_size`` inside Gmsh (absolute tolerances)."""
    scale = 1.0 / fine_size
    x0, y0 = corner
    width, height = size
    x_min, x_max, y_min, y_max = box
    ramp = transition if transition is not None else 0.25 * max(x_max - x_min, y_max - y_min)

    def build(gmsh: Any) -> None:
        occ = gmsh.model.occ
        surface = occ.addRectangle(x0 * scale, y0 * scale, 0.0, width * scale, height * scale)
        occ.synchronize()
        gmsh.model.addPhysicalGroup(2, [surface], 1, "electrolyte")
        field = gmsh.model.mesh.field
        refined = field.add("Box")
        field.setNumber(refined, "VIn", 1.0)
        field.setNumber(refined, "VOut", far_size * scale)
        field.setNumber(refined, "XMin", x_min * scale)
        field.setNumber(refined, "XMax", x_max * scale)
        field.setNumber(refined, "YMin", y_min * scale)
        field.setNumber(refined, "YMax", y_max * scale)
        field.setNumber(refined, "Thickness", ramp * scale)
        field.setAsBackgroundMesh(refined)
        for option in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints",
                       "MeshSizeFromCurvature"):
            gmsh.option.setNumber(f"Mesh.{option}", 0)
        gmsh.model.mesh.generate(2)

    data = mesh_on_rank(comm, build, model=_MODEL, what="the refined rectangle",
                        rank=rank, ghosted=False)
    mesh = data.mesh
    mesh.geometry.x[:] /= scale
    return mesh


__all__ = ["build_band_mesh", "build_refined_rectangle"]
