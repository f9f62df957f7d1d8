"""Running a sweep: MPI groups that take the next pending case, resumable, failure-tolerant.

Layout of a sweep folder (default ``results/<sweep name>/``)::

    .ssbx-sweep           marker: an ssbx sweep folder
    sweep.input.toml      the sweep file as given
    sweep.json            manifest: every case's index, name, swept values and digest
    sweep.log             the sweep's own log (rank 0)
    cases/<case name>/    one run folder per case (exactly what `ssbx run`/`ssbx ccs` writes)
    meshes/<digest>/      the meshes the cases share (unless $SSBX_MESH_CACHE names another
                          cache; ssbx.meshes.cache)
    results.csv           one row per case (see :mod:`ssbx.parallel.sweep_results`), written last

**Groups.** Under ``mpirun -n N ssbx sweep S.toml --ranks-per-case R`` COMM_WORLD is split into
N / R groups of R consecutive ranks (``MPI_Comm_split``). A group runs one case at a time on its
own communicator: mesh, solvers, output and the case's log all use it, never COMM_WORLD.

**Dynamic load balance.** The leader of each group asks for the next pending case when it is
free. World rank 0 serves these requests from a thread (point-to-point messages on a
duplicate of COMM_WORLD; needs ``MPI_THREAD_MULTIPLE``, which mpi4py requests by default) that
polls every 10 ms, so it answers while its own group computes (within the longest stretch its
main thread holds the GIL in one C call, such as one factorisation). Passive-target RMA
(``MPI_Fetch_and_op``) was measured first and rejected: MPICH only progresses it when the
target rank enters MPI, which a rank in a long serial solve does not. Without
``MPI_THREAD_MULTIPLE`` the cases are dealt round-robin instead (said in the log).

**Resumable.** A case is complete when its folder holds ``summary.json``, written last and
atomically (:mod:`ssbx.io.runfolder`). Rerunning a sweep into its folder checks the manifest
(the same cases, or an error naming the first difference), skips complete cases, reruns
interrupted ones from the start, or, for transient runs with a checkpoint, continues them from
it (:mod:`ssbx.io.checkpoint`); failed cases are skipped (reported again) unless
``retry_failed``.

**Failures.** An exception in a case is recorded in ``cases/<case>/failure.json`` (type, message,
traceback, ranks) and the group takes the next case; the final report and the exit code count the
failures. In a group of several ranks the ranks agree on the outcome with a non-blocking
allreduce; a rank whose case failed while the rest of its group did not arrive within
``agree_timeout`` seconds (an error on one rank only, the others stuck in a collective) aborts
the whole job rather than hang: rerunning the sweep resumes it.

**Signals.** SIGTERM/SIGKILL (scheduler time limit, ``scancel``) stop the processes wherever
they are; the cases then running have no ``summary.json`` and are rerun by the next run. No
state outside the case folders needs repair.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import ssbx
from ssbx.io.runfolder import (
    SUMMARY,
    RunFolderError,
    atomic_write,
    collective,
    folder_name,
    from_json,
    is_complete,
    to_json,
)
from ssbx.meshes.cache import mesh_cache_directory, sweep_cache_directory
from ssbx.parallel.sweep_spec import Sweep, SweepCase

SWEEP_MARKER = ".ssbx-sweep"
MANIFEST = "sweep.json"
FAILURE = "failure.json"
RESULTS = "results.csv"
CASES = "cases"
TRANSIENT = ("mechanics", "stripping")

_REQUEST, _REPLY = 71, 72


class SweepFolderError(RunFolderError):
    """A sweep-folder problem (raised identically on every rank)."""


@dataclasses.dataclass
class CaseOutcome:
    """What happened to one case in this run: ``status`` ok | failed | skipped."""

    index: int
    name: str
    status: str
    wall_time: float = 0.0
    group: int = 0
    error: str = ""
    restarted: bool = False


@dataclasses.dataclass
class SweepReport:
    """The result of :func:`run_sweep`: outcomes of the cases run now, and the final state of
    every case of the sweep (``states``: index → complete | failed | incomplete)."""

    outcomes: list[CaseOutcome]
    states: dict[int, str]
    groups: int
    ranks_per_case: int
    wall_time: float
    scheduling: str

    @property
    def failed(self) -> list[int]:
        """Indices of the failed cases, sorted."""
        return sorted(i for i, s in self.states.items() if s == "failed")

    @property
    def incomplete(self) -> list[int]:
        """Indices of the incomplete cases (begun, not finished), sorted."""
        return sorted(i for i, s in self.states.items() if s == "incomplete")


# ------------------------------------------------------------------------------ folders


def default_root(sweep: Sweep) -> Path:
    """``results/<sweep name>``."""
    return Path("results") / folder_name(sweep.name)


def case_path(root: Path, case: SweepCase) -> Path:
    """The run folder of ``case``: ``<root>/cases/<case name>``."""
    return Path(root) / CASES / folder_name(case.name)


def case_state(root: Path, case: SweepCase) -> str:
    """Complete (``summary.json``) | failed (``failure.json``) | incomplete (begun, neither) |
    pending (no folder)."""
    path = case_path(root, case)
    if is_complete(path):
        return "complete"
    if (path / FAILURE).is_file():
        return "failed"
    return "incomplete" if path.exists() else "pending"


def has_checkpoint(path: Path) -> bool:
    """Whether the run folder ``path`` holds a complete checkpoint to continue from."""
    from ssbx.io.checkpoint import latest_checkpoint

    try:
        return latest_checkpoint(path) is not None
    except Exception:
        return False


def prepare_root(comm: Any, sweep: Sweep, root: Path, *, overwrite: bool = False,
                 clear: bool = True) -> Path:
    """Create the sweep folder or check that an existing one holds this sweep. Collective.

    A new folder gets the marker, the sweep file and the manifest. An existing sweep folder must
    have the same manifest (else :class:`SweepFolderError` naming the first different case,
    unless ``overwrite``, which removes its cases when ``clear``). A non-empty folder that is not
    a sweep folder is refused.
    """
    manifest = sweep.manifest()

    def prepare() -> str:
        path = Path(root).expanduser().absolute()
        if path.exists() and not path.is_dir():
            raise SweepFolderError(f"sweep folder {path} exists and is not a folder")
        if path.is_dir() and any(path.iterdir()) and not (path / SWEEP_MARKER).exists():
            raise SweepFolderError(
                f"{path} is not empty and is not an ssbx sweep folder (no {SWEEP_MARKER}); "
                "choose another folder with --out")
        old = path / MANIFEST
        if old.is_file():
            try:
                previous = from_json(old.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                previous = None
            difference = _manifest_difference(previous, manifest)
            if difference and not overwrite:
                raise SweepFolderError(
                    f"sweep folder {path} holds a different sweep ({difference}); rerun with "
                    "--overwrite to replace it, or choose another folder with --out")
            if overwrite and clear:
                import shutil

                (path / "results.csv").unlink(missing_ok=True)
                shutil.rmtree(path / CASES, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        (path / SWEEP_MARKER).write_text(
            f"ssbx sweep folder (ssbx {ssbx.__version__}); complete cases have "
            f"{CASES}/<case>/{SUMMARY}\n", encoding="utf-8")
        if sweep.text:
            atomic_write(path / "sweep.input.toml", sweep.text)
        atomic_write(path / MANIFEST, to_json(manifest))
        (path / CASES).mkdir(exist_ok=True)
        return str(path)

    return Path(collective(comm, prepare, f"cannot prepare the sweep folder {root}",
                           SweepFolderError))


def _manifest_difference(old: Any, new: dict[str, Any]) -> str:
    if not isinstance(old, dict) or "cases" not in old:
        return "unreadable sweep.json"
    if old.get("command") != new["command"]:
        return f"command {old.get('command')!r} vs {new['command']!r}"
    a, b = old["cases"], new["cases"]
    for x, y in zip(a, b, strict=False):
        if x.get("digest") != y["digest"]:
            return (f"case {y['index']}: {x.get('values')} before, {y['values']} now"
                    if x.get("values") != y["values"] else
                    f"case {y['index']}: same swept values, different base case")
    if len(a) != len(b):
        return f"{len(a)} cases before, {len(b)} now"
    return ""


# ------------------------------------------------------------------------------ one case


def _case_console(group: Any, path: Path) -> Any:
    """A console that prints nothing on screen (many groups share a terminal) and logs the case
    to its run.log."""
    from ssbx.io.console import Console

    console = Console(group, quiet=True, level="error")
    console.level = 100  # not even errors: they go to failure.json and the sweep report
    console.attach_log(path / "run.log")
    return console


def run_one_case(sweep: Sweep, case: SweepCase, root: Path, group: Any, *,
                 agree_timeout: float = 300.0,
                 runner: Callable[..., Any] | None = None) -> CaseOutcome:
    """Run ``case`` on the communicator ``group`` into its folder (collective over ``group``).

    An interrupted transient run with a checkpoint continues from it; anything else incomplete
    starts over. A failure is caught, agreed on by the group and recorded in ``failure.json``.
    ``runner``: replaces :func:`ssbx.runs.case_runner.execute_case` (tests).
    """
    from ssbx.io.runfolder import RunFolder
    from ssbx.runs.case_runner import execute_case

    runner = runner or execute_case
    path = case_path(root, case)
    restart = False
    if sweep.command == "run" and case.case.problem in TRANSIENT:
        restart = bool(group.bcast(path.is_dir() and not is_complete(path)
                                   and has_checkpoint(path) if group.rank == 0 else None, root=0))
    t0 = time.perf_counter()
    error = ""
    console = None
    try:
        folder = (RunFolder(group, path, resume=True) if restart
                  else RunFolder(group, path, overwrite=True))
        console = _case_console(group, folder.root)
        console.to_log("info", f"sweep {sweep.name}, case {case.index}: "
                       + ", ".join(f"{k} = {v}" for k, v in case.values.items())
                       + f" on {group.size} rank(s)" + (" (restart)" if restart else ""))
        runner(sweep.command, case.case, folder, group, console,
               source=f"{sweep.source or sweep.name} (case {case.index})", restart=restart)
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
        trace = "".join(traceback.format_exception(err))
        if console is not None:
            console.to_log("error", trace.rstrip())
    else:
        trace = ""
    finally:
        if console is not None:
            console.close()
    def record_abort(message: str) -> None:
        """Leave the failure in the case folder before this rank aborts the job (its stderr
        may not reach the terminal: the launcher can end the job before forwarding it)."""
        record = {"case": case.name, "index": case.index, "values": case.values,
                  "error": error, "abort": message, "rank": group.rank, "traceback": trace,
                  "ranks": group.size, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        with contextlib.suppress(OSError):
            path.mkdir(parents=True, exist_ok=True)
            (path / SUMMARY).unlink(missing_ok=True)
            atomic_write(path / FAILURE, to_json(record))

    failed_anywhere = _agree(group, bool(error), agree_timeout, case, on_abort=record_abort)
    wall = time.perf_counter() - t0
    if failed_anywhere:
        errors = group.gather(error, root=0)
        traces = group.gather(trace, root=0)
        if group.rank == 0:
            first = next((e for e in errors if e), "failed on another rank")
            error = first
            record = {"case": case.name, "index": case.index, "values": case.values,
                      "error": first, "errors_by_rank": errors,
                      "traceback": next((t for t in traces if t), ""),
                      "ranks": group.size, "wall_time_s": round(wall, 3),
                      "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            with contextlib.suppress(OSError):
                path.mkdir(parents=True, exist_ok=True)
                (path / SUMMARY).unlink(missing_ok=True)
                atomic_write(path / FAILURE, to_json(record))
        group.Barrier()
        return CaseOutcome(case.index, case.name, "failed", wall, error=error, restarted=restart)
    return CaseOutcome(case.index, case.name, "ok", wall, restarted=restart)


def _agree(group: Any, failed: bool, timeout: float, case: SweepCase,
           on_abort: Callable[[str], None] | None = None) -> bool:
    """Whether the case failed on any rank of ``group`` (non-blocking allreduce; a failed rank
    that waits longer than ``timeout`` s for the others calls ``on_abort(message)``, writes the
    message to stderr and aborts the job)."""
    if group.size == 1:
        return failed
    from mpi4py import MPI

    send = np.array([1 if failed else 0], dtype=np.int32)
    recv = np.zeros(1, dtype=np.int32)
    request = group.Iallreduce(send, recv, op=MPI.MAX)
    start = time.monotonic()
    while not request.Test():
        if failed and time.monotonic() - start > timeout:
            message = (
                f"ssbx sweep: case {case.name} failed on this rank only and the other ranks of "
                f"its group did not finish within {timeout:g} s (an error outside a collective "
                "operation); aborting the job. Rerun the sweep to resume it.")
            if on_abort is not None:
                on_abort(message)
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
            time.sleep(1.0)  # let the launcher forward stderr before it tears the job down
            group.Abort(1)  # MPICH and Open MPI end the whole job
        time.sleep(0.005)
    return bool(recv[0])


# ------------------------------------------------------------------------------ scheduling


class _CaseServer:
    """World rank 0's thread that hands out pending cases to the other group leaders."""

    def __init__(self, comm: Any, pending: Sequence[int], leaders: int,
                 on_report: Callable[[CaseOutcome | None, int], None]) -> None:
        self.comm = comm
        self.pending = list(pending)
        self.lock = threading.Lock()
        self.remote_leaders = leaders
        self.on_report = on_report
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._serve, name="ssbx-sweep-server", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def take(self) -> int | None:
        with self.lock:
            return self.pending.pop(0) if self.pending else None

    def _serve(self) -> None:
        from mpi4py import MPI

        done = 0
        status = MPI.Status()
        try:
            while done < self.remote_leaders:
                if not self.comm.Iprobe(source=MPI.ANY_SOURCE, tag=_REQUEST, status=status):
                    time.sleep(0.01)
                    continue
                source = status.Get_source()
                report = self.comm.recv(source=source, tag=_REQUEST)
                self.on_report(report, source)
                index = self.take()
                self.comm.send(index, dest=source, tag=_REPLY)
                if index is None:
                    done += 1
        except BaseException as err:  # reported by the main thread
            self.error = err

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise RuntimeError(f"sweep scheduler thread failed: {self.error}") from self.error


def run_sweep(sweep: Sweep, root: Path, world: Any, console: Any = None, *,
              ranks_per_case: int = 1, retry_failed: bool = False,
              agree_timeout: float = 300.0,
              runner: Callable[..., Any] | None = None) -> SweepReport:
    """Run every pending case of ``sweep`` into ``root`` (prepared by :func:`prepare_root`) on
    ``world`` split into groups of ``ranks_per_case`` ranks. Collective over ``world``.

    Cases of one geometry share their mesh: the mesh cache is ``$SSBX_MESH_CACHE`` if set,
    else ``root/meshes``, none with ``SSBX_MESH_CACHE=off`` (:mod:`ssbx.meshes.cache`)."""
    with mesh_cache_directory(sweep_cache_directory(root)):
        return _run_sweep(sweep, root, world, console, ranks_per_case=ranks_per_case,
                          retry_failed=retry_failed, agree_timeout=agree_timeout,
                          runner=runner)


def _run_sweep(sweep: Sweep, root: Path, world: Any, console: Any = None, *,
               ranks_per_case: int = 1, retry_failed: bool = False,
               agree_timeout: float = 300.0,
               runner: Callable[..., Any] | None = None) -> SweepReport:
    t0 = time.perf_counter()
    if world.size % ranks_per_case:
        raise ValueError(f"--ranks-per-case {ranks_per_case} does not divide the {world.size} "
                         "ranks of the job")
    n_groups = world.size // ranks_per_case
    color = world.rank // ranks_per_case
    group = world.Split(color, world.rank) if n_groups > 1 else world
    leader = group.rank == 0

    pending, skipped = None, None
    if world.rank == 0:
        states = {c.index: case_state(root, c) for c in sweep.cases}
        pending = [i for i, s in states.items()
                   if s in ("pending", "incomplete") or (retry_failed and s == "failed")]
        skipped = {i: s for i, s in states.items() if i not in pending}
    pending = world.bcast(pending, root=0)
    skipped = world.bcast(skipped, root=0)
    by_index = {c.index: c for c in sweep.cases}
    finished = [0]
    print_lock = threading.Lock()
    total = len(pending)

    def report(outcome: CaseOutcome | None, source: int = 0) -> None:
        if outcome is None or console is None:
            return
        with print_lock:
            finished[0] += 1
            values = ", ".join(f"{k} = {v}" for k, v in by_index[outcome.index].values.items())
            what = "ok" if outcome.status == "ok" else f"FAILED: {outcome.error}"
            console.info(f"[{finished[0]}/{total}] {outcome.name} ({values}): {what} in "
                         f"{outcome.wall_time:.1f} s"
                         + (" (continued from a checkpoint)" if outcome.restarted else "")
                         + (f" [group {outcome.group}]" if n_groups > 1 else ""))

    if console is not None:
        console.info(f"sweep {sweep.name}: {len(sweep.cases)} cases, {len(skipped)} done or "
                     f"failed before, {total} to run on {n_groups} group(s) of {ranks_per_case} "
                     f"rank(s) -> {root}")
        for i, s in sorted(skipped.items()):
            if s == "failed":
                console.warn(f"{by_index[i].name}: failed in an earlier run (see "
                             f"{case_path(root, by_index[i]) / FAILURE}); --retry-failed reruns it")

    from mpi4py import MPI

    threaded = n_groups > 1 and MPI.Query_thread() >= MPI.THREAD_MULTIPLE
    scheduling = "dynamic" if threaded else ("sequential" if n_groups == 1 else "round-robin")
    if console is not None and n_groups > 1 and not threaded:
        console.warn("MPI_THREAD_MULTIPLE is not available: cases are dealt round-robin to the "
                     "groups (no dynamic load balance)")
    sched = world.Dup() if threaded else None
    server = None
    if threaded and world.rank == 0:
        server = _CaseServer(sched, pending, n_groups - 1, report)
        server.start()
    mine = [i for n, i in enumerate(pending) if n % n_groups == color]

    def next_index(last: CaseOutcome | None, k: int) -> int | None:
        if not threaded:
            if last is not None and world.rank == 0:
                report(last)
            return mine[k] if k < len(mine) else None
        if world.rank == 0:
            report(last)
            assert server is not None
            return server.take()
        sched.send(last, dest=0, tag=_REQUEST)
        return sched.recv(source=0, tag=_REPLY)

    done_here: list[CaseOutcome] = []
    last: CaseOutcome | None = None
    # An exception escaping this loop (Ctrl-C, an error outside a case) is not caught: ssbx's
    # MPI excepthook aborts the job, and the server thread, a daemon, is not waited for.
    while True:
        index = next_index(last, len(done_here)) if leader else None
        index = group.bcast(index, root=0)
        if index is None:
            break
        outcome = run_one_case(sweep, by_index[index], root, group,
                               agree_timeout=agree_timeout, runner=runner)
        outcome.group = color
        done_here.append(outcome)
        last = outcome
    if server is not None:
        server.join()
    gathered = world.gather(done_here if leader else [], root=0)
    if sched is not None:
        sched.Free()
    if group is not world:
        group.Free()
    states = None
    if world.rank == 0:
        outcomes = sorted((o for part in gathered for o in part), key=lambda o: o.index)
        if not threaded:  # the other groups' outcomes were not reported as they happened
            for o in outcomes:
                if o.group != 0:
                    report(o)
        states = {c.index: _final_state(case_state(root, c)) for c in sweep.cases}
    else:
        outcomes = []
    states = world.bcast(states, root=0)
    outcomes = world.bcast(outcomes, root=0)
    return SweepReport(outcomes, states, n_groups, ranks_per_case, time.perf_counter() - t0,
                       scheduling)


def _final_state(state: str) -> str:
    return "incomplete" if state == "pending" else state


def run_single_case(sweep: Sweep, index: int, root: Path, comm: Any, console: Any = None, *,
                    rerun: bool = False, agree_timeout: float = 300.0,
                    runner: Callable[..., Any] | None = None) -> CaseOutcome:
    """``ssbx sweep --index I``: case ``index`` on all of ``comm`` (a job-array task). A complete
    case is skipped unless ``rerun``. Shares the sweep's mesh cache (:func:`run_sweep`).
    Collective over ``comm``."""
    case = next((c for c in sweep.cases if c.index == index), None)
    if case is None:
        raise ValueError(f"--index {index}: the sweep has cases 0 .. {len(sweep.cases) - 1}")
    state = comm.bcast(case_state(root, case) if comm.rank == 0 else None, root=0)
    if state == "complete" and not rerun:
        if console is not None:
            console.info(f"{case.name} is already complete ({case_path(root, case) / SUMMARY}); "
                         "--overwrite reruns it")
        return CaseOutcome(case.index, case.name, "skipped")
    if console is not None:
        console.info(f"sweep {sweep.name}, case {index} ({case.name}: "
                     + ", ".join(f"{k} = {v}" for k, v in case.values.items())
                     + f") on {comm.size} rank(s) -> {case_path(root, case)}")
    with mesh_cache_directory(sweep_cache_directory(root)):
        outcome = run_one_case(sweep, case, root, comm, agree_timeout=agree_timeout,
                               runner=runner)
    if console is not None:
        if outcome.status == "ok":
            console.info(f"{case.name}: ok in {outcome.wall_time:.1f} s"
                         + (" (continued from a checkpoint)" if outcome.restarted else ""))
        else:
            console.error(f"{case.name}: FAILED: {outcome.error} (see "
                          f"{case_path(root, case) / FAILURE})")
    return outcome


__all__ = ["CASES", "FAILURE", "MANIFEST", "RESULTS", "CaseOutcome", "SweepFolderError",
           "SweepReport", "case_path", "case_state", "default_root", "has_checkpoint",
           "prepare_root", "run_one_case", "run_single_case", "run_sweep"]
