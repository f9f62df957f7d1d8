"""Small Gmsh geometries of the verification tests. The model is built on rank 0 only and
distributed with shared-facet ghosting (interface integrals need it), by the mesh builders'
own plumbing (:func:`ssbx.meshes.gmsh_session.mesh_on_rank`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mpi4py import MPI

import gmsh

from ssbx.meshes.gmsh_session import mesh_on_rank

#: Quarter annulus a <= |x| <= b (nondimensional) and its boundary tags.
A_IN, B_OUT = 1.0, 2.0
INNER, OUTER, BOTTOM, LEFT = 1, 2, 3, 4


def gmsh_mesh(comm: MPI.Comm, name: str, gdim: int, build: Callable[[], None]) -> Any:
    """Run ``build()`` (which defines and meshes the current Gmsh model) on rank 0 and return
    the mesh and its tags on ``comm`` (``.mesh``, ``.cell_tags``, ``.facet_tags``), ghosted by
    shared facets (:func:`ssbx.meshes.gmsh_session.mesh_on_rank`)."""
    return mesh_on_rank(comm, lambda _gmsh: build(), model=name, what=name, gdim=gdim)


def quarter_annulus(comm: MPI.Comm, h: float, order: int = 2) -> Any:
    """A_IN <= |x| <= B_OUT, x, y >= 0, element size h, geometry order ``order``; tags: inner
    arc INNER, outer arc OUTER, y = 0 BOTTOM, x = 0 LEFT, the surface 1."""

    def build() -> None:
        geo = gmsh.model.geo
        o = geo.addPoint(0, 0, 0)
        pa, pb = geo.addPoint(A_IN, 0, 0, h), geo.addPoint(B_OUT, 0, 0, h)
        qa, qb = geo.addPoint(0, A_IN, 0, h), geo.addPoint(0, B_OUT, 0, h)
        bottom, outer = geo.addLine(pa, pb), geo.addCircleArc(pb, o, qb)
        left, inner = geo.addLine(qb, qa), geo.addCircleArc(qa, o, pa)
        surface = geo.addPlaneSurface([geo.addCurveLoop([bottom, outer, left, inner])])
        geo.synchronize()
        gmsh.model.addPhysicalGroup(2, [surface], 1)
        for tag, curve in ((INNER, inner), (OUTER, outer), (BOTTOM, bottom), (LEFT, left)):
            gmsh.model.addPhysicalGroup(1, [curve], tag)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.model.mesh.generate(2)
        gmsh.model.mesh.setOrder(order)

    return gmsh_mesh(comm, "quarter_annulus", 2, build)
