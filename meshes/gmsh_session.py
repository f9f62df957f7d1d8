"""Build a Gmsh model on one rank and distribute it: the plumbing every mesh builder shares.

:func:`mesh_on_rank` initialises Gmsh on ``rank`` if needed (or keeps the caller's session and
current model), runs the builder on a model of its own, reports a Gmsh failure on every rank
(``RuntimeError``, never a hang), hands the mesh to dolfinx
(:mod:`ssbx.meshes.gmsh_convert`) and cleans up: finalises Gmsh if it
started it, otherwise removes its model and restores the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mpi4py import MPI

import dolfinx

from ssbx.meshes.gmsh_convert import model_to_mesh


def mesh_on_rank(comm: MPI.Comm, build: Callable[[Any], None], *, model: str, what: str,
                 rank: int = 0, gdim: int = 2, ghosted: bool = True) -> Any:
    """Run ``build(gmsh)`` (define and mesh the current model) on ``rank`` of ``comm`` and
    return the mesh and its tags on ``comm`` (:func:`ssbx.meshes.gmsh_convert.model_to_mesh`:
    ``.mesh``, ``.cell_tags``, ``.facet_tags``). Collective.

    model: the Gmsh model's name; what: the thing meshed, for the error message ("the cell");
    ghosted: distribute with shared-facet ghosts (needed by interior-facet integrals), else
    dolfinx's default partitioner. Raises ``RuntimeError`` on every rank if Gmsh fails.
    """
    import gmsh

    error = ""
    initialized_here = False
    previous = ""
    if comm.rank == rank:
        try:
            if not gmsh.isInitialized():
                gmsh.initialize(interruptible=False)
                initialized_here = True
            else:
                previous = gmsh.model.getCurrent()
            gmsh.option.setNumber("General.Terminal", 0)
            gmsh.option.setNumber("General.Verbosity", 1)
            gmsh.model.add(model)
            gmsh.model.setCurrent(model)
            build(gmsh)
        except Exception as err:  # reported on every rank below
            error = f"Gmsh failed to mesh {what}: {type(err).__name__}: {err}"
    error = comm.bcast(error, root=rank)
    try:
        if error:
            raise RuntimeError(error)
        partitioner = (dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet,
                                                            2) if ghosted else None)
        return model_to_mesh(gmsh.model, comm, rank, gdim=gdim, partitioner=partitioner)
    finally:
        if comm.rank == rank:
            _close(gmsh, model, initialized_here, previous)


def _close(gmsh: Any, model: str, initialized_here: bool, previous: str) -> None:
    """Finalize Gmsh if this session started it, else remove ``model`` and restore the
    caller's current model."""
    if initialized_here:
        gmsh.finalize()
    elif gmsh.isInitialized():
        if model in gmsh.model.list():
            gmsh.model.setCurrent(model)
            gmsh.model.remove()
        if previous and previous in gmsh.model.list():
            gmsh.model.setCurrent(previous)


__all__ = ["mesh_on_rank"]
