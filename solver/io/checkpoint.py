"""Checkpoints of transient runs (mechanics, stripping) and restart from them (N-to-M).

Format
------
A run folder keeps its checkpoints in ``<run folder>/checkpoints/step-<NNNNNN>/`` (``NNNNNN``:
the number of accepted time steps so far). Rank 0 writes a checkpoint into a temporary sibling
folder ``.step-<NNNNNN>.tmp-<pid>`` and renames it into place; ``meta.json`` is the last file
written inside it, so a folder without a readable ``meta.json`` (an interrupted write, or a
corrupt one) is never used. The last ``keep`` complete checkpoints are kept; older ones are
deleted only after a new one is complete. A checkpoint folder holds:

- ``meta.json``: ``format`` (:data:`FORMAT_VERSION`), ``ssbx_version``, ``problem``, ``ranks``
  (the number of MPI ranks that wrote it), ``case_hash`` (:func:`case_hash`), ``time`` [s],
  ``step``, ``created`` (UTC), ``fields``, ``arrays``;
- ``state.json``: the run's state as JSON (time, step counters, step control, protocol
  position, history rows so far, ...; floats are written with ``repr`` and read back exactly);
- ``mesh.npy``: the mesh signature, per *original* cell index (row) the coordinates of its
  geometry nodes in cell-local order (``(num_cells, nodes_per_cell * gdim)``);
- ``field.<name>.npy``: one dolfinx Function: per original cell index of the run's root mesh
  (row) the values of that cell's dofs in cell-local order, times the block size
  (``(num_cells, dofs_per_cell * bs)``); rows of cells outside the function's (sub)mesh are NaN.
  Lagrange spaces (any block size) on the mesh or a submesh, and quadrature spaces
  (internal variables) are supported; elements that need dof transformations (e.g. P3 edge
  dofs) are refused, because their cell-local order depends on the global vertex numbering;
- ``array.<name>.npy``: replicated numpy arrays (the same on every rank, e.g. the stripping
  problem's interface state and the interface profiles recorded so far).

N-to-M
------
Rows are keyed by ``mesh.topology.original_cell_index`` of the root mesh (the order of the cells
as the mesh builder made them, on one rank), and cells of submeshes by the original index of the
root-mesh cell they are: the files do not depend on the partition. Writing gathers the owned
cells of every rank to rank 0; reading, every rank memory-maps the files and sets the dofs of its
local cells (owned and ghost) from the rows of their original indices, then ``scatter_forward``.
A checkpoint written on N ranks is read on any number M of ranks; the values are copied exactly.
Before the fields are read the mesh is rebuilt from the case with the same builders and compared
with ``mesh.npy`` (tolerance 1e-10 of the cell's size): a different mesh (other Gmsh version,
other mesh keys) raises :class:`CheckpointError`.

Case hash
---------
:func:`case_hash` is the SHA-256 of the resolved case (:meth:`ssbx.case.Case.to_toml_dict`,
sorted JSON) without ``description``, ``[output]`` and ``[solver]`` except ``solver.degree``:
output settings (fields, checkpoint interval) and solver tolerances / PETSc options may change
on a restart (e.g. to get past a hard step), everything that defines the physical problem, its
discretisation and the time stepping may not (``solver.degree`` sets the layout of the stored
fields).

What a restart restores
-----------------------
Everything the continuation depends on, so that a restarted run gives the same results as an
uninterrupted one (bit for bit on the same number of ranks, to solver tolerance on another):
mechanics: the displacement and the displacement before the last step (the linear predictor),
the quadrature state of the creeping cells (plastic strain, equivalent plastic strain, Anand flow
resistance, stress), time, step counters, the last dt, the adaptive stepper's next dt, the
calibrated fixed-gap displacement, the history rows and the field-output position; stripping:
additionally the interface state (replicated arrays), charge counters, plate displacement and
pressure, the potential of each current problem built so far (Newton start), the protocol
position (protocol step, its end time, next dt, steps since the last rejection, recent step
messages), the history rows and the interface profiles. Field files (VTX) are not rewritten: a
restart writes the fields after the checkpoint into new files, see
:func:`ssbx.runs.mechanics.run_mechanics_case` and :func:`ssbx.runs.stripping.run_stripping_case`.

MPI: the writing and reading functions are collective over the communicator they are given
(:func:`latest_checkpoint` and :func:`list_checkpoints` look at the calling rank's filesystem);
rank 0 does the file work; an error on any rank is raised as :class:`CheckpointError` on every
rank (no rank waits). Cost: rank 0 gathers the stored fields of all ranks while writing (fine
for the 2-D cells of ssbx: a checkpoint of the tests' mechanics case takes ~0.01 s); every rank
reads only the rows of its cells (memory-mapped). The run folder must be on a filesystem all
ranks see (as for the rest of the run folder).

Python API: :class:`Checkpointer` (when to write, used by the run functions),
:func:`write_checkpoint`, :func:`read_checkpoint` / :func:`read_state`,
:func:`latest_checkpoint`, :func:`require_checkpoint`, :func:`original_cell_keys`,
:func:`submesh_cell_keys`, :func:`case_hash`, :class:`CheckpointError`, :class:`RunInterrupted`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

import ssbx
from ssbx.errors import CheckpointError, RunInterrupted
from ssbx.io.runfolder import collective

FORMAT_VERSION = 1
CHECKPOINTS = "checkpoints"
META = "meta.json"
STATE = "state.json"
MESH = "mesh.npy"
_NAME = re.compile(r"^step-(\d{6,})$")
_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


# --------------------------------------------------------------------------------------------
# Collective helpers
# --------------------------------------------------------------------------------------------
def _on_every_rank(comm: MPI.Comm, action: Callable[[], Any], what: str) -> Any:
    """Run ``action`` on every rank; if it fails anywhere, raise on every rank."""
    result, error = None, None
    try:
        result = action()
    except CheckpointError as err:
        error = str(err)
    except Exception as err:  # reported on every rank below
        error = f"{what}: {type(err).__name__}: {err}"
    errors = [e for e in comm.allgather(error) if e is not None]
    if errors:
        raise CheckpointError(errors[0])
    return result


def _on_rank0(comm: MPI.Comm, action: Callable[[], Any], what: str) -> Any:
    """Run ``action`` on rank 0, broadcast its result, raise its error on every rank."""
    return collective(comm, action, what, CheckpointError)


# --------------------------------------------------------------------------------------------
# Cell keys (original cell indices) of meshes and submeshes
# --------------------------------------------------------------------------------------------
def _num_local_cells(mesh: Any) -> tuple[int, int]:
    imap = mesh.topology.index_map(mesh.topology.dim)
    return imap.size_local, imap.size_local + imap.num_ghosts


def original_cell_keys(mesh: Any) -> np.ndarray:
    """Original (input) index of every local cell (owned, then ghost) of a root mesh."""
    _, n = _num_local_cells(mesh)
    keys = np.asarray(mesh.topology.original_cell_index, dtype=np.int64)
    if keys.size != n:
        raise CheckpointError(f"mesh has {n} local cells but {keys.size} original indices")
    return keys.copy()


def _cell_nodes(mesh: Any) -> np.ndarray:
    """Geometry node coordinates per local cell, ``(n_cells, nodes * gdim)``."""
    gdim = mesh.geometry.dim
    dofmap = mesh.geometry.dofmaps[0] if hasattr(mesh.geometry, "dofmaps") else \
        mesh.geometry.dofmap
    x = mesh.geometry.x[:, :gdim]
    return np.ascontiguousarray(x[dofmap].reshape(dofmap.shape[0], dofmap.shape[1] * gdim))


def submesh_cell_keys(submesh: Any, parent: Any, parent_keys: np.ndarray,
                      parent_cells: np.ndarray | None = None) -> np.ndarray:
    """Keys of a submesh's local cells: those of the parent cells they are.

    parent_cells: the parent-local index of every local submesh cell (from the EntityMap),
    if known; otherwise cells are matched by their geometry nodes (a submesh copies them)."""
    _, n = _num_local_cells(submesh)
    if parent_cells is not None:
        return np.asarray(parent_keys, dtype=np.int64)[np.asarray(parent_cells)[:n]]
    gdim = parent.geometry.dim

    def fingerprint(row: np.ndarray) -> bytes:  # the cell's node coordinates, sorted by node
        pts = row.reshape(-1, gdim)
        return np.ascontiguousarray(pts[np.lexsort(pts.T[::-1])]).tobytes()

    pnodes = _cell_nodes(parent)
    index = {fingerprint(row): k for k, row in enumerate(pnodes)}
    snodes = _cell_nodes(submesh)
    out = np.empty(n, dtype=np.int64)
    for k in range(n):
        j = index.get(fingerprint(snodes[k]))
        if j is None:
            raise CheckpointError("a submesh cell matches no cell of its parent mesh")
        out[k] = parent_keys[j]
    return out


def _dof_layout(function: Any) -> tuple[np.ndarray, int]:
    """Cell dofs ``(n_cells, dofs_per_cell)`` and block size; refuses transformed elements."""
    V = function.function_space
    needs = False
    with contextlib.suppress(Exception):
        needs = bool(V.element.needs_dof_transformations)
    if needs:
        raise CheckpointError(
            f"function {function.name!r}: its element needs dof transformations (cell-local dof "
            "order depends on the partition); checkpoints support Lagrange P1/P2 and quadrature "
            "elements")
    return np.asarray(V.dofmap.list), int(V.dofmap.bs)


def _cell_values(function: Any, n_cells: int) -> np.ndarray:
    """Cell-local dof values of the first ``n_cells`` cells, ghost dofs taken from their owners
    (a copy is made consistent, the function is not changed)."""
    from dolfinx import fem

    dofs, bs = _dof_layout(function)
    dofs = dofs[:n_cells]
    consistent = fem.Function(function.function_space)
    consistent.x.array[:] = function.x.array
    consistent.x.scatter_forward()
    function = consistent
    idx = (dofs[:, :, None] * bs + np.arange(bs)[None, None, :]).reshape(
        dofs.shape[0], dofs.shape[1] * bs)
    return function.x.array[idx]


# --------------------------------------------------------------------------------------------
# Case hash, listing
# --------------------------------------------------------------------------------------------
def case_hash(case: Any) -> str:
    """SHA-256 of the resolved case without ``description``, ``[output]`` and ``[solver]``
    except ``solver.degree`` (see the module docstring)."""
    d = dict(case.to_toml_dict())
    d.pop("description", None)
    d.pop("output", None)
    solver = d.pop("solver", {}) or {}
    d["solver"] = {"degree": solver.get("degree")}
    text = json.dumps(d, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        return None
    return meta


def list_checkpoints(run_root: str | Path) -> list[Path]:
    """Complete checkpoints of a run folder (a readable ``meta.json``), oldest first.
    Not collective (looks at the calling rank's filesystem)."""
    base = Path(run_root) / CHECKPOINTS
    if not base.is_dir():
        return []
    found = []
    for p in base.iterdir():
        m = _NAME.match(p.name)
        if m and p.is_dir() and _read_meta(p) is not None:
            found.append((int(m.group(1)), p))
    return [p for _, p in sorted(found)]


def latest_checkpoint(run_root: str | Path) -> Path | None:
    """The newest complete checkpoint of a run folder, or ``None`` (not collective)."""
    found = list_checkpoints(run_root)
    return found[-1] if found else None


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
FieldMap = Mapping[str, tuple[Any, np.ndarray]]


def _check_names(names: Any) -> None:
    for name in names:
        if not _SAFE.match(name):
            raise CheckpointError(f"checkpoint entry name {name!r}: use letters, digits, ._-")


def write_checkpoint(comm: MPI.Comm, run_root: str | Path, step: int, *, mesh: Any,
                     fields: FieldMap, arrays: Mapping[str, np.ndarray] | None = None,
                     state: Mapping[str, Any] | None = None, time_: float = math.nan,
                     case_digest: str = "", problem: str = "", keep: int = 2) -> Path:
    """Write checkpoint ``step`` of a run folder (collective); returns its folder.

    mesh: the root mesh (its original cell indices key every row); fields: name ->
    (Function, keys of the function mesh's local cells, from :func:`original_cell_keys` /
    :func:`submesh_cell_keys`); arrays: replicated arrays (rank 0's are written); state:
    JSON-able dict; time_: simulated time [s]; keep: complete checkpoints kept (>= 1).
    """
    arrays = dict(arrays or {})
    root = Path(run_root)

    def local() -> tuple[Any, dict[str, Any]]:
        _check_names(list(fields) + list(arrays))
        n_owned, _ = _num_local_cells(mesh)
        keys = original_cell_keys(mesh)[:n_owned]
        sig = (keys, _cell_nodes(mesh)[:n_owned])
        parts = {}
        for name, (function, fkeys) in fields.items():
            n_f, _ = _num_local_cells(function.function_space.mesh)
            parts[name] = (np.asarray(fkeys[:n_f], dtype=np.int64), _cell_values(function, n_f))
        return sig, parts

    sig, parts = _on_every_rank(comm, local, "cannot collect checkpoint data")
    gathered_sig = comm.gather(sig, root=0)
    gathered = comm.gather(parts, root=0)
    n_global = mesh.topology.index_map(mesh.topology.dim).size_global

    def write() -> str:
        assert gathered_sig is not None and gathered is not None
        base = root / CHECKPOINTS
        base.mkdir(parents=True, exist_ok=True)
        final = base / f"step-{step:06d}"
        tmp = base / f".step-{step:06d}.tmp-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        try:
            width = gathered_sig[0][1].shape[1]
            signature = np.full((n_global, width), np.nan)
            for k, v in gathered_sig:
                signature[k] = v
            np.save(tmp / MESH, signature)
            for name in fields:
                width = max(p[name][1].shape[1] for p in gathered)
                table = np.full((n_global, width), np.nan, dtype=np.float64)
                for p in gathered:
                    k, v = p[name]
                    table[k] = v
                np.save(tmp / f"field.{name}.npy", table)
            for name, a in arrays.items():
                np.save(tmp / f"array.{name}.npy", np.asarray(a))
            (tmp / STATE).write_text(json.dumps(dict(state or {}), indent=1, allow_nan=True),
                                     encoding="utf-8")
            meta = {
                "format": FORMAT_VERSION, "ssbx_version": ssbx.__version__,
                "problem": problem, "ranks": comm.size, "case_hash": case_digest,
                "time": float(time_), "step": int(step),
                "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "fields": sorted(fields), "arrays": sorted(arrays),
            }
            with open(tmp / META, "w", encoding="utf-8") as f:  # last, then the rename
                f.write(json.dumps(meta, indent=1) + "\n")
                f.flush()
                os.fsync(f.fileno())
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune(base, keep)
        return str(final)

    return Path(_on_rank0(comm, write, f"cannot write checkpoint {step} in {root}"))


def _prune(base: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` complete checkpoints, incomplete step folders and
    stale temporary folders older than them."""
    complete = list_checkpoints(base.parent)
    for p in complete[:-max(int(keep), 1)]:
        shutil.rmtree(p, ignore_errors=True)
    for p in base.iterdir():
        if p.name.startswith(".step-") and ".tmp-" in p.name and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif _NAME.match(p.name) and p.is_dir() and _read_meta(p) is None:
            shutil.rmtree(p, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def read_checkpoint(comm: MPI.Comm, path: str | Path, *, mesh: Any, fields: FieldMap,
                    case_digest: str | None = None,
                    array_names: tuple[str, ...] | None = None
                    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, np.ndarray]]:
    """Read a checkpoint folder into ``fields`` (collective); returns (meta, state, arrays).

    mesh: the rebuilt root mesh, compared with the stored signature; fields: name ->
    (Function, keys) as for :func:`write_checkpoint` (every name must be stored); case_digest:
    if given, must equal the stored case hash; array_names: the arrays to load (default all).
    Raises :class:`CheckpointError` (every rank) for a missing/incomplete checkpoint, another
    case, another mesh or a field that does not fit.
    """
    folder = Path(path)
    meta, state = read_state(comm, folder, case_digest=case_digest, fields=tuple(fields))
    _read_fields(comm, folder, mesh, fields)
    names = tuple(meta.get("arrays", [])) if array_names is None else array_names

    def load_arrays() -> dict[str, np.ndarray]:
        return {n: np.load(folder / f"array.{n}.npy") for n in names}

    arrays = _on_every_rank(comm, load_arrays, f"cannot read the arrays of checkpoint {folder}")
    return meta, state, arrays


def read_state(comm: MPI.Comm, path: str | Path, *, case_digest: str | None = None,
               fields: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(meta, state)`` of a checkpoint folder (rank 0 reads, broadcast; collective), after
    checking that it is complete, of this case (``case_digest``) and holds ``fields``."""
    folder = Path(path)

    def meta_and_state() -> tuple[dict[str, Any], dict[str, Any]]:
        meta = _read_meta(folder)
        if meta is None:
            raise CheckpointError(f"{folder}: not a complete checkpoint (no readable {META} of "
                                  f"format {FORMAT_VERSION})")
        if case_digest is not None and meta.get("case_hash") != case_digest:
            raise CheckpointError(
                f"{folder}: the checkpoint belongs to another case (case hash "
                f"{str(meta.get('case_hash'))[:12]}... != {case_digest[:12]}...): keys other "
                "than [output], [solver] and description must not change for a restart")
        missing = [n for n in fields if n not in meta.get("fields", [])]
        if missing:
            raise CheckpointError(f"{folder}: fields {missing} are not in the checkpoint")
        return meta, json.loads((folder / STATE).read_text(encoding="utf-8"))

    return _on_rank0(comm, meta_and_state, f"cannot read checkpoint {folder}")


def _read_fields(comm: MPI.Comm, folder: Path, mesh: Any, fields: FieldMap) -> None:
    def check_mesh() -> None:
        stored = np.load(folder / MESH, mmap_mode="r")
        n_global = mesh.topology.index_map(mesh.topology.dim).size_global
        keys = original_cell_keys(mesh)
        nodes = _cell_nodes(mesh)
        if stored.shape != (n_global, nodes.shape[1]):
            raise CheckpointError(
                f"{folder}: the mesh differs from the checkpoint's ({stored.shape[0]} cells with "
                f"{stored.shape[1]} node coordinates stored, {n_global} with {nodes.shape[1]} "
                "now): rebuilt with another mesh generator version or other mesh keys?")
        old = np.asarray(stored[keys])
        size = np.max(np.abs(nodes), initial=0.0)
        dev = float(np.max(np.abs(old - nodes), initial=0.0)) if nodes.size else 0.0
        if not dev <= 1e-10 * max(size, 1e-300):
            raise CheckpointError(
                f"{folder}: the mesh differs from the checkpoint's (cell node coordinates "
                f"differ by up to {dev:.3e} m): rebuilt with another mesh generator version?")

    _on_every_rank(comm, check_mesh, f"cannot compare the mesh with checkpoint {folder}")

    def load_fields() -> None:
        for name, (function, fkeys) in fields.items():
            table = np.load(folder / f"field.{name}.npy", mmap_mode="r")
            _, n = _num_local_cells(function.function_space.mesh)
            dofs, bs = _dof_layout(function)
            width = dofs.shape[1] * bs
            if table.ndim != 2 or table.shape[1] != width:
                raise CheckpointError(
                    f"{folder}: field {name!r} has {table.shape[-1]} values per cell, the "
                    f"function {width}")
            rows = np.asarray(table[np.asarray(fkeys[:n])])
            if np.isnan(rows).any():
                raise CheckpointError(f"{folder}: field {name!r} has no values for some cells")
            idx = (dofs[:n, :, None] * bs + np.arange(bs)[None, None, :]).reshape(n, width)
            function.x.array[idx] = rows
            function.x.scatter_forward()

    _on_every_rank(comm, load_fields, f"cannot read the fields of checkpoint {folder}")


def require_checkpoint(comm: MPI.Comm, run_root: str | Path, every: int = 0,
                       wall_interval: float = 0.0) -> Path:
    """The latest complete checkpoint of a run folder (rank 0 decides); raises
    :class:`CheckpointError` naming the folder when there is none (collective).

    every, wall_interval: the case's checkpoint schedule (``output.checkpoint_every`` steps,
    ``output.checkpoint_wall_interval`` [s]), so that the message says what to do: set one, or
    (set already) start again because the run stopped before its first checkpoint.
    """

    def find() -> str:
        p = latest_checkpoint(run_root)
        if p is None:
            where = (f"run folder {run_root} has no complete checkpoint (nothing in "
                     f"{Path(run_root) / CHECKPOINTS} with a {META})")
            if every > 0 or wall_interval > 0:
                schedule = " and ".join(
                    ([f"output.checkpoint_every = {every}"] if every > 0 else [])
                    + ([f"output.checkpoint_wall_interval = {wall_interval:g} s"]
                       if wall_interval > 0 else []))
                advice = (f"the run stopped before its first checkpoint ({schedule}): run it "
                          "again from the start (ssbx run ... --overwrite)")
            else:
                advice = ("run the case with output.checkpoint_every or "
                          "output.checkpoint_wall_interval set")
            raise CheckpointError(f"cannot restart: {where}; {advice}")
        return str(p)

    return Path(_on_rank0(comm, find, f"cannot look for checkpoints in {run_root}"))


# --------------------------------------------------------------------------------------------
# When to write: the schedule of a run
# --------------------------------------------------------------------------------------------
class Checkpointer:
    """When and where a run writes its checkpoints (collective).

    every: accepted time steps between checkpoints (a checkpoint when the run's step count is
    a multiple of it; 0: off); wall_interval [s]: also when this much wall-clock time has
    passed since the last checkpoint (or the start), decided on rank 0 and broadcast (0: off);
    keep: complete checkpoints kept; stop_after: test-only, raise :class:`RunInterrupted` after
    writing that many checkpoints.
    """

    def __init__(self, comm: MPI.Comm, run_root: str | Path, *, case: Any, problem: str,
                 every: int = 0, wall_interval: float = 0.0, keep: int = 2,
                 stop_after: int | None = None, console: Any = None) -> None:
        self.comm = comm
        self.root = Path(run_root)
        self.every = int(every)
        self.wall_interval = float(wall_interval)
        self.keep = max(int(keep), 1)
        self.stop_after = stop_after
        self.console = console
        self.problem = problem
        self.digest = case_hash(case)
        self.written = 0
        self._last = time.monotonic()

    @classmethod
    def from_case(cls, comm: MPI.Comm, folder: Any, case: Any, problem: str, *,
                  stop_after: int | None = None, console: Any = None) -> Checkpointer:
        """A checkpointer for run folder ``folder`` with the case's ``output.checkpoint_*``."""
        out = case.output
        return cls(comm, folder.root, case=case, problem=problem,
                   every=getattr(out, "checkpoint_every", 0),
                   wall_interval=getattr(out, "checkpoint_wall_interval", 0.0),
                   keep=getattr(out, "checkpoint_keep", 2), stop_after=stop_after,
                   console=console)

    @property
    def active(self) -> bool:
        """Whether checkpoints are written at all (by step count or wall-clock time)."""
        return self.every > 0 or self.wall_interval > 0.0

    def due(self, step: int) -> bool:
        """Whether to write after accepted time step number ``step`` (same on every rank)."""
        if self.every > 0 and step % self.every == 0:
            return True
        if self.wall_interval > 0.0:
            late = bool(time.monotonic() - self._last >= self.wall_interval) \
                if self.comm.rank == 0 else False
            return bool(self.comm.bcast(late, root=0))
        return False

    def write(self, step: int, *, mesh: Any, fields: FieldMap,
              arrays: Mapping[str, np.ndarray] | None, state: Mapping[str, Any],
              time_: float) -> Path:
        """Write checkpoint ``step``; raises :class:`RunInterrupted` after ``stop_after``."""
        path = write_checkpoint(self.comm, self.root, step, mesh=mesh, fields=fields,
                                arrays=arrays, state=state, time_=time_,
                                case_digest=self.digest, problem=self.problem, keep=self.keep)
        self._last = time.monotonic()
        self.written += 1
        if self.console is not None:
            self.console.info(f"  checkpoint {path.name} at t = {time_:.6g} s")
        if self.stop_after is not None and self.written >= self.stop_after:
            raise RunInterrupted(f"stopped after {self.written} checkpoint(s) (test)")
        return path


def restart_suffix(run_root: str | Path, comm: MPI.Comm, stem: str) -> str:
    """File name for the fields of a restart: ``<stem>.restart-<k>.bp`` with the first free
    ``k >= 1`` (rank 0 decides; collective)."""

    def pick() -> str:
        k = 1
        while (Path(run_root) / f"{stem}.restart-{k}.bp").exists():
            k += 1
        return f"{stem}.restart-{k}.bp"

    return str(_on_rank0(comm, pick, "cannot name the restart field file"))


__all__ = [
    "CHECKPOINTS",
    "FORMAT_VERSION",
    "CheckpointError",
    "Checkpointer",
    "RunInterrupted",
    "case_hash",
    "latest_checkpoint",
    "list_checkpoints",
    "original_cell_keys",
    "read_checkpoint",
    "read_state",
    "require_checkpoint",
    "restart_suffix",
    "submesh_cell_keys",
    "write_checkpoint",
]
