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
    INCLUSION = 2
    INNER = 31
    OUTER = 32
    SYMMETRY_X = 33
    SYMMETRY_Y = 34
    SYMMETRY_Z = 35


def build_sphere_octant(comm: MPI.Comm, outer_radius: float, size: float, *,
                        inner_radius: float = 0.0, order: int = 1,
                        grading: float | None = None,
                        inclusion_radius: float = 0.0) -> Any:
    """The octant mesh (``.mesh``, ``.cell_tags``, ``.facet_tags``) on ``comm``.
    ``grading``: element size ``grading`` x the distance from the centre, at most ``size``
    (a hollow sphere's fields vary on the scale r). ``inclusion_radius`` > 0 (solid sphere
    only): a concentric sphere of that radius meshed conformingly, its cells tagged
    ``INCLUSION`` (an Eshelby inclusion; with ``grading``, sizes grow from it as ``grading`` x
    the distance from the centre). Collective; Gmsh runs on rank 0."""
    if grading is not None and (grading <= 0.0 or (inner_radius <= 0.0
                                                   and inclusion_radius <= 0.0)):
        raise ValueError(f"grading needs a hollow sphere or an inclusion and grading > 0, got "
                         f"{grading!r}")
    if inclusion_radius and not (inner_radius == 0.0 and 0.0 < inclusion_radius < outer_radius):
        raise ValueError(f"an inclusion needs a solid sphere and 0 < inclusion_radius < "
                         f"outer_radius, got {inclusion_radius!r}, {outer_radius!r}")
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
        inclusion: list[int] = []
        if inclusion_radius > 0.0:
            a_i = inclusion_radius / UM
            core, _ = occ.intersect([(3, occ.addSphere(0.0, 0.0, 0.0, a_i))],
                                    [(3, occ.addBox(0.0, 0.0, 0.0, b, b, b))])
            pieces, _ = occ.fragment(octant, core)
            occ.synchronize()
            inclusion = [v for _, v in pieces
                         if gmsh.model.getBoundingBox(3, v)[3] < a_i * (1 + 1e-6)]
            octant = [(3, v) for _, v in pieces if v not in inclusion]
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
            if abs(radius - b) < tol:
                tags[SphereTag.OUTER].append(surf)
            elif a > 0.0:
                tags[SphereTag.INNER].append(surf)
        gmsh.model.addPhysicalGroup(3, [v for _, v in octant], int(SphereTag.BODY), name="body")
        if inclusion:
            gmsh.model.addPhysicalGroup(3, inclusion, int(SphereTag.INCLUSION),
                                        name="inclusion")
        for tag, surfaces in tags.items():
            if surfaces:
                gmsh.model.addPhysicalGroup(2, surfaces, int(tag), name=tag.name.lower())
        if grading is None:
            gmsh.option.setNumber("Mesh.MeshSizeMin", size / UM)
        else:
            field = gmsh.model.mesh.field.add("MathEval")
            distance = f"{grading!r} * Sqrt(x*x + y*y + z*z)"
            if inclusion_radius > 0.0:  # uniform inside the inclusion, growing outside it
                distance = f"Max({distance}, {grading * inclusion_radius / UM!r})"
            gmsh.model.mesh.field.setString(field, "F", distance)
            gmsh.model.mesh.field.setAsBackgroundMesh(field)
            for name in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints",
                         "MeshSizeFromCurvature"):
                gmsh.option.setNumber(f"Mesh.{name}", 0)
        _tetrahedra(gmsh, size, order)

    data = mesh_on_rank(comm, build, model="ssbx_sphere", what="the sphere octant", gdim=3)
    data.mesh.geometry.x[:] *= UM
    return data


def _tetrahedra(gmsh: Any, size: float, order: int) -> None:
    """Mesh the current model with tetrahedra of at most ``size`` [m] (Delaunay), of
    ``order``."""
    gmsh.option.setNumber("Mesh.MeshSizeMax", size / UM)
    gmsh.option.setNumber("Mesh.Algorithm3D", 1)
    gmsh.model.mesh.generate(3)
    if order > 1:
        gmsh.model.mesh.setOrder(order)


SUPPORT_FRACTION = 0.5
"""The isostatic supports of the whole sphere sit at the centre and at this fraction of the
radius on the x and y axes (:func:`sphere_supports`)."""


def sphere_supports(radius: float) -> tuple[tuple[tuple[float, float, float], tuple[int, ...]],
                                            ...]:
    """Six displacement components that hold a free sphere of ``radius`` [m] against its six
    rigid-body motions and nothing else: all three at the centre, y and z at (f R, 0, 0), z at
    (0, f R, 0) (f = ``SUPPORT_FRACTION``). The supports are isostatic (statically
    determinate), so a self-equilibrated load (a chemical or misfit strain, no tractions)
    leaves their reactions zero and the stresses those of the unsupported sphere. Pairs of
    (point [m], components)."""
    a = SUPPORT_FRACTION * radius
    return (((0.0, 0.0, 0.0), (0, 1, 2)), ((a, 0.0, 0.0), (1, 2)), ((0.0, a, 0.0), (2,)))


def build_sphere(comm: MPI.Comm, radius: float, size: float, *, order: int = 1) -> Any:
    """The whole solid sphere of ``radius`` [m] about the origin (no symmetry planes: a
    microstructure without mirror images), tetrahedra of size ``size`` [m]; the points of
    :func:`sphere_supports` are mesh vertices. ``.mesh``, ``.cell_tags`` (``BODY``),
    ``.facet_tags`` (``OUTER``). Collective; Gmsh runs on rank 0."""
    if radius <= 0.0 or size <= 0.0:
        raise ValueError(f"need radius > 0 and size > 0, got {radius!r}, {size!r}")

    def build(gmsh: Any) -> None:
        occ = gmsh.model.occ
        b = radius / UM
        ball = occ.addSphere(0.0, 0.0, 0.0, b)
        # a point without its own size makes Gmsh coarsen the whole interior (measured 14x)
        points = [occ.addPoint(*(c / UM for c in point), size / UM)
                  for point, _ in sphere_supports(radius)]
        occ.synchronize()
        gmsh.model.mesh.embed(0, points, 3, ball)
        gmsh.model.addPhysicalGroup(3, [ball], int(SphereTag.BODY), name="body")
        surfaces = [s for _, s in gmsh.model.getBoundary([(3, ball)], oriented=False)]
        gmsh.model.addPhysicalGroup(2, surfaces, int(SphereTag.OUTER), name="outer")
        gmsh.option.setNumber("Mesh.MeshSizeMin", size / UM)
        _tetrahedra(gmsh, size, order)

    data = mesh_on_rank(comm, build, model="ssbx_sphere_whole", what="the sphere", gdim=3)
    data.mesh.geometry.x[:] *= UM
    return data


class MeridianTag(IntEnum):
    """Tags of the sphere's meridian quarter disk (axisymmetric, x = r, y = z): the outer
    surface, the axis (r = 0) and the equatorial symmetry plane (z = 0); cells ``BODY``."""

    BODY = 1
    OUTER = 32
    AXIS = 36
    EQUATOR = 35


def build_sphere_meridian(comm: MPI.Comm, radius: float, size: float, *, order: int = 1,
                          surface_size: float | None = None) -> Any:
    """The quarter disk ``x, y >= 0, x^2 + y^2 <= radius^2`` [m], the meridian of a solid
    sphere in axisymmetry (x = r, y = z; the sphere is symmetric about z = 0): ``.mesh``,
    ``.cell_tags``, ``.facet_tags`` with :class:`MeridianTag` tags. Triangles of size ``size``
    [m], graded to ``surface_size`` at the outer surface (diffusion boundary layers of short
    times); ``order = 2``: curved 6-node triangles. Collective; Gmsh runs on rank 0."""
    if radius <= 0.0 or size <= 0.0 or (surface_size is not None and surface_size <= 0.0):
        raise ValueError(f"need radius, size, surface_size > 0, got {radius!r}, {size!r}, "
                         f"{surface_size!r}")

    def build(gmsh: Any) -> None:
        occ = gmsh.model.occ
        b = radius / UM
        disk = occ.addDisk(0.0, 0.0, 0.0, b, b)
        quarter, _ = occ.intersect([(2, disk)], [(2, occ.addRectangle(0.0, 0.0, 0.0, b, b))])
        occ.synchronize()
        tol = 1e-6 * b
        groups: dict[MeridianTag, list[int]] = {MeridianTag.OUTER: [], MeridianTag.AXIS: [],
                                                 MeridianTag.EQUATOR: []}
        for _, curve in gmsh.model.getEntities(1):
            box = gmsh.model.getBoundingBox(1, curve)
            if abs(box[0]) < tol and abs(box[3]) < tol:
                groups[MeridianTag.AXIS].append(curve)
            elif abs(box[1]) < tol and abs(box[4]) < tol:
                groups[MeridianTag.EQUATOR].append(curve)
            else:
                groups[MeridianTag.OUTER].append(curve)
        gmsh.model.addPhysicalGroup(2, [s for _, s in quarter], int(MeridianTag.BODY),
                                    name="body")
        for tag, curves in groups.items():
            gmsh.model.addPhysicalGroup(1, curves, int(tag), name=tag.name.lower())
        if surface_size is not None and surface_size < size:
            distance = gmsh.model.mesh.field.add("Distance")
            gmsh.model.mesh.field.setNumbers(distance, "CurvesList", groups[MeridianTag.OUTER])
            threshold = gmsh.model.mesh.field.add("Threshold")
            gmsh.model.mesh.field.setNumber(threshold, "InField", distance)
            gmsh.model.mesh.field.setNumber(threshold, "SizeMin", surface_size / UM)
            gmsh.model.mesh.field.setNumber(threshold, "SizeMax", size / UM)
            gmsh.model.mesh.field.setNumber(threshold, "DistMin", 0.0)
            gmsh.model.mesh.field.setNumber(threshold, "DistMax", 0.5 * b)
            gmsh.model.mesh.field.setAsBackgroundMesh(threshold)
            for name in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints",
                         "MeshSizeFromCurvature"):
                gmsh.option.setNumber(f"Mesh.{name}", 0)
        gmsh.option.setNumber("Mesh.MeshSizeMax", size / UM)
        gmsh.model.mesh.generate(2)
        if order > 1:
            gmsh.model.mesh.setOrder(order)

    data = mesh_on_rank(comm, build, model="ssbx_sphere_meridian", what="the sphere meridian",
                        gdim=2)
    data.mesh.geometry.x[:] *= UM
    return data


def octant_volume(outer_radius: float, inner_radius: float = 0.0) -> float:
    """Volume of the octant [m^3]: ``pi (b^3 - a^3) / 6``."""
    return math.pi * (outer_radius**3 - inner_radius**3) / 6.0


__all__ = ["MeridianTag", "SphereTag", "build_sphere", "build_sphere_meridian",
           "build_sphere_octant", "octant_volume", "sphere_supports"]
