"""Run folders: where one run writes everything, with no silent overwrite.

A run folder is ``results/<case name>/`` or an explicit path. :class:`RunFolder` creates it, and
refuses a folder that exists and is not empty unless ``overwrite=True`` (the CLI's
``--overwrite``). When overwriting, the old ``summary.json`` is removed *first*, then the rest of
the old contents, so that a run that fails half-way never leaves a folder that looks complete.
It only ever clears folders that ssbx made (they carry a ``.ssbx-run`` marker, or a
``summary.json`` / ``provenance.json``); any other non-empty folder is refused even with
``overwrite``.

``summary.json`` is the completion marker: :meth:`RunFolder.write_summary` must be the last write
of a run, and nothing can be written through the folder after it. A folder without
``summary.json`` is an incomplete or failed run.

MPI: rank 0 does all filesystem work. Creating the folder, :meth:`~RunFolder.write_provenance`
and :meth:`~RunFolder.write_summary` are *collective* (call them on every rank): the outcome is
broadcast and an error is raised as :class:`RunFolderError` on every rank, so no rank is left
waiting for one that failed. The other writers (:meth:`~RunFolder.write_text`,
``write_bytes``, ``write_json``, ``write_csv``, ``copy_file``) are *rank-0-local*: they write on
rank 0 and do nothing on the other ranks, so they may be called on rank 0 alone (inside
``if comm.rank == 0``) or on every rank; only rank 0's arguments matter, and an error is raised on
rank 0 only (under ``ssbx`` an uncaught error on one rank aborts the job). Every file is written
atomically: a temporary file in the same folder, then :func:`os.replace`.

Lock: one run per folder at a time. Rank 0 takes an exclusive, non-blocking ``flock`` on
``<folder>/.ssbx-lock`` (:data:`LOCK`) *before* it looks at or removes anything in an ssbx
folder, and holds it for the whole run: :meth:`RunFolder.write_summary` gives it back after
``summary.json``, :meth:`RunFolder.release` on failure (``execute_case`` does), and the kernel
drops it when the process ends in any way (SIGKILL included), so a killed run never leaves a
folder locked. The file holds the holder, ``<pid>@<host> since <time>``; clearing
(``--overwrite``) never removes it, a run that finishes deletes it while still holding the lock
(a waiting opener re-checks that the file it locked is still the folder's, so two runs can never
both hold one). A second run into a locked folder (``--overwrite``, ``--restart``, or a sweep
case) fails on every rank with :class:`RunFolderError` naming the folder and the holder, before
it changes anything; a foreign folder (not made by ssbx) is refused before any lock file is
created in it. The lock is per process: a RunFolder opened again in the same process (a rerun
after a failed attempt whose object is still alive) takes the lock over from the earlier object.
A filesystem without ``flock`` (some Lustre mounts) runs without the lock, with a warning. NFS
(v4, or v3 with lockd) and GPFS lock across nodes.

Disk space: ADIOS2 (the VTX ``.bp`` writer) aborts the process on a full disk, which no ssbx
code can catch, so the run functions call :meth:`RunFolder.require_space` with an estimate
(:func:`field_output_bytes`) before they open or write field files: too little free space on the
folder's filesystem fails collectively with :class:`RunFolderError` naming the filesystem
(device and mount point), the folder and the sizes. An ``ENOSPC``/``EDQUOT`` error in the
folder's own writers becomes :class:`DiskFullError` with the same information (a
:class:`RunFolderError` on every rank from the collective writers; an :class:`OSError` on rank 0
from the rank-0-local ones, which stay rank-0-only as above).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as _dt
import errno
import fcntl
import io
import json
import logging
import math
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import ssbx

MARKER = ".ssbx-run"
LOCK = ".ssbx-lock"
SUMMARY = "summary.json"
PROVENANCE = "provenance.json"
DEFAULT_RESULTS_DIR = "results"

_log = logging.getLogger(__name__)


class RunFolderError(RuntimeError):
    """A run-folder problem, raised identically on every rank of the folder's communicator."""


class DiskFullError(OSError):
    """No space left (``ENOSPC``, or ``EDQUOT``: quota exceeded) while writing into a folder; the
    message names the filesystem and the folder. An :class:`OSError`, raised where the write
    was (rank 0): the collective writers report it as :class:`RunFolderError` on every rank."""

    def __init__(self, message: str, code: int = errno.ENOSPC) -> None:
        super().__init__(message)
        self.errno = code


def folder_name(case_name: str) -> str:
    """A safe folder name for a case name (anything but letters, digits, ``._-`` becomes ``_``)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", case_name.strip()).strip("._")
    return name or "case"


def collective(comm: Any, action: Callable[[], Any], what: str,
               error_type: type[Exception] = RunFolderError) -> Any:
    """Run ``action`` on rank 0, broadcast ``(result, error)``, raise the error on every rank
    as ``error_type`` (an ``error_type`` or :class:`DiskFullError` raised by ``action`` keeps
    its message; any other error is prefixed with ``what``)."""
    result, error = None, None
    if comm.rank == 0:
        try:
            result = action()
        except (error_type, DiskFullError) as err:
            error = str(err)
        except Exception as err:  # reported on every rank below
            error = f"{what}: {type(err).__name__}: {err}"
    result, error = comm.bcast((result, error), root=0)
    if error is not None:
        raise error_type(error)
    return result


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` via a synced temporary file and a rename.

    A full disk or an exceeded quota raises :class:`DiskFullError` naming the filesystem and the
    folder (the temporary file is removed, ``path`` is left as it was).
    """
    # host and pid: unique also among the ranks of a multi-node job on a shared filesystem
    tmp = path.with_name(f".{path.name}.tmp-{socket.gethostname()}-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, OSError):
            raise_if_disk_full(err, path.parent, path.name)
        raise


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def disk_name(path: str | Path) -> str:
    """The filesystem that holds ``path``, for messages: ``"<device> (mounted on <mount
    point>)"`` from ``/proc/self/mounts`` where it can be read, else the mount point."""
    p = Path(path).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    with contextlib.suppress(OSError):
        p = p.resolve()
    mount = p
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    device = None
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for line in Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines():
            fields = line.split()
            target = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)),
                            fields[1]) if len(fields) > 1 else ""
            if target == str(mount):
                device = fields[0]  # the last mount on a mount point is the visible one
    return f"{device} (mounted on {mount})" if device else str(mount)


def raise_if_disk_full(err: OSError, folder: str | Path, what: str) -> None:
    """Raise :class:`DiskFullError` from ``err`` if it is ``ENOSPC``/``EDQUOT`` (writing
    ``what`` into ``folder``); return otherwise."""
    if isinstance(err, DiskFullError) or err.errno not in _DISK_FULL:
        return
    reason = "no space left" if err.errno == errno.ENOSPC else "disk quota exceeded"
    raise DiskFullError(f"{reason} on {disk_name(folder)} while writing {what} in {folder}",
                        err.errno) from err


def field_output_bytes(functions: Iterable[Any], times: int = 1) -> int:
    """A generous estimate of the bytes ``times`` outputs of the dolfinx ``functions`` take in a
    VTX (``.bp``) or XDMF/HDF5 file, for :meth:`RunFolder.require_space`.

    Per output time and function: its global nodes x 8 bytes x (the value components, 3 for a
    vector; 3 coordinates; 6 for the connectivity, offsets and ghost flags: VTX writes the mesh
    at every output), then 50 % more and 1 MB for metadata (measured on P2 triangles: 0.6 to
    0.8 of the estimate without the 1 MB). Not collective (the global sizes are known on every
    rank).
    """
    per_time = 0
    for function in functions:
        dofmap = function.function_space.dofmap
        bs = int(dofmap.index_map_bs)
        components = 1 if bs == 1 else max(bs, 3)
        per_time += int(dofmap.index_map.size_global) * 8 * (components + 3 + 6)
    return int(1.5 * per_time * max(int(times), 1)) + 1_000_000


def json_default(obj: Any) -> Any:
    """JSON for what runs produce: numpy scalars/arrays, paths, dataclasses, sets, pint."""
    if hasattr(obj, "magnitude") and hasattr(obj, "units"):  # pint quantity
        return {"value": json_default(obj.magnitude), "unit": str(obj.units)}
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy arrays and scalars
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    if isinstance(obj, (_dt.datetime, _dt.date)):
        return obj.isoformat()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


#: Key of the map a JSON file of ssbx carries when it had non-finite numbers: JSON has none, so
#: each is written as ``null`` and listed here by its path (``"results.ccs.upper": "Infinity"``).
NON_FINITE = "non_finite"


def _finite_only(obj: Any, path: str, found: dict[str, str]) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        found[path] = "NaN" if math.isnan(obj) else ("Infinity" if obj > 0 else "-Infinity")
        return None
    if isinstance(obj, dict):
        return {k: _finite_only(v, f"{path}.{k}" if path else str(k), found)
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite_only(v, f"{path}[{i}]", found) for i, v in enumerate(obj)]
    return obj


def to_json(obj: Any) -> str:
    """The JSON text ssbx writes: indented, numpy-aware and strict (RFC 8259).

    JSON has no NaN or infinity: a non-finite number is written as ``null`` and, for a top-level
    object, listed under :data:`NON_FINITE` with its path and value (``"NaN"``, ``"Infinity"``,
    ``"-Infinity"``); :func:`from_json` puts the values back.
    """
    plain = json.loads(json.dumps(obj, default=json_default))
    found: dict[str, str] = {}
    clean = _finite_only(plain, "", found)
    if found and isinstance(clean, dict):
        clean[NON_FINITE] = found
    return json.dumps(clean, indent=2, allow_nan=False) + "\n"


def from_json(text: str) -> Any:
    """Read JSON written by :func:`to_json`, with the non-finite numbers put back."""
    obj = json.loads(text)
    if not isinstance(obj, dict) or not isinstance(obj.get(NON_FINITE), dict):
        return obj
    for path, value in obj.pop(NON_FINITE).items():
        parts = [p for p in re.split(r"\.|\[(\d+)\]", path) if p]
        node: Any = obj
        try:
            for part in parts[:-1]:
                node = node[int(part)] if isinstance(node, list) else node[part]
            last = parts[-1]
            if isinstance(node, list):
                node[int(last)] = float(value.lower().replace("infinity", "inf"))
            else:
                node[last] = float(value.lower().replace("infinity", "inf"))
        except (KeyError, IndexError, ValueError, TypeError):
            continue  # a path that does not fit (edited by hand): leave null
    return obj


class RunFolder:
    """One run's output folder (collective over ``comm``).

    comm: the run's communicator. path: the folder (rank 0's value is used).
    overwrite: clear an existing non-empty ssbx folder instead of refusing it.
    resume: open an existing, *incomplete* ssbx run folder as it is (nothing removed), to
        continue an interrupted run from its checkpoints (``ssbx run --restart``); refused for a
        complete folder (one with ``summary.json``), a missing one and a non-ssbx one.

    Attributes: ``root`` (absolute :class:`~pathlib.Path`, the same on every rank),
    ``start_time`` (epoch seconds when the folder was made, rank 0's clock), ``comm``.

    Rank 0 holds the folder's lock (module docstring) from here until :meth:`write_summary`
    or :meth:`release`; a folder locked by another process raises :class:`RunFolderError` on
    every rank. Also a context manager that releases the lock on exit.
    """

    def __init__(self, comm: Any, path: str | Path, *, overwrite: bool = False,
                 resume: bool = False) -> None:
        if overwrite and resume:
            raise ValueError("RunFolder: overwrite and resume exclude each other")
        self.comm = comm
        self._lock: _FolderLock | None = None
        self._token = object()  # who owns the lock (not self: that would keep self alive)
        self._finished = False
        root = Path(path).expanduser().absolute() if comm.rank == 0 else None
        self._t0 = time.perf_counter()

        def prepare() -> tuple[str, float]:
            assert root is not None
            try:
                if resume:
                    _check_resumable(root)  # before the lock: never lock a foreign folder
                elif not _is_ssbx_folder(root):
                    _check_target(root, overwrite)
                root.mkdir(parents=True, exist_ok=True)
                lock = _FolderLock.acquire(root, self._token)
                try:
                    if resume:
                        _check_resumable(root)  # again, now that no other run can change it
                    else:
                        _prepare_folder(root, overwrite)
                except BaseException:
                    lock.release(self._token)
                    raise
            except OSError as err:
                raise_if_disk_full(err, root, "the run folder")
                raise
            self._lock = lock
            return str(root), time.time()

        root_text, self.start_time = collective(comm, prepare, f"cannot create run folder {root}")
        self.root = Path(root_text)

    def release(self) -> None:
        """Give the folder's lock back (rank 0; no-op on the other ranks, when not held, and when
        a later RunFolder of this process took it over). Not collective. Called by
        :meth:`write_summary`; call it when a run fails (``execute_case`` does)."""
        lock, self._lock = getattr(self, "_lock", None), None
        if lock is not None:
            lock.release(self._token)

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        try:  # not contextlib.suppress: module globals may be gone at interpreter exit
            self.release()
        except Exception:
            return

    @classmethod
    def for_case(
        cls,
        comm: Any,
        case_name: str,
        *,
        out: str | Path | None = None,
        results_dir: str | Path = DEFAULT_RESULTS_DIR,
        overwrite: bool = False,
    ) -> RunFolder:
        """``out`` if given, else ``<results_dir>/<case name>/`` (relative to the working dir)."""
        path = Path(out) if out is not None else Path(results_dir) / folder_name(case_name)
        return cls(comm, path, overwrite=overwrite)

    # -- paths ---------------------------------------------------------------------------------

    def path(self, name: str | Path) -> Path:
        """The path of ``name`` inside the folder (may contain sub-folders; nothing is created)."""
        p = Path(name)
        if p.is_absolute() or ".." in p.parts:
            raise ValueError(f"{name!r} is not a relative path inside the run folder")
        return self.root / p

    def exists(self, name: str | Path) -> bool:
        """Whether ``name`` exists in the folder (checked on the calling rank)."""
        return self.path(name).exists()

    @property
    def finished(self) -> bool:
        """Whether ``summary.json`` has been written through this object."""
        return self._finished

    def elapsed(self) -> float:
        """Seconds since the folder was made (the calling rank's clock; not collective)."""
        return time.perf_counter() - self._t0

    # -- rank-0-local writers (atomic) -----------------------------------------------------------

    def write_text(self, name: str | Path, text: str | None) -> Path:
        """Write ``text`` to ``name`` atomically on rank 0 (no-op on other ranks)."""
        return self._write_local(name, lambda: text if text is not None else "")

    def write_bytes(self, name: str | Path, data: bytes | None) -> Path:
        """Write ``data`` to ``name`` atomically on rank 0 (no-op on other ranks)."""
        return self._write_local(name, lambda: data if data is not None else b"")

    def write_json(self, name: str | Path, obj: Any) -> Path:
        """Write ``obj`` as indented JSON (numpy-aware, :func:`json_default`) on rank 0."""
        return self._write_local(name, lambda: to_json(obj))

    def write_csv(
        self,
        name: str | Path,
        header: Sequence[str] | None,
        rows: Iterable[Sequence[Any]] | Iterable[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
    ) -> Path:
        """Write a CSV file atomically on rank 0 (no-op on other ranks).

        header: column names (``None``: no header line for sequence rows; the keys for dict rows
        or columns). rows: sequences, dicts (missing keys left empty), or a dict of equally long
        columns. Floats are written with full precision (``repr``); numpy scalars are accepted.
        """
        return self._write_local(name, lambda: csv_text(header, rows))

    def copy_file(self, source: str | Path, name: str | Path) -> Path:
        """Copy ``source`` into the folder as ``name`` (atomic, rank 0, no-op elsewhere)."""
        return self._write_local(name, lambda: Path(source).read_bytes())

    # -- collective writers ----------------------------------------------------------------------

    def write_provenance(self, wall_time: float | None = None) -> dict[str, Any]:
        """Collect :meth:`provenance`, write ``provenance.json`` and return it. Collective."""
        info = self.provenance(wall_time=wall_time)
        self._write_collective(PROVENANCE, lambda: to_json(info))
        return info

    def write_summary(self, summary: Mapping[str, Any]) -> Path:
        """Write ``summary.json`` atomically: the LAST write of a run. Collective.

        ``summary`` is rank 0's. After it the folder is complete and refuses further writes,
        and the folder's lock is released.
        """
        path = self._write_collective(SUMMARY, lambda: to_json(dict(summary)))
        self._finished = True
        self.release()
        return path

    def require_space(self, nbytes: float, what: str) -> None:
        """Fail unless the folder's filesystem has ``nbytes`` free for ``what`` (e.g.
        ``"the field output (potential.bp)"``). Collective: rank 0 checks
        :func:`shutil.disk_usage`, and too little space raises :class:`RunFolderError` on every
        rank, naming the filesystem, the folder and the sizes. Call it before writers that
        cannot fail cleanly (ADIOS2 aborts the process on a full disk); estimate with
        :func:`field_output_bytes`. A filesystem that cannot tell its free space passes."""
        root = self.root

        def check() -> None:
            try:
                free = shutil.disk_usage(root).free
            except OSError:
                return
            if free < nbytes:
                raise RunFolderError(
                    f"not enough space on {disk_name(root)} for {what} in {root}: need "
                    f"~{nbytes / 1e6:.1f} MB, {free / 1e6:.1f} MB free; free some space or "
                    "choose another folder with --out")

        collective(self.comm, check, f"cannot check the free space in {root}")

    def provenance(self, comm: Any = None, wall_time: float | None = None) -> dict[str, Any]:
        """Where and with what this run ran (see :func:`collect_provenance`). Collective.

        comm: defaults to the folder's. wall_time: seconds; default :meth:`elapsed` (rank 0).
        """
        comm = self.comm if comm is None else comm
        if wall_time is None:
            wall_time = self.elapsed()
        return collect_provenance(comm, wall_time=wall_time, start_time=self.start_time)

    # -- internals -------------------------------------------------------------------------------

    def _check_open(self, name: str | Path) -> None:
        if self._finished:
            raise RunFolderError(
                f"cannot write {name} in {self.root}: {SUMMARY} is already written and must be"
                " the last file of a run"
            )

    def _write_local(self, name: str | Path, make: Callable[[], str | bytes]) -> Path:
        path = self.path(name)
        self._check_open(name)
        if self.comm.rank == 0:
            atomic_write(path, make())  # serialised before the temporary file is opened
        return path

    def _write_collective(self, name: str | Path, make: Callable[[], str | bytes]) -> Path:
        path = self.path(name)
        self._check_open(name)
        collective(self.comm, lambda: atomic_write(path, make()), f"cannot write {path}")
        return path


def csv_text(
    header: Sequence[str] | None,
    rows: Iterable[Sequence[Any]] | Iterable[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
) -> str:
    r"""CSV text for :meth:`RunFolder.write_csv` (``\n`` line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if isinstance(rows, Mapping):
        columns = {str(k): list(v) for k, v in rows.items()}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"CSV columns of different lengths: {sorted(lengths)}")
        keys = list(header) if header is not None else list(columns)
        writer.writerow(keys)
        n = lengths.pop() if lengths else 0
        for i in range(n):
            writer.writerow([_csv_cell(columns[k][i]) for k in keys])
        return buf.getvalue()
    rows = list(rows)
    if rows and isinstance(rows[0], Mapping):
        keys = list(header) if header is not None else []
        if header is None:
            for row in rows:
                keys += [k for k in row if k not in keys]  # type: ignore[union-attr]
        writer.writerow(keys)
        for row in rows:
            writer.writerow([_csv_cell(row.get(k, "")) for k in keys])  # type: ignore[union-attr]
        return buf.getvalue()
    if header is not None:
        writer.writerow(list(header))
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])  # type: ignore[union-attr]
    return buf.getvalue()


def _csv_cell(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return repr(value)
    return value


# ------------------------------------------------------------------------------ folder creation


def _is_ssbx_folder(root: Path) -> bool:
    return any((root / name).exists() for name in (MARKER, SUMMARY, PROVENANCE))


def is_complete(root: str | Path) -> bool:
    """Whether the run folder ``root`` holds a finished run (its ``summary.json``)."""
    return (Path(root) / SUMMARY).is_file()


def _check_resumable(root: Path) -> None:
    """Rank 0: ``root`` must be an existing, incomplete ssbx run folder."""
    if not root.is_dir():
        raise RunFolderError(f"cannot resume {root}: no such run folder")
    if not _is_ssbx_folder(root):
        raise RunFolderError(f"cannot resume {root}: it is not an ssbx run folder (no {MARKER})")
    if is_complete(root):
        raise RunFolderError(
            f"cannot resume {root}: the run is complete ({SUMMARY} exists); use --overwrite to "
            "run it again from the start"
        )


def _has_content(root: Path) -> bool:
    """Whether the folder ``root`` holds anything but its lock file."""
    return root.is_dir() and any(child.name != LOCK for child in root.iterdir())


def _check_target(root: Path, overwrite: bool) -> None:
    """Rank 0: refuse ``root`` as a new run folder: not a folder, not empty without
    ``overwrite``, not empty and not made by ssbx (nothing is changed)."""
    if root.exists() and not root.is_dir():
        raise RunFolderError(f"run folder {root} exists and is not a folder")
    if _has_content(root):
        if not overwrite:
            raise RunFolderError(
                f"run folder {root} already exists and is not empty: pass --overwrite to replace "
                "its contents, or choose another folder with --out"
            )
        if not _is_ssbx_folder(root):
            raise RunFolderError(
                f"refusing to overwrite {root}: it is not empty and is not an ssbx run folder "
                f"(no {MARKER}, {SUMMARY} or {PROVENANCE}); remove it yourself or choose "
                "another folder with --out"
            )


def _prepare_folder(root: Path, overwrite: bool) -> None:
    """Rank 0, holding the folder's lock: create ``root`` or make an existing one empty (see
    the module docstring); the marker and the lock file stay."""
    _check_target(root, overwrite)
    if _has_content(root):
        (root / SUMMARY).unlink(missing_ok=True)  # first: never a stale complete-looking folder
        for child in sorted(root.iterdir()):
            if child.name in (MARKER, LOCK):
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text(
        f"ssbx run folder (ssbx {ssbx.__version__}); a folder without {SUMMARY} is an "
        "incomplete or failed run\n",
        encoding="utf-8",
    )


# ------------------------------------------------------------------------------------ locking

#: errno values of a filesystem that has no ``flock`` (run without the lock)
_NO_FLOCK = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EINVAL)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


class _FolderLock:
    """An exclusive ``flock`` of this process on ``<folder>/.ssbx-lock`` (rank 0 of a run).

    One per folder and process (``_HELD``): a RunFolder of this process that opens the folder
    again becomes its owner (the earlier one's release is then a no-op). ``owner``: the owning
    RunFolder's token. ``fd`` is ``None`` where the filesystem has no ``flock``.
    """

    _HELD: ClassVar[dict[str, _FolderLock]] = {}

    def __init__(self, key: str, path: Path, fd: int | None) -> None:
        self.key, self.path, self.fd = key, path, fd
        self.owner: object | None = None

    @classmethod
    def acquire(cls, folder: Path, owner: object) -> _FolderLock:
        """Lock ``folder`` (it exists) for ``owner``, or raise :class:`RunFolderError` naming the
        folder and the holder if another process holds it."""
        key = str(folder.resolve())
        held = cls._HELD.pop(key, None)
        if held is not None and held.fd is not None and _same_file(held.fd, held.path):
            held.owner = owner
            cls._HELD[key] = held
            return held
        if held is not None:  # stale: its folder was removed or replaced meanwhile
            held.close()
        path = folder / LOCK
        for _ in range(100):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                os.close(fd)
                if err.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                    raise RunFolderError(
                        f"run folder {folder} is in use by another ssbx run "
                        f"({_lock_holder(path)}; lock {path}): wait for it to end or stop it, "
                        "or choose another folder with --out") from None
                if err.errno in _NO_FLOCK:
                    _log.warning("the filesystem of %s has no file locks (%s): running without "
                                 "the run-folder lock", folder, err.strerror)
                    return cls(key, path, None)
                raise
            # a run that finished deleted the file it locked: lock the folder's current one
            if _same_file(fd, path):
                lock = cls(key, path, fd)
                lock.owner = owner
                with contextlib.suppress(OSError):  # only informative
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{os.getpid()}@{socket.gethostname()} since "
                                  f"{_iso(time.time())}\n".encode(), 0)
                cls._HELD[key] = lock
                return lock
            os.close(fd)
        raise RunFolderError(f"cannot lock run folder {folder}: {path} keeps being replaced")

    def release(self, owner: object) -> None:
        """Give the lock up if ``owner`` owns it: delete the lock file (still holding the lock),
        then close it (which drops the lock)."""
        if self.owner is not owner:
            return
        self.owner = None
        if self._HELD.get(self.key) is self:
            del self._HELD[self.key]
        if self.fd is not None and _same_file(self.fd, self.path):
            with contextlib.suppress(OSError):
                self.path.unlink()
        self.close()

    def close(self) -> None:
        """Close the file (drops the lock) without deleting it."""
        fd, self.fd = self.fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


def _lock_holder(path: Path) -> str:
    """Who holds the lock file ``path``, as it says (``pid@host since time``)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return f"held by {text}" if text else "held by another process"


# ------------------------------------------------------------------------------- provenance


def _run_git(args: list[str], cwd: Path) -> str | None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # `git status` must not take the index lock
    try:
        out = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_info(directory: str | Path | None = None) -> dict[str, Any]:
    """Commit of the ssbx source tree: ``{"commit", "dirty", "source"}``.

    Runs ``git rev-parse HEAD`` in the package's directory; only a repository whose
    ``pyproject.toml`` is the ssbx project counts (an installed copy inside some other repository
    does not). ``dirty``: uncommitted changes to tracked files or untracked, not ignored files.
    Falls back to the environment variable ``SSBX_GIT_COMMIT`` (set in Docker images), else
    ``"unknown"`` with ``dirty: None``.
    """
    here = Path(directory) if directory is not None else Path(ssbx.__file__).resolve().parent
    top = _run_git(["rev-parse", "--show-toplevel"], here)
    if top:
        try:
            project = tomllib.loads(Path(top, "pyproject.toml").read_text(encoding="utf-8"))
            is_ssbx = project.get("project", {}).get("name") == "ssbx"
        except (OSError, tomllib.TOMLDecodeError):
            is_ssbx = False
        commit = _run_git(["rev-parse", "HEAD"], here) if is_ssbx else None
        if commit:
            status = _run_git(["status", "--porcelain"], here)
            return {
                "commit": commit,
                "dirty": None if status is None else bool(status),
                "source": "git",
            }
    env_commit = os.environ.get("SSBX_GIT_COMMIT", "").strip()
    if env_commit and env_commit != "unknown":
        return {"commit": env_commit, "dirty": None, "source": "SSBX_GIT_COMMIT"}
    return {"commit": "unknown", "dirty": None, "source": None}


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def software_versions() -> dict[str, Any]:
    """Versions of ssbx and the stack it runs on; ``None`` for what cannot be imported.

    Imports dolfinx, basix, ffcx, ufl, petsc4py and mpi4py (if available). Under MPI call it on
    every rank (the first import of ``petsc4py.PETSc`` initialises PETSc, a collective call), and
    after ``petsc4py.init`` when PETSc options are given on the command line.
    """
    versions: dict[str, Any] = {
        "ssbx": ssbx.__version__,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
    }
    for module in ("dolfinx", "basix", "ffcx", "ufl"):
        try:
            versions[module] = __import__(module).__version__
        except Exception:
            versions[module] = None
    try:
        import dolfinx

        versions["dolfinx_git_commit"] = getattr(dolfinx, "git_commit_hash", None) or None
    except Exception:
        versions["dolfinx_git_commit"] = None
    versions["dolfinx_solver_wheel"] = _dist_version("dolfinx-solver-real") or _dist_version(
        "dolfinx-solver-complex"
    )
    try:
        import petsc4py
        from petsc4py import PETSc

        import numpy as np

        versions["petsc"] = ".".join(str(v) for v in PETSc.Sys.getVersion())
        versions["petsc4py"] = petsc4py.__version__
        versions["petsc_scalar_type"] = str(np.dtype(PETSc.ScalarType))
        versions["petsc_int_type"] = str(np.dtype(PETSc.IntType))
    except Exception:
        versions.update(petsc=None, petsc4py=None, petsc_scalar_type=None, petsc_int_type=None)
    try:
        import mpi4py
        from mpi4py import MPI

        versions["mpi4py"] = mpi4py.__version__
        versions["mpi_library"] = " ".join(
            MPI.Get_library_version().strip().splitlines()[0].split()
        )
        versions["mpi_standard"] = "{}.{}".format(*MPI.Get_version())
    except Exception:
        versions.update(mpi4py=None, mpi_library=None, mpi_standard=None)
    for dist in ("numpy", "gmsh", "numba", "pint", "meshio"):
        versions[dist] = _dist_version(dist)
    return versions


_COMMAND_LINE: list[str | None] = [None]


def record_command_line(argv: Sequence[str]) -> None:
    """The command line that started this process (the CLI passes ``sys.argv``), recorded in
    the provenance of its run folders; ``None`` there when nobody recorded one (library use)."""
    _COMMAND_LINE[0] = shlex.join(argv)


def _iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t).astimezone().isoformat(timespec="seconds")


def collect_provenance(
    comm: Any, *, wall_time: float | None = None, start_time: float | None = None
) -> dict[str, Any]:
    """Everything needed to say how a result was produced. Collective (gathers host names).

    Keys: ``ssbx_version``, ``git`` (:func:`git_info`), ``versions`` (:func:`software_versions`),
    ``ranks``, ``hostname`` (rank 0), ``hosts`` (distinct host names of all ranks),
    ``start_time`` (ISO 8601, local time with offset), ``end_time``, ``wall_time_s``,
    ``command_line``, ``cwd``, ``platform``, ``environment`` (thread and cache variables).
    The dict is the same on every rank.
    """
    versions = software_versions()  # on every rank: importing petsc4py.PETSc is collective
    hosts = comm.gather(socket.gethostname(), root=0)
    info: dict[str, Any] | None = None
    if comm.rank == 0:
        now = time.time()
        info = {
            "ssbx_version": ssbx.__version__,
            "git": git_info(),
            "versions": versions,
            "ranks": int(comm.size),
            "hostname": socket.gethostname(),
            "hosts": sorted(set(hosts or [])),
            "start_time": _iso(start_time if start_time is not None else now),
            "end_time": _iso(now),
            "wall_time_s": None
            if wall_time is None or not math.isfinite(wall_time)
            else round(float(wall_time), 3),
            "command_line": _COMMAND_LINE[0],
            "cwd": os.getcwd(),
            "platform": platform.platform(),
            "environment": {
                k: os.environ.get(k)
                for k in (
                    "OMP_NUM_THREADS",
                    "NUMBA_NUM_THREADS",
                    "XDG_CACHE_HOME",
                    "NUMBA_CACHE_DIR",
                    "PETSC_OPTIONS",
                    "PETSC_ARCH",
                )
            },
        }
    return comm.bcast(info, root=0)
