"""Bring your own geometry: a user's Gmsh file whose physical groups carry ssbx's tag names.

The file (``.msh``, or ``.geo`` / a CAD file Gmsh reads, meshed here in the cell's dimension)
is merged into a Gmsh model on one rank and checked before anything is solved; every problem is
reported at once (:class:`UserMeshError`):

- the physical groups are found by *name* (any numbers): the cell groups ``electrolyte`` and
  ``lithium`` (2-D: surfaces; ``geometry.dimension = 3``: volumes), the facet groups
  ``contact`` (the Li/electrolyte interface), ``se_top`` (the counter-electrode side),
  ``li_bottom`` and, optional, ``void_se``, ``void_li``, ``side_left`` (the axis when
  axisymmetric), ``side_right``, ``side_front``, ``side_back`` (one dimension lower); required:
  ``electrolyte``, ``contact``, ``se_top``; a group of another dimension, or one name used
  twice, is an error;
- 2-D: the mesh is plane (z = 0) and its triangles are neither degenerate (area below 1e-10 of
  the mean) nor inverted (orientation opposite to the majority: a mirrored or folded part);
  3-D: the same for the signed volumes of its tetrahedra;
- axisymmetric 2-D meshes lie in ``x >= 0``.

Coordinates are in metres (``scale`` converts, e.g. 1e-6 for a file in micrometres), with
ssbx's convention: the interface near the vertical coordinate 0 (y in 2-D, z in 3-D), the
electrolyte above it up to ``h_se`` (``se_top``), the Li below. The cell's ``h_se``, ``h_li``,
``width`` (and in 3-D ``depth``) are read from the mesh and replace the spec's.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.meshes.gmsh_session import mesh_on_rank
from ssbx.meshes.spec import GMSH_SUFFIXES, CellGeometrySpec
from ssbx.meshes.tags import CellTag, FacetTag, physical_name

REQUIRED = ("electrolyte", "contact", "se_top")
"""Physical groups every user mesh must have."""
DEGENERATE = 1e-10
"""A triangle whose area is below this fraction of the mean area is degenerate."""


class UserMeshError(ValueError):
    """A user mesh that ssbx cannot use; the message lists every problem."""


def _groups() -> dict[str, int]:
    """Our tag number of each physical-group name."""
    return {physical_name(t): int(t) for t in (*CellTag, *FacetTag)}


def _check_and_retag(gmsh: Any, path: Path, msh_path: Path | None, scale: float,
                     tdim: int = 2) -> None:
    """Merge ``path`` into the current model, mesh it if it has no mesh of dimension ``tdim``,
    check it (module docstring), renumber its physical groups to ssbx's tags and write it to
    ``msh_path`` (in metres) if given. Raises UserMeshError."""
    gmsh.merge(str(path))
    if len(gmsh.model.mesh.getElements(tdim)[0]) == 0:
        gmsh.model.mesh.generate(tdim)
    problems: list[str] = []
    ours = _groups()
    found: dict[str, tuple[int, int]] = {}
    for dim, tag in gmsh.model.getPhysicalGroups():
        name = gmsh.model.getPhysicalName(dim, tag).strip().lower()
        if name not in ours:
            problems.append(f"physical group {name or tag!r} (dimension {dim}) is not an ssbx "
                            f"tag; allowed names: {', '.join(sorted(ours))}")
            continue
        if name in found:
            problems.append(f"physical group {name!r} is defined twice")
            continue
        expected = tdim if name in ("electrolyte", "lithium") else tdim - 1
        if dim != expected:
            facets = "facets (surfaces)" if tdim == 3 else "facets (curves)"
            problems.append(f"physical group {name!r} has dimension {dim}; expected {expected} "
                            f"({'cells' if expected == tdim else facets})")
            continue
        found[name] = (dim, tag)
    problems += [f"physical group {name!r} is missing" for name in REQUIRED if name not in found]
    problems += _element_problems(gmsh, tdim)
    if problems:
        raise UserMeshError(f"{path}: " + "; ".join(problems))
    entities = {name: gmsh.model.getEntitiesForPhysicalGroup(*dt) for name, dt in found.items()}
    gmsh.model.removePhysicalGroups()
    for name, ents in entities.items():
        dim = found[name][0]
        gmsh.model.removePhysicalName(name)
        gmsh.model.addPhysicalGroup(dim, [int(e) for e in ents], ours[name])
        gmsh.model.setPhysicalName(dim, ours[name], name)
    if msh_path is not None:
        Path(msh_path).parent.mkdir(parents=True, exist_ok=True)
        gmsh.option.setNumber("Mesh.ScalingFactor", scale)
        try:
            gmsh.write(str(msh_path))
        finally:
            gmsh.option.setNumber("Mesh.ScalingFactor", 1.0)


def _element_problems(gmsh: Any, tdim: int) -> list[str]:
    """Degenerate or inverted triangles (``tdim = 2``; and a mesh off the plane z = 0) or
    tetrahedra (``tdim = 3``), from their signed areas or volumes."""
    node_tags, coords, _ = gmsh.model.mesh.getNodes()
    xyz = np.asarray(coords).reshape(-1, 3)
    problems = []
    if tdim == 2 and len(xyz) and np.max(np.abs(xyz[:, 2])) > 1e-12 * max(np.ptp(xyz[:, 0]),
                                                                           1e-300):
        problems.append("the mesh is not plane (nodes off z = 0)")
    index = np.zeros(int(np.max(node_tags)) + 1, dtype=np.int64)
    index[np.asarray(node_tags, dtype=np.int64)] = np.arange(len(node_tags))
    cells, shapes = ("triangle(s)", "triangles") if tdim == 2 else ("tetrahedra", "tetrahedra")
    measures = []
    for etype, conn in zip(*gmsh.model.mesh.getElements(tdim)[::2], strict=True):
        name, _, _, n_nodes, _, n_primary = gmsh.model.mesh.getElementProperties(etype)
        if n_primary != tdim + 1:
            problems.append(f"{name} elements: only {shapes} are supported")
            continue
        c = index[np.asarray(conn, dtype=np.int64).reshape(-1, n_nodes)[:, : tdim + 1]]
        p0, p1, p2 = xyz[c[:, 0]], xyz[c[:, 1]], xyz[c[:, 2]]
        normal = np.cross(p1 - p0, p2 - p0)  # its z component: twice the signed area
        measures.append(0.5 * normal[:, 2] if tdim == 2 else
                        np.einsum("ij,ij->i", xyz[c[:, 3]] - p0, normal) / 6.0)
    if not measures:
        return [*problems, f"no {tdim}-D elements"]
    return problems + _orientation_problems(np.concatenate(measures), cells,
                                            "area" if tdim == 2 else "volume")


def _orientation_problems(measure: np.ndarray, cells: str, what: str) -> list[str]:
    """Degenerate (|measure| below DEGENERATE x mean) and inverted (sign against the majority)
    cells, from their signed areas or volumes."""
    sign = 1.0 if np.sum(measure > 0.0) >= np.sum(measure < 0.0) else -1.0
    degenerate = np.abs(measure) < DEGENERATE * np.mean(np.abs(measure))
    inverted = (sign * measure < 0.0) & ~degenerate
    problems = []
    if np.any(degenerate):
        problems.append(f"{int(np.sum(degenerate))} degenerate {cells} (zero {what})")
    if np.any(inverted):
        problems.append(f"{int(np.sum(inverted))} inverted {cells} (orientation opposite to "
                        f"the other {int(np.sum(~inverted & ~degenerate))})")
    return problems


def read_user_mesh(comm: MPI.Comm, path: Path, geometry: CellGeometrySpec, *,
                   scale: float = 1.0,
                   msh_path: Path | None = None) -> tuple[Any, Any, Any, CellGeometrySpec]:
    """The mesh, cell tags and facet tags of a user's Gmsh file (module docstring) and
    ``geometry`` with its ``h_se``, ``h_li`` and ``width`` replaced by the mesh's (wrapped into
    a :class:`ssbx.meshes.cell.CellMesh` by :func:`ssbx.meshes.cell.build_cell_mesh`);
    ``msh_path``: also write the checked, retagged mesh there (metres). Collective; raises
    :class:`UserMeshError` on every rank for a mesh that fails a check."""
    path = Path(path)
    if path.suffix.lower() not in GMSH_SUFFIXES:
        raise UserMeshError(f"{path}: not a file Gmsh reads here (expected one of "
                            f"{', '.join(GMSH_SUFFIXES)})")
    error = ""
    if comm.rank == 0 and not path.is_file():
        error = f"{path}: no such mesh file"
    error = comm.bcast(error, root=0)
    if error:
        raise UserMeshError(error)
    try:
        tdim = geometry.dimension
        data = mesh_on_rank(comm, lambda gmsh: _check_and_retag(gmsh, path, msh_path, scale,
                                                                tdim),
                            model="ssbx_user", what=f"the user mesh {path}", gdim=tdim)
    except RuntimeError as err:
        raise UserMeshError(str(err).removeprefix(f"Gmsh failed to mesh the user mesh {path}: "
                                                  "UserMeshError: ")) from None
    mesh = data.mesh
    mesh.geometry.x[:] *= scale
    x = mesh.geometry.x
    lo = [comm.allreduce(float(x[:, i].min()) if len(x) else np.inf, op=MPI.MIN)
          for i in range(tdim)]
    hi = [comm.allreduce(float(x[:, i].max()) if len(x) else -np.inf, op=MPI.MAX)
          for i in range(tdim)]
    if tdim == 2 and geometry.kind == "axisymmetric" and lo[0] < -1e-9 * (hi[0] - lo[0]):
        raise UserMeshError(f"{path}: an axisymmetric mesh must lie in x >= 0 (x = r); its x "
                            f"reaches {lo[0]:.6g} m")
    up = tdim - 1
    derived = dataclasses.replace(geometry, h_se=hi[up], h_li=max(-lo[up], 0.0),
                                  width=hi[0], voids=(), pore_count=0,
                                  depth=hi[1] - lo[1] if tdim == 3 else 0.0)
    return mesh, data.cell_tags, data.facet_tags, derived


__all__ = ["REQUIRED", "UserMeshError", "read_user_mesh"]
