"""Gmsh builder of a (hollow) sphere octant: the 3-D verification body of elasticity (the Lamé
shell) and the base geometry of spherical particles.

The octant ``x, y, z >= 0`` of the shell ``inner_radius <= r <= outer_radius`` (``inner_radius =
0``: a solid sphere), meshed with tetrahedra of size ``size`` [m] (OpenCASCADE; the model in
micrometres, the mesh in metres). ``order = 2`` gives curved (10-node) tetrahedra, so that the
spherical surfaces carry no geometric error of order h^2. Facet tags: :class:`SphereTag`.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import Any

from mpi4py import MPI

from ssbx.meshes.gmsh_session import mesh_on_rank

UM = 1e-6


class SphereTag(IntEnum):
    """Facet tags of the sphere octant: the inner and outer spherical surfaces and the three
    symmetry planes (x = 0, y = 0, z = 0); the cells are tagged ``BODY``."""

    BODY = 1
    INNER = 31
    OUTER = 32
    SYMMETRY_X = 33
    SYMMETRY_Y = 34
    SYMMETRY_Z = 35


def build_sphere_octant(comm: MPI.Comm, outer_radius: float, size: float, *,
                        inner_radius: float = 0.0, order: int = 1,
                        grading: float | None = None) -> Any:
    """The octant mesh as dolfinx ``MeshData`` (mesh, cell tags, facet tags) on ``comm``.
    ``grading``: element size ``grading`` x the distance from the centre, at most ``size``
    (a hollow sphere's fields vary on the scale r). Collective; Gmsh runs on rank 0."""
    if grading is not None and (grading <= 0.0 or inner_radius <= 0.0):
        raise ValueError(f"grading needs a hollow sphere and grading > 0, got {grading!r}")
    if not 0.0 <= inner_radius < outer_radius or size <= 0.0:
        raise ValueError(f"need 0 <= inner_radius < outer_radius and size > 0, got "
                         f"{inner_radius!r}, {outer_radius!r}, {size!r}")

    def build(gmsh: Any) -> None:
        occ = gmsh.model.occ
        b, a = outer_radius / UM, inner_radius / UM
        body = [(3, occ.addSphere(0.0, 0.0, 0.0, b))]
        if a > 0.0:
            body, _ = occ.cut(body, [(3, occ.addSphere(0.0, 0.0, 0.0, a))])
        octant, _ = occ.intersect(body, [(3, occ.addBox(0.0, 0.0, 0.0, b, b, b))])
        occ.synchronize()
        tol = 1e-6 * b
        tags: dict[SphereTag, list[int]] = {t: [] for t in SphereTag if t != SphereTag.BODY}
        for _, surf in gmsh.model.getEntities(2):
            box = gmsh.model.getBoundingBox(2, surf)
            planar = [k for k in range(3) if abs(box[k]) < tol and abs(box[k + 3]) < tol]
            if planar:
                tags[(SphereTag.SYMMETRY_X, SphereTag.SYMMETRY_Y, SphereTag.SYMMETRY_Z)[
                    planar[0]]].append(surf)
                continue
            radius = max(box[3], box[4], box[5])
            tags[SphereTag.OUTER if abs(radius - b) < tol else SphereTag.INNER].append(surf)
        gmsh.model.addPhysicalGroup(3, [v for _, v in octant], int(SphereTag.BODY), name="body")
        for tag, surfaces in tags.items():
            if surfaces:
                gmsh.model.addPhysicalGroup(2, surfaces, int(tag), name=tag.name.lower())
        if grading is None:
            gmsh.option.setNumber("Mesh.MeshSizeMin", size / UM)
        else:
            field = gmsh.model.mesh.field.add("MathEval")
            gmsh.model.mesh.field.setString(field, "F", f"{grading!r} * Sqrt(x*x + y*y + z*z)")
            gmsh.model.mesh.field.setAsBackgroundMesh(field)
            for name in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints",
                         "MeshSizeFromCurvature"):
                gmsh.option.setNumber(f"Mesh.{name}", 0)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size / UM)
        gmsh.option.setNumber("Mesh.Algorithm3D", 1)
        gmsh.model.mesh.generate(3)
        if order > 1:
            gmsh.model.mesh.setOrder(order)

    data = mesh_on_rank(comm, build, model="ssbx_sphere", what="the sphere octant", gdim=3)
    data.mesh.geometry.x[:] *= UM
    return data


def octant_volume(outer_radius: float, inner_radius: float = 0.0) -> float:
    """Volume of the octant [m^3]: ``pi (b^3 - a^3) / 6``."""
    return math.pi * (outer_radius**3 - inner_radius**3) / 6.0


__all__ = ["SphereTag", "build_sphere_octant", "octant_volume"]
