"""The submesh of one material of a tagged mesh, with the parent's facet tags carried over: the
domain of a field that lives in that material only (the electrolyte's potential, the Li's
displacement, an embedded particle's displacement), integrated with parent-mesh measures and
its entity map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dolfinx


@dataclass(frozen=True)
class TaggedSubmesh:
    """A submesh, its entity map (submesh cell -> parent cell) and its facet tags."""

    mesh: dolfinx.mesh.Mesh
    entity_map: Any
    facet_tags: dolfinx.mesh.MeshTags


def tagged_submesh(msh: dolfinx.mesh.Mesh, cell_tags: dolfinx.mesh.MeshTags, tag: int,
                   facet_tags: dolfinx.mesh.MeshTags) -> TaggedSubmesh:
    """The submesh of the (owned and ghost) cells of ``msh`` tagged ``tag``, with ``facet_tags``
    transferred to it; the facet-to-cell connectivity of both meshes is built (collective)."""
    tdim = msh.topology.dim
    cells = cell_tags.find(int(tag))
    submesh, cell_map, vertex_map, _ = dolfinx.mesh.create_submesh(msh, tdim, cells)
    msh.topology.create_connectivity(tdim - 1, tdim)
    submesh.topology.create_connectivity(tdim - 1, tdim)
    tags = dolfinx.mesh.transfer_meshtags_to_submesh(facet_tags, submesh, vertex_map, cell_map)
    if isinstance(tags, tuple):  # some versions return (tags, map)
        tags = tags[0]
    return TaggedSubmesh(submesh, cell_map, tags)


__all__ = ["TaggedSubmesh", "tagged_submesh"]
