"""A Gmsh model held on one rank → a distributed dolfinx mesh with its cell and facet tags.

The mesh is the one :func:`dolfinx.io.gmsh.model_to_mesh` builds (the same nodes, cells,
partition and ordering: the same calls to :func:`dolfinx.mesh.create_mesh`), and so are the tags.
Only the tags are found differently. dolfinx matches every tagged entity by its vertices
(:func:`dolfinx.io.utils.distribute_entity_data` and ``meshtags_from_entities``), which for a
mesh's own cells is most of the conversion. Here each rank looks its cells' markers up by
their input index (``mesh.topology.original_cell_index``), one gather and one scatter of the
indices with the rank that holds the model. The tagged facets (boundaries and interfaces, a
small part of a mesh) are broadcast, and each rank finds its own by one sort of its facets'
vertex keys (input node indices); a model that tags a facet twice is matched dolfinx's way.

The benchmark ``mesh_conversion`` (:mod:`ssbx.benchmarks.performance.mesh_conversion`) checks
that both give the same mesh and tags and times them: on the default case's geometry at 550k
triangles, one rank, 3.4 s instead of 10.8 s (of which ``create_mesh``, common to both, ~3 s);
on the 3-D pore-array example (100k tetrahedra) 0.58 s instead of 1.22 s.

Models with several cell types or facet types (mixed meshes), or with cells not tagged
exactly once, go to :func:`dolfinx.io.gmsh.model_to_mesh` unchanged, with its own errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import dolfinx
import numpy as np
from dolfinx.io import gmsh as gmshio

#: the names dolfinx gives the tags it returns
CELL_TAGS_NAME = "cell_tags"
FACET_TAGS_NAME = "facet_tags"


@dataclass
class GmshMesh:
    """The distributed mesh of a Gmsh model and its tags (``None`` where the model has no
    physical group of that dimension), as in dolfinx's ``MeshData``."""

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags | None
    facet_tags: dolfinx.mesh.MeshTags | None


@dataclass
class _Header:
    """What every rank needs of the model on ``rank`` to take part in the conversion."""

    simple: bool  # one cell type, at most one facet type, every cell tagged once
    gmsh_cell_type: int = 0
    gmsh_facet_type: int = 0
    nodes_per_facet: int = 0
    has_facet_tags: bool = False


def model_to_mesh(model: Any, comm: MPI.Comm, rank: int, *, gdim: int,
                  partitioner: Any = None) -> Any:
    """The mesh of the physical groups of ``model`` (the Gmsh model on ``rank``) distributed
    on ``comm``, with the cell and facet tags: a :class:`GmshMesh`, or dolfinx's ``MeshData``
    for the models :func:`dolfinx.io.gmsh.model_to_mesh` handles alone. Collective."""
    header, x, topologies = _read_model(model, comm, rank)
    if not header.simple:
        return gmshio.model_to_mesh(model, comm, rank, gdim=gdim, partitioner=partitioner)
    dtype = dolfinx.default_real_type
    ufl_domain = gmshio.ufl_mesh(header.gmsh_cell_type, gdim, dtype=dtype)
    nodes_per_cell = ufl_domain.ufl_coordinate_element().basix_element.dim
    cell_type = dolfinx.cpp.mesh.to_type(str(ufl_domain.ufl_cell()))
    if comm.rank == rank:
        cells_in = topologies[header.gmsh_cell_type]
        cells = cells_in["topology"][:, gmshio.cell_perm_array(cell_type, nodes_per_cell)]
        points = x[:, :gdim].astype(dtype, copy=False)
    else:
        cells = np.empty((0, nodes_per_cell), dtype=np.int64)
        points = np.empty((0, gdim), dtype=dtype)
    mesh = dolfinx.mesh.create_mesh(comm, np.ascontiguousarray(cells, dtype=np.int64),
                                    ufl_domain, points, partitioner, max_facet_to_cell_links=2)
    tdim = mesh.topology.dim
    markers = (np.asarray(topologies[header.gmsh_cell_type]["cell_data"], dtype=np.int32)
               if comm.rank == rank else None)
    cell_tags = _cell_tags(mesh, comm, rank, markers)
    facet_tags = (_facet_tags(mesh, comm, rank, topologies, header)
                  if header.has_facet_tags else None)
    mesh.topology.create_connectivity(tdim - 1, tdim)
    return GmshMesh(mesh, cell_tags, facet_tags)


def _read_model(model: Any, comm: MPI.Comm, rank: int) -> tuple[_Header, Any, Any]:
    """The node coordinates, the tagged elements by Gmsh element type (on ``rank``; ``None``
    elsewhere) and the header, broadcast."""
    x = topologies = None
    header = _Header(simple=False)
    if comm.rank == rank:
        x = gmshio.extract_geometry(model)
        topologies, _ = gmshio.extract_topology_and_markers(model)
        header = _inspect(model, topologies)
    return comm.bcast(header, root=rank), x, topologies


def _inspect(model: Any, topologies: dict[int, Any]) -> _Header:
    """Whether the model is one this module converts: a single cell type, at most one facet
    type, and every cell in exactly one physical group (each Gmsh element belongs to one
    entity, so checking the entities suffices)."""
    dims = {t: model.mesh.getElementProperties(t)[1] for t in topologies}
    if not dims:
        return _Header(simple=False)
    tdim = max(dims.values())
    cell_types = [t for t, d in dims.items() if d == tdim]
    facet_types = [t for t, d in dims.items() if d == tdim - 1]
    entities = [tag for _, tag in model.getEntities(tdim)]
    tagged = [e for _, g in model.getPhysicalGroups(tdim)
              for e in model.getEntitiesForPhysicalGroup(tdim, g)]
    once = sorted(tagged) == sorted(entities)
    if len(cell_types) != 1 or len(facet_types) > 1 or not once:
        return _Header(simple=False)
    nodes_per_facet = (model.mesh.getElementProperties(facet_types[0])[3] if facet_types else 0)
    return _Header(simple=True, gmsh_cell_type=int(cell_types[0]),
                   gmsh_facet_type=int(facet_types[0]) if facet_types else 0,
                   nodes_per_facet=int(nodes_per_facet), has_facet_tags=bool(facet_types))


def _cell_tags(mesh: dolfinx.mesh.Mesh, comm: MPI.Comm, rank: int,
               markers: np.ndarray | None) -> dolfinx.mesh.MeshTags:
    """Every local cell's (owned and ghost) marker, looked up by its input index on ``rank``."""
    tdim = mesh.topology.dim
    original = np.asarray(mesh.topology.original_cell_index, dtype=np.int64)
    if comm.size == 1:
        values = markers[original]
    else:
        requests = comm.gather(original, root=rank)
        answers = [markers[r] for r in requests] if comm.rank == rank else None
        values = comm.scatter(answers, root=rank)
    tags = dolfinx.mesh.meshtags(mesh, tdim, np.arange(original.size, dtype=np.int32),
                                 values.astype(np.int32, copy=False))
    tags.name = CELL_TAGS_NAME
    return tags


def _facet_tags(mesh: dolfinx.mesh.Mesh, comm: MPI.Comm, rank: int, topologies: Any,
                header: _Header) -> dolfinx.mesh.MeshTags:
    """The tagged facets on every rank that has them (owned or ghost).

    The tagged facets are few (boundaries and interfaces), so the rank with the model
    broadcasts them, and each rank finds its own by their vertices' input node indices
    (``mesh.geometry.input_global_indices``): a sort of its facets' vertex keys and one search.
    """
    tdim = mesh.topology.dim
    num_vertices = tdim  # a facet of a simplex; higher-order facets list their vertices first
    facets = np.empty((0, header.nodes_per_facet), dtype=np.int64)
    values = np.empty((0,), dtype=np.int32)
    tagged = None
    if comm.rank == rank:
        facets = np.asarray(topologies[header.gmsh_facet_type]["topology"], dtype=np.int64)
        values = np.asarray(topologies[header.gmsh_facet_type]["cell_data"], dtype=np.int32)
        keys = np.sort(facets[:, :num_vertices], axis=1)
        distinct = np.unique(keys, axis=0).shape[0] == keys.shape[0]
        tagged = (keys, values) if distinct else None
    if not comm.bcast(tagged is not None if comm.rank == rank else None, root=rank):
        return _facet_tags_distributed(mesh, facets, values)
    tagged_keys, tagged_values = comm.bcast(tagged, root=rank)

    mesh.topology.create_connectivity(tdim - 1, tdim)
    imap = mesh.topology.index_map(tdim - 1)
    local = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    nodes = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, local)[:, :num_vertices]
    keys = np.sort(mesh.geometry.input_global_indices[nodes], axis=1)
    found, index = _match_rows(keys, tagged_keys)
    order = np.argsort(local[found], kind="stable")
    tags = dolfinx.mesh.meshtags(mesh, tdim - 1, local[found][order],
                                 tagged_values[index][order].astype(np.int32, copy=False))
    tags.name = FACET_TAGS_NAME
    return tags


def _facet_tags_distributed(mesh: dolfinx.mesh.Mesh, facets: np.ndarray, values: np.ndarray
                            ) -> dolfinx.mesh.MeshTags:
    """The tags the way dolfinx finds them, for a model that tags a facet more than once:
    ``facets`` (input node indices) and ``values`` on the model's rank, empty elsewhere."""
    tdim = mesh.topology.dim
    local_facets, local_values = gmshio.distribute_entity_data(mesh, tdim - 1, facets, values)
    mesh.topology.create_connectivity(tdim - 1, tdim)
    tags = gmshio.meshtags_from_entities(mesh, tdim - 1, gmshio.adjacencylist(local_facets),
                                         local_values.astype(np.int32, copy=False))
    tags.name = FACET_TAGS_NAME
    return tags


def _match_rows(rows: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the integer ``rows`` (n × k), which of them are rows of ``table`` (m × k, distinct)
    and at which row of it: a boolean mask of ``rows`` and the table rows of the matches."""
    if table.shape[0] == 0 or rows.shape[0] == 0:
        return np.zeros(rows.shape[0], dtype=bool), np.zeros(0, dtype=np.int64)
    kind = np.dtype((np.void, np.dtype(np.int64).itemsize * rows.shape[1]))
    as_keys = np.ascontiguousarray(rows, dtype=np.int64).view(kind).ravel()
    table_keys = np.ascontiguousarray(table, dtype=np.int64).view(kind).ravel()
    order = np.argsort(table_keys)
    position = np.searchsorted(table_keys[order], as_keys).clip(0, table_keys.size - 1)
    found = table_keys[order][position] == as_keys
    return found, order[position[found]]


__all__ = ["GmshMesh", "model_to_mesh"]
