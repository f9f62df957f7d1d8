"""Interface fields replicated on every rank: the nodes of the flat Li/electrolyte interface.

The stripping/contact model keeps its interface state (initial gap, removed Li, contact
pressure, current, contact set) as plain arrays over the interface's Lagrange nodes, the same on
every rank and independent of the partition: the interface of a unit cell has a few hundred to a
few thousand nodes, so replicating it costs nothing and makes every interface operation
(time integration of the removed Li, the contact set, integrals, profiles, outputs) serial
code that gives identical answers on any number of ranks. Spaces on different submeshes (the
electrolyte potential, the Li displacement) exchange values through this node list: their
interface dofs are matched by coordinates (the meshes conform on the interface).

The weights are the lumped (Gauss–Lobatto) interface quadrature, ``w_k = ∫ phi_k w ds`` with
the GLL rule at the Lagrange nodes (``w = 2 pi r`` in axisymmetry): ``∫ f dA ≈ Σ w_k f_k`` is
then the same quadrature the current problem uses for its kinetic term, which makes the Li
inventory exact.
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

import dolfinx
import numpy as np
from dolfinx import fem


class InterfaceNodes:
    """The global, replicated list of interface nodes of a Lagrange space.

    space: a scalar Lagrange space whose dofs on ``facets`` define the nodes; facets: local
    facet indices of the interface (owned and ghost); ds: the interface measure with its
    quadrature metadata and weight (``weight * ds`` is integrated for the lumped weights);
    tolerance: coordinates closer than this [m] are one node; projected: name each node by
    its point on the plane ``y = 0`` straight above it (a surface with explicit voids).

    Attributes: ``coords`` (n, gdim) sorted lexicographically; ``weights`` (n,); ``size``;
    ``space_map``: the :class:`LocalMap` of ``space``'s interface dofs.
    """

    def __init__(self, space: fem.FunctionSpace, facets: np.ndarray, weight_form: Any, *,
                 tolerance: float, projected: bool = False) -> None:
        self.comm: MPI.Comm = space.mesh.comm
        self.tolerance = float(tolerance)
        self.gdim = space.mesh.geometry.dim
        fdim = space.mesh.topology.dim - 1
        space.mesh.topology.create_connectivity(fdim, space.mesh.topology.dim)
        dofs = fem.locate_dofs_topological(space, fdim, facets)
        coords = space.tabulate_dof_coordinates()[dofs, : self.gdim].copy()
        if projected:  # nodes named by their point of the plane y = 0 straight above them
            coords[:, self.gdim - 1] = 0.0
        owned = dofs < space.dofmap.index_map.size_local
        gathered = np.concatenate(self.comm.allgather(coords[owned]))
        keys = self._keys(gathered)
        order = np.lexsort(keys.T[::-1])
        keys, gathered = keys[order], gathered[order]
        self.coords = gathered
        self.size = int(gathered.shape[0])
        self._index = {tuple(k): i for i, k in enumerate(keys)}
        if len(self._index) != self.size:
            raise RuntimeError("interface nodes are not unique (tolerance too coarse?)")
        # lumped weights from the assembled GLL "mass" on the space
        vec = fem.assemble_vector(fem.form(weight_form))
        vec.scatter_reverse(dolfinx.la.InsertMode.add)
        self.space_map = self.local_map(dofs, coords, owned)  # of ``space`` itself
        self.weights = self.gather(vec.array[dofs], self.space_map)

    def _keys(self, coords: np.ndarray) -> np.ndarray:
        return np.rint(np.asarray(coords) / self.tolerance).astype(np.int64)

    def local_map(self, dofs: np.ndarray, coords: np.ndarray, owned: np.ndarray) -> LocalMap:
        """Match local dofs (with coordinates (m, gdim) and an ownership mask) to nodes."""
        keys = self._keys(coords[:, : self.gdim])
        try:
            nodes = np.array([self._index[tuple(k)] for k in keys], dtype=np.int64)
        except KeyError as err:
            raise RuntimeError(f"a dof at {err} is not an interface node (non-conforming "
                               "interface meshes?)") from None
        return LocalMap(dofs=np.asarray(dofs, dtype=np.int32), nodes=nodes,
                        owned=np.asarray(owned, dtype=bool))

    def gather(self, local_values: np.ndarray, lmap: LocalMap) -> np.ndarray:
        """Replicated node array from values at ``lmap.dofs`` (owned entries are used)."""
        out = np.zeros(self.size)
        out[lmap.nodes[lmap.owned]] = np.asarray(local_values)[lmap.owned]
        total = np.empty_like(out)
        self.comm.Allreduce(out, total, op=MPI.SUM)
        return total

    def scatter(self, values: np.ndarray, array: np.ndarray, lmap: LocalMap) -> None:
        """Write node values into a local dof array (owned and ghost dofs)."""
        array[lmap.dofs] = np.asarray(values)[lmap.nodes]

    def integrate(self, values: np.ndarray) -> float:
        """``Σ w_k f_k``: the lumped interface integral [m^2 x unit of f]."""
        return float(np.dot(self.weights, values))

    @property
    def area(self) -> float:
        """The interface area [m^2] (per metre of depth in plane)."""
        return float(np.sum(self.weights))


class LocalMap:
    """Local dofs of one space at the interface and the node each one is."""

    def __init__(self, dofs: np.ndarray, nodes: np.ndarray, owned: np.ndarray) -> None:
        self.dofs = dofs
        self.nodes = nodes
        self.owned = owned


__all__ = ["InterfaceNodes", "LocalMap", "nodal_facet_quadrature", "retagged"]


#: The P2 triangle's Lagrange nodes on the reference triangle (vertices, then the edge
#: midpoints) and the nodal rule exact for quadratics: zero weight at the vertices, a third of
#: the area at each midpoint (the consistent load of a uniform traction on a P2 triangle).
_P2_TRIANGLE_NODES = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0],
                               [0.5, 0.5], [0.0, 0.5], [0.5, 0.0]])
_P2_TRIANGLE_WEIGHTS = np.array([0.0, 0.0, 0.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0])


def nodal_facet_quadrature(tdim: int, degree: int) -> dict[str, Any]:
    """Integral metadata of a facet rule whose points are the Lagrange nodes of degree
    ``degree`` (1 or 2) of a facet of a ``tdim``-cell, so that a facet term is lumped node by
    node: Gauss–Lobatto on an interval (exact to degree ``2 degree - 1``); on a triangle the
    vertex rule (P1, exact for linears) or the P2 nodes with weights (0, 1/3 of the area at
    each edge midpoint), exact for quadratics."""
    if degree not in (1, 2):
        raise ValueError(f"a nodal facet rule needs degree 1 or 2, got {degree}")
    if tdim == 2:
        return {"quadrature_rule": "GLL", "quadrature_degree": 2 * degree - 1}
    if tdim != 3:
        raise ValueError(f"a nodal facet rule needs a 2-D or 3-D cell, got dimension {tdim}")
    if degree == 1:
        return {"quadrature_rule": "vertex", "quadrature_degree": 1}
    return {"quadrature_rule": "custom", "quadrature_points": _P2_TRIANGLE_NODES,
            "quadrature_weights": _P2_TRIANGLE_WEIGHTS, "quadrature_degree": 2}


def retagged(mesh: dolfinx.mesh.Mesh, tags: dolfinx.mesh.MeshTags,
             mapping: dict[int, int]) -> dolfinx.mesh.MeshTags:
    """A copy of ``tags`` on ``mesh`` whose values ``old`` become ``mapping[old]`` (e.g. the
    electrolyte surface over explicit voids joins the candidate contact)."""
    values = tags.values.copy()
    for old, new in mapping.items():
        values[tags.values == old] = new
    return dolfinx.mesh.meshtags(mesh, tags.dim, tags.indices.copy(), values)

