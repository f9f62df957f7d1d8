"""Uniform refinement of a distributed cell mesh, in parallel, with its tags rebuilt.

Gmsh meshes a cell on one rank (:mod:`ssbx.meshes.gmsh_session`); for big meshes that rank holds
the whole mesh and the others wait. ``mesh.refinements = k`` meshes at the given sizes and then
refines k times uniformly after distribution (Plaza refinement in dolfinx: every rank splits its
own cells, a triangle into 4, a tetrahedron into 8; the ghost layer is rebuilt), so Gmsh and
rank 0 see 1/4^k (2-D) or 1/8^k (3-D) of the final mesh. New nodes lie on the coarse mesh's
straight edges: curved void outlines keep the coarse polygon, the flat interface and the cell's
faces are exact.

dolfinx 0.11 cannot carry mesh tags over a refinement of a ghosted mesh, so the tags are rebuilt
from positions, which the cell geometry fixes: a cell is electrolyte above the interface and Li
below it; a facet on the interface is ``CONTACT`` where it has a cell on each side and
``VOID_SE`` where it bounds the electrolyte alone; the top, bottom and sides are where their
planes (the cylinder's mantle: radius ``width``) are; every other boundary facet is a void wall
``VOID_LI``.
"""

from __future__ import annotations

from collections.abc import Callable

import dolfinx
import numpy as np

from ssbx.meshes.spec import CellGeometrySpec
from ssbx.meshes.tags import CellTag, FacetTag


def refine_uniformly(mesh: dolfinx.mesh.Mesh, geometry: CellGeometrySpec, times: int
                     ) -> tuple[dolfinx.mesh.Mesh, dolfinx.mesh.MeshTags, dolfinx.mesh.MeshTags]:
    """The mesh refined ``times`` times uniformly, with cell and facet tags (collective)."""
    for _ in range(times):
        mesh.topology.create_entities(1)
        mesh, _, _ = dolfinx.mesh.refine(mesh)  # parent cells: needed to keep cells in place
    return mesh, *tags_from_positions(mesh, geometry)


def tags_from_positions(mesh: dolfinx.mesh.Mesh, geometry: CellGeometrySpec
                        ) -> tuple[dolfinx.mesh.MeshTags, dolfinx.mesh.MeshTags]:
    """Cell and facet tags of a cell mesh from the positions of its entities (module doc)."""
    tdim = mesh.topology.dim
    fdim = tdim - 1
    up = mesh.geometry.dim - 1  # the vertical axis: y in 2-D, z in 3-D
    imap = mesh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    middle = dolfinx.mesh.compute_midpoints(mesh, tdim, cells)
    cell_values = np.where(middle[:, up] > 0.0, int(CellTag.ELECTROLYTE), int(CellTag.LITHIUM))
    cell_tags = dolfinx.mesh.meshtags(mesh, tdim, cells, cell_values.astype(np.int32))

    mesh.topology.create_entities(fdim)
    mesh.topology.create_connectivity(fdim, tdim)
    exterior = dolfinx.mesh.exterior_facet_indices(mesh.topology)
    w = geometry.width
    tol = 1e-9 * max(w, geometry.h_se, geometry.h_li)

    def at(axis: int, value: float) -> Callable[[np.ndarray], np.ndarray]:
        return lambda x: np.abs(x[axis] - value) < tol

    planes = [(FacetTag.SE_TOP, at(up, geometry.h_se)),
              (FacetTag.LI_BOTTOM, at(up, -geometry.h_li))]
    if geometry.dimension == 3 and geometry.kind == "axisymmetric":
        planes.append((FacetTag.SIDE_RIGHT,
                       lambda x: np.abs(np.hypot(x[0], x[1]) - w) < 1e-6 * w))
    else:
        planes += [(FacetTag.SIDE_LEFT, at(0, 0.0)), (FacetTag.SIDE_RIGHT, at(0, w))]
        if geometry.dimension == 3:
            planes += [(FacetTag.SIDE_FRONT, at(1, 0.0)),
                       (FacetTag.SIDE_BACK, at(1, geometry.box_depth))]
    num_facets = mesh.topology.index_map(fdim).size_local + mesh.topology.index_map(fdim).num_ghosts
    values = np.zeros(num_facets, dtype=np.int32)
    values[exterior] = int(FacetTag.VOID_LI)
    for tag, where in planes:
        facets = dolfinx.mesh.locate_entities(mesh, fdim, where)
        values[np.intersect1d(facets, exterior)] = int(tag)
    interface = dolfinx.mesh.locate_entities(mesh, fdim, at(up, 0.0))
    is_exterior = np.zeros(num_facets, dtype=bool)
    is_exterior[exterior] = True
    values[interface] = np.where(is_exterior[interface], int(FacetTag.VOID_SE),
                                 int(FacetTag.CONTACT))
    tagged = np.flatnonzero(values).astype(np.int32)
    return cell_tags, dolfinx.mesh.meshtags(mesh, fdim, tagged, values[tagged])


__all__ = ["refine_uniformly", "tags_from_positions"]
