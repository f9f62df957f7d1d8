"""Run folders under contention and on a full disk (issue "races and faults").

- One run per folder: rank 0 holds an exclusive ``flock`` on ``<folder>/.ssbx-lock`` for the whole
  run; a second run into the folder fails on every rank, naming the folder and the holder, and
  changes nothing; the lock dies with its process (SIGKILL included).
- Disk space: :meth:`RunFolder.require_space` fails a run cleanly before ADIOS2 (which aborts the
  process on a full disk) writes fields; ``ENOSPC`` in the folder's own writers is reported with
  the disk and the folder.

Tests marked ``mpi`` also run on two ranks under ``make test``.
"""

from __future__ import annotations

import errno
import fcntl
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from ssbx.io.runfolder import (
    LOCK,
    MARKER,
    SUMMARY,
    DiskFullError,
    RunFolder,
    RunFolderError,
    field_output_bytes,
)

ROOT = Path(__file__).resolve().parents[1]
FLAT_BV = ROOT / "examples" / "flat_bv.toml"

#: A process that opens a run folder (its argv[1]), writes a file into it and holds it.
HOLDER = textwrap.dedent(
    """\
    import sys, time
    from ssbx.io.runfolder import RunFolder
    from ssbx.parallel.mpi_abort import SerialComm
    folder = RunFolder(SerialComm(), sys.argv[1], overwrite=True)
    folder.write_text("child.txt", "written by the holder")
    print("ready", flush=True)
    time.sleep(600)
    """
)


def _start_holder(root: Path, timeout: float = 60.0) -> subprocess.Popen[str]:
    """Start :data:`HOLDER` on ``root`` and wait until it holds the folder."""
    env = {k: v for k, v in os.environ.items()  # not a rank of this job's MPI launcher
           if not k.startswith(("PMI_", "PMIX_", "OMPI_", "HYDRA_", "MPIR_", "I_MPI_"))}
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(root)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], timeout)
    line = child.stdout.readline() if ready else ""
    if line.strip() != "ready":
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"the lock holder did not start: {err}")
    return child


def _snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below ``root``: modification time and content."""
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


def _locked(root: Path) -> bool:
    """Whether someone (this process included) holds the lock of the run folder ``root``."""
    try:
        fd = os.open(root / LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops a lock taken just now
    return False


# ----------------------------------------------------------------------------------- the lock


@pytest.mark.mpi
def test_locked_folder_is_refused_on_every_rank_and_freed_by_sigkill(comm, shared_tmp_path):
    root = Path(shared_tmp_path) / "run"
    child = _start_holder(root) if comm.rank == 0 else None
    try:
        pid = comm.bcast(child.pid if child is not None else None, root=0)
        before = _snapshot(root) if comm.rank == 0 else None
        for kwargs in ({"overwrite": True}, {"resume": True}, {}):
            with pytest.raises(RunFolderError) as info:  # raised on every rank
                RunFolder(comm, root, **kwargs)
            message = str(info.value)
            assert f"run folder {root} is in use by another ssbx run" in message, kwargs
            assert f"held by {pid}@{socket.gethostname()} since " in message, kwargs
        comm.barrier()
        if comm.rank == 0:
            assert _snapshot(root) == before  # the loser changed nothing
            assert (root / "child.txt").read_text() == "written by the holder"
            assert _locked(root)
    finally:
        if child is not None:
            child.send_signal(signal.SIGKILL)
            child.communicate()
    comm.barrier()
    if comm.rank == 0:
        assert (root / LOCK).exists()  # a killed holder leaves its file, not its lock
    folder = RunFolder(comm, root, overwrite=True)  # at once: the lock died with the process
    assert not folder.exists("child.txt") and folder.exists(MARKER)
    if comm.rank == 0:
        assert _locked(root)
        assert (root / LOCK).read_text().startswith(f"{os.getpid()}@{socket.gethostname()} ")
    folder.write_summary({"status": "ok"})
    comm.barrier()
    if comm.rank == 0:
        assert not (root / LOCK).exists() and not _locked(root)  # released, file removed


@pytest.mark.mpi
def test_lock_held_for_the_run_and_released_after_summary_or_release(comm, shared_tmp_path):
    root = Path(shared_tmp_path) / "run"
    folder = RunFolder(comm, root)
    if comm.rank == 0:
        assert _locked(root)
    folder.write_json("partial.json", {"step": 1})
    folder.write_summary({"status": "ok"})
    comm.barrier()
    if comm.rank == 0:
        assert not _locked(root) and not (root / LOCK).exists()
        assert sorted(p.name for p in root.iterdir()) == [MARKER, "partial.json", SUMMARY]
    # a failed run gives the lock back through release(); the folder is not complete
    again = RunFolder(comm, root, overwrite=True)
    again.release()
    again.release()  # idempotent
    comm.barrier()
    if comm.rank == 0:
        assert not _locked(root) and not (root / LOCK).exists()
    with RunFolder(comm, root, resume=True):
        if comm.rank == 0:
            assert _locked(root)
    comm.barrier()
    if comm.rank == 0:
        assert not _locked(root)
    comm.barrier()


def test_same_process_takes_the_lock_over_from_an_abandoned_folder(tmp_path):
    from mpi4py import MPI

    comm = MPI.COMM_SELF
    root = tmp_path / "run"
    first = RunFolder(comm, root)  # e.g. a run that failed without releasing its folder
    second = RunFolder(comm, root, overwrite=True)
    first.release()  # no longer the owner: the lock stays with `second`
    assert _locked(root)
    second.release()
    assert not _locked(root)
    del first, second


def test_foreign_and_non_empty_folders_get_no_lock_file(tmp_path):
    from mpi4py import MPI

    comm = MPI.COMM_SELF
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    for overwrite in (False, True):
        with pytest.raises(RunFolderError, match="not empty"):
            RunFolder(comm, precious, overwrite=overwrite)
        assert sorted(p.name for p in precious.iterdir()) == ["thesis.tex"]
    with pytest.raises(RunFolderError, match="not an ssbx run folder"):
        RunFolder(comm, precious, resume=True)
    assert sorted(p.name for p in precious.iterdir()) == ["thesis.tex"]
    # an ssbx folder without --overwrite: refused, and the lock it took for the check is gone
    done = tmp_path / "done"
    RunFolder(comm, done).write_summary({"status": "ok"})
    with pytest.raises(RunFolderError, match="--overwrite"):
        RunFolder(comm, done)
    assert not (done / LOCK).exists()


# ------------------------------------------------------------------------------- disk space


def _tiny_disk(free: int, under: Path) -> Any:
    """A stand-in for :func:`shutil.disk_usage`: ``free`` bytes below ``under``."""
    real = shutil.disk_usage

    def disk_usage(path: Any) -> Any:
        if Path(path).absolute().is_relative_to(under):
            total = real(under).total
            return type(real(under))(total, total - free, free)
        return real(path)

    return disk_usage


@pytest.mark.mpi
def test_require_space(comm, shared_tmp_path, monkeypatch):
    root = Path(shared_tmp_path) / "run"
    folder = RunFolder(comm, root)
    folder.require_space(1000, "nothing much")  # the real disk has a kilobyte
    monkeypatch.setattr(shutil, "disk_usage", _tiny_disk(2_500_000, Path(shared_tmp_path)))
    folder.require_space(2_000_000, "the field output (x.bp)")
    with pytest.raises(RunFolderError) as info:  # on every rank
        folder.require_space(12_345_678, "the field output (x.bp)")
    message = str(info.value)
    assert message.startswith("not enough space on ")
    assert f"for the field output (x.bp) in {root}: need ~12.3 MB, 2.5 MB free" in message

    def unknown(path: Any) -> Any:
        raise OSError(errno.ENOSYS, "no statvfs here")

    monkeypatch.setattr(shutil, "disk_usage", unknown)
    folder.require_space(1e18, "anything")  # cannot tell: passes
    comm.barrier()


@pytest.mark.mpi
def test_disk_full_in_the_folders_writers(comm, shared_tmp_path, monkeypatch):
    root = Path(shared_tmp_path) / "run"
    folder = RunFolder(comm, root)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    if comm.rank == 0:  # rank-0-local writers: an OSError where the write was
        with pytest.raises(DiskFullError) as info:
            folder.write_csv("table.csv", ["a"], [[1.0]])
        assert info.value.errno == errno.ENOSPC
        assert str(info.value).startswith("no space left on ")
        assert str(info.value).endswith(f"while writing table.csv in {root}")
    with pytest.raises(RunFolderError) as collective:  # collective writers: on every rank
        folder.write_summary({"status": "ok"})
    assert str(collective.value).startswith("no space left on ")
    assert f"while writing {SUMMARY} in {root}" in str(collective.value)
    assert not folder.finished
    monkeypatch.undo()
    comm.barrier()
    if comm.rank == 0:
        assert sorted(p.name for p in root.iterdir()) == [LOCK, MARKER]  # no temporary files
    folder.release()


def test_field_output_estimate():
    class Space:  # the few attributes read of a dolfinx Function
        def __init__(self, nodes: int, bs: int) -> None:
            imap = type("IndexMap", (), {"size_global": nodes})()
            self.dofmap = type("DofMap", (), {"index_map": imap, "index_map_bs": bs})()

    scalar = type("F", (), {"function_space": Space(1000, 1)})()
    vector = type("F", (), {"function_space": Space(1000, 2)})()
    assert field_output_bytes([scalar]) == int(1.5 * 1000 * 8 * 10) + 1_000_000
    assert field_output_bytes([vector], times=3) == int(1.5 * 3 * 1000 * 8 * 12) + 1_000_000
    assert field_output_bytes([scalar, vector], times=2) == (
        int(1.5 * 2 * 1000 * 8 * 22) + 1_000_000)


@pytest.mark.slow
@pytest.mark.skipif(not FLAT_BV.exists(), reason="examples/flat_bv.toml missing")
def test_run_on_a_full_disk_fails_cleanly(tmp_path, monkeypatch, capsys):
    """A run whose field output does not fit fails through ssbx's error path (exit 1, one
    message naming the disk, the folder and the file) instead of an ADIOS2 abort."""
    from ssbx.cli import commands as cli

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    out = tmp_path / "run"
    monkeypatch.setattr(shutil, "disk_usage", _tiny_disk(100_000, tmp_path))
    t0 = time.perf_counter()
    assert cli.main(["run", str(FLAT_BV), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "error: not enough space on " in err
    assert f"for the field output (potential.bp) in {out}: need ~" in err
    assert "MB, 0.1 MB free" in err and "Traceback" not in err
    assert not (out / SUMMARY).exists()
    assert not (out / "potential.bp").exists()
    assert not (out / "interface_current.csv").exists()  # stopped before the tables
    assert "not enough space on" in (out / "run.log").read_text()
    assert not _locked(out) and not (out / LOCK).exists()  # released on failure
    assert time.perf_counter() - t0 < 120
