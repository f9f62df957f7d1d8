"""A disk cache of built meshes, keyed by a digest of what defines them.

Gmsh generation and its hand-over to dolfinx dominate a cell run from ~50k DOFs up (Gmsh meshes
on one rank while the others wait), while reading the same mesh back from XDMF/HDF5 is parallel
and an order of magnitude faster. Sweeps, restarts and repeated runs of one geometry therefore
build a mesh once: the entry ``<cache>/<digest>/`` holds ``mesh.xdmf`` (+ ``.h5``) with its cell
and facet tags and ``key.json`` (what was hashed). The digest covers the builder's name, the
geometry and size specifications (every field), the cache format and the versions of ssbx and
Gmsh, so a changed input or builder never reads a stale mesh.

The cache is opt-in: the directory is ``$SSBX_MESH_CACHE`` (unset or empty: no cache), or what
:func:`mesh_cache_directory` is given (a sweep sets its own unless ``SSBX_MESH_CACHE=off``: an
entry takes as much disk as the run folder's own ``mesh.h5``). Entries are written to a private
temporary folder and renamed into place when complete, so concurrent runs and interrupted
writes never leave a half-written entry that looks complete; an entry that exists already is
kept. With a cache every run, the one that builds the mesh included, works on the mesh as read
back from its entry (dolfinx's partitioner, the file's cell order), so the runs of one geometry
agree bit for bit with each other and their checkpoints with their restarts (on any number of
ranks); against a run without a cache they agree to the solver's round-off. A run restarts
with the cache setting it started with.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from mpi4py import MPI

ENVIRONMENT_VARIABLE = "SSBX_MESH_CACHE"
CACHE_FORMAT = 1
"""Bumped whenever what an entry holds, or a builder's output for the same input, changes."""
MESH_FILE = "mesh.xdmf"
KEY_FILE = "key.json"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _plain(value: Any) -> Any:
    """Dataclasses and tuples as JSON-ready dicts and lists; floats exactly (``repr``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value


def mesh_key(builder: str, *specs: Any) -> dict[str, Any]:
    """What defines a mesh: the builder's name, its specifications and the versions."""
    return {"builder": builder, "specs": [_plain(s) for s in specs], "format": CACHE_FORMAT,
            "ssbx": _version("ssbx"), "gmsh": _version("gmsh")}


def mesh_digest(key: dict[str, Any]) -> str:
    """The SHA-256 of the key's canonical JSON (the entry's folder name)."""
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


_directory_override: list[Path | None] = []


OFF = ("off", "0", "no", "false", "none")
"""Values of ``$SSBX_MESH_CACHE`` that turn the cache off, a sweep's own included."""


def cache_disabled() -> bool:
    """Whether ``$SSBX_MESH_CACHE`` turns every cache off (:data:`OFF`)."""
    return os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() in OFF


def cache_directory() -> Path | None:
    """The cache folder in force: the innermost :func:`mesh_cache_directory`, else
    ``$SSBX_MESH_CACHE``; ``None`` when caching is off."""
    if _directory_override:
        return _directory_override[-1]
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    return Path(value).expanduser() if value and not cache_disabled() else None


def sweep_cache_directory(root: Path) -> Path | None:
    """The mesh cache of a sweep in ``root``: ``$SSBX_MESH_CACHE`` if set, ``root/meshes``
    unless it is :data:`OFF`."""
    if cache_disabled():
        return None
    return cache_directory() or Path(root) / "meshes"


@contextlib.contextmanager
def mesh_cache_directory(path: Path | None) -> Iterator[None]:
    """Use ``path`` as the mesh cache (``None``: none) within the block."""
    _directory_override.append(None if path is None else Path(path))
    try:
        yield
    finally:
        _directory_override.pop()


def cached_build[T](comm: MPI.Comm, key: dict[str, Any], build: Callable[[Path | None], T],
                    write: Callable[[T, Path], None], read: Callable[[Path], T],
                    directory: Path | None = None) -> tuple[T, Path | None]:
    """The mesh of ``key``: read from the cache if an entry exists, else ``build(folder)`` it
    (``folder``: where the builder may leave files for the entry, e.g. the Gmsh file) and store
    it (``write(mesh, path)``, collective). Returns the mesh and the entry's folder when it
    was read (``None`` when built). ``directory``: the cache (default
    :func:`cache_directory`; ``None`` there: just ``build(None)``). Collective on ``comm``."""
    directory = cache_directory() if directory is None else directory
    if directory is None:
        return build(None), None
    entry = Path(directory) / mesh_digest(key)
    hit = comm.bcast((entry / KEY_FILE).is_file() if comm.rank == 0 else None, root=0)
    if hit:
        return read(entry / MESH_FILE), entry
    scratch = comm.bcast(f".{entry.name}.tmp-{uuid.uuid4().hex}" if comm.rank == 0 else None,
                         root=0)
    partial = entry.parent / scratch
    if comm.rank == 0:
        partial.mkdir(parents=True)
    comm.barrier()
    try:
        mesh = build(partial)
        write(mesh, partial / MESH_FILE)
    except BaseException:
        if comm.rank == 0:
            shutil.rmtree(partial, ignore_errors=True)
        raise
    comm.barrier()
    stored = None
    if comm.rank == 0:
        (partial / KEY_FILE).write_text(json.dumps(key, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")
        with contextlib.suppress(OSError):  # fails if another run stored it first
            partial.rename(entry)
        stored = entry if (entry / KEY_FILE).is_file() else partial
    stored = comm.bcast(stored, root=0)
    # every run with a cache works on the mesh as read back (one cell order, whichever run
    # built it: checkpoints and results agree between the first run and the later ones)
    del mesh
    mesh = read(stored / MESH_FILE)
    comm.barrier()
    if comm.rank == 0 and partial.exists():
        shutil.rmtree(partial, ignore_errors=True)
    return mesh, None


__all__ = ["CACHE_FORMAT", "ENVIRONMENT_VARIABLE", "OFF", "cache_directory", "cache_disabled",
           "cached_build", "mesh_cache_directory", "mesh_digest", "mesh_key",
           "sweep_cache_directory"]
