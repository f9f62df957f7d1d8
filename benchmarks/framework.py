"""Benchmark registry: published (or self-consistency) results that ssbx reproduces.

A :class:`Benchmark` declares

- ``name`` (file and CLI name), ``title``, ``source`` (full citation of the result reproduced),
- ``reference``: where the reference data come from (a file in ``benchmarks/data/`` or values in
  code with their source quote),
- ``metric`` and ``tolerance``: what is compared and how close it must be (one sentence each),
- :meth:`Benchmark.cases`: the resolved :class:`ssbx.case.Case` objects it runs (a base case plus
  overrides; ``quick=True`` gives fewer and coarser cases),
- :meth:`Benchmark.compute`: runs the cases on a communicator and returns an :class:`Outcome`
  (table rows, :class:`Check` objects, findings),
- :meth:`Benchmark.plot`: the figure comparing ssbx with the reference (rank 0 only).

:meth:`Benchmark.run` (shared) times ``compute``, then rank 0 writes into ``out_dir``:
``<name>.csv`` (ssbx results next to the reference), ``<name>.png`` and, last, ``result.json``
(metric, tolerance, every check, passed, source, wall time, ssbx version, quick flag). Every file
is written atomically (temporary file + ``os.replace``), so a ``result.json`` that exists belongs
to a complete set of outputs.

MPI: every case runs on the communicator passed in; only rank 0 writes files and plots; every rank
returns the same :class:`BenchmarkResult`. The CLI calls :func:`list_benchmarks`,
:func:`get_benchmark` and :func:`run_benchmark`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import json
import math
import os
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from mpi4py import MPI

import ssbx

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Reference data shipped with the package (``benchmarks/data``)."""

CheckKind = Literal["abs", "rel", "max", "min"]


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One asserted comparison.

    kind: ``abs``: ``|value - target| <= tolerance``; ``rel``: ``|value - target| <= tolerance
    |target|``; ``max``: ``value <= tolerance``; ``min``: ``value >= tolerance`` (``target``
    unused for the last two).
    """

    name: str
    description: str
    value: float
    tolerance: float
    kind: CheckKind = "abs"
    target: float = 0.0
    unit: str = "1"

    @property
    def passed(self) -> bool:
        """Whether ``value`` meets the criterion of ``kind``; a NaN or infinite value fails."""
        v, t, tol = self.value, self.target, self.tolerance
        if not math.isfinite(v):
            return False
        if self.kind == "abs":
            return abs(v - t) <= tol
        if self.kind == "rel":
            return abs(v - t) <= tol * abs(t)
        if self.kind == "max":
            return v <= tol
        return v >= tol

    def criterion(self) -> str:
        """The pass criterion as text (``|x - 0.5| <= 0.15``)."""
        tol = f"{self.tolerance:.3g}"
        if self.kind == "abs":
            return f"|{self.name} - {self.target:.6g}| <= {tol}"
        if self.kind == "rel":
            return f"|{self.name} - {self.target:.6g}| <= {tol} * |{self.target:.6g}|"
        if self.kind == "max":
            return f"{self.name} <= {tol}"
        return f"{self.name} >= {tol}"

    def markdown(self, value_format: str = ".3g") -> str:
        """One Markdown list line: PASS/FAIL, name, value, criterion and description."""
        return (f"- {'PASS' if self.passed else 'FAIL'} `{self.name}` = "
                f"{self.value:{value_format}} ({self.criterion()}): {self.description}")

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict, with the ``criterion`` text and ``passed`` (``result.json``)."""
        return asdict(self) | {"criterion": self.criterion(), "passed": self.passed}


@dataclass
class Outcome:
    """What :meth:`Benchmark.compute` returns (complete on rank 0; other ranks may hold less).

    rows: one dict per table row of ``<name>.csv`` (same keys in every row; ``columns`` fixes
    their order, default: the keys of the first row); checks: the asserted comparisons, the
    first one is the headline metric; findings: benchmark-specific results for ``result.json``;
    extra_files: name → text of further files to write (``performance.md``); plot_data: anything
    :meth:`Benchmark.plot` needs besides the rows.
    """

    rows: list[dict[str, Any]]
    checks: list[Check]
    columns: list[str] | None = None
    findings: dict[str, Any] = field(default_factory=dict)
    extra_files: dict[str, str] = field(default_factory=dict)
    plot_data: dict[str, Any] = field(default_factory=dict)


@dataclass
class BenchmarkResult:
    """The outcome of one benchmark run (the same on every rank).

    metric / tolerance: value and tolerance of the headline check (``checks[0]``).
    """

    name: str
    title: str
    source: str
    passed: bool
    metric: float
    tolerance: float
    metric_name: str
    checks: list[Check]
    wall_time: float
    quick: bool
    out_dir: Path
    files: list[str]
    findings: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One line: name, PASS/FAIL, headline metric against its tolerance, checks, wall time."""
        c = self.checks[0]
        failed = [x.name for x in self.checks if not x.passed]
        n_ok = len(self.checks) - len(failed)
        text = (f"{self.name}: {'PASS' if self.passed else 'FAIL'} — {c.name} = {c.value:.4g} "
                f"({c.criterion()}), {n_ok}/{len(self.checks)} checks passed")
        if failed:
            text += f" (failed: {', '.join(failed)})"
        return text + f", {self.wall_time:.1f} s{' (quick)' if self.quick else ''}"


# --------------------------------------------------------------------------------------------
# output helpers (rank 0)
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path``; renamed onto ``path`` when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, Path):
        return str(x)
    if hasattr(x, "item") and callable(x.item):  # numpy scalar
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically as indented JSON (non-finite floats as ``null``)."""
    write_text_atomic(path, json.dumps(_jsonable(data), indent=2) + "\n")


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """CSV with a header line; floats with 10 significant digits."""
    if columns is None:
        columns = list(rows[0]) if rows else []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        out = []
        for c in columns:
            v = row.get(c, "")
            if hasattr(v, "item") and callable(v.item):
                v = v.item()
            out.append(f"{v:.10g}" if isinstance(v, float) else v)
        w.writerow(out)
    return buf.getvalue()


def save_figure(fig: Any, path: Path, dpi: int = 130) -> None:
    """Save a matplotlib figure atomically and close it."""
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format=Path(path).suffix.lstrip(".") or "png")
    finally:
        plt.close(fig)


def pyplot() -> Any:
    """matplotlib.pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------------------------
def say(comm: MPI.Comm, console: Any, message: str) -> None:
    """An info line: ``console.info`` (which prints on rank 0 only) or ``print`` on rank 0."""
    if console is not None:
        console.info(message)
    elif comm.rank == 0:
        print(message, flush=True)


def warn(comm: MPI.Comm, console: Any, message: str) -> None:
    """A warning line: ``console.warn`` if the console has one, else ``print`` on rank 0."""
    if console is not None and hasattr(console, "warn"):
        console.warn(message)
    elif comm.rank == 0:
        print(f"warning: {message}", flush=True)


def wait_for_root(comm: MPI.Comm, poll: float = 0.05) -> None:
    """Barrier that sleeps instead of spinning on the non-root ranks.

    Used while rank 0 alone works for a long time (e.g. launches subprocesses that need the CPU
    cores): a plain barrier would busy-poll and steal a core from them.
    """
    if comm.size == 1:
        return
    req = comm.Ibarrier()
    if comm.rank == 0:
        req.Wait()
        return
    while not req.Test():
        time.sleep(poll)


def timed_collectively[T](comm: MPI.Comm, work: Callable[[], T]) -> tuple[T, float]:
    """``work()`` on every rank after a barrier, and its wall time [s]: the largest over the
    ranks (the time the slowest rank holds the others). Collective."""
    comm.Barrier()
    start = time.perf_counter()
    result = work()
    return result, comm.allreduce(time.perf_counter() - start, op=MPI.MAX)


def on_root[T](comm: MPI.Comm, work: Callable[[], T], *, broadcast: bool = False) -> T | None:
    """``work()`` on rank 0 while the other ranks wait without spinning (:func:`wait_for_root`).

    An exception on rank 0 is raised on every rank as ``RuntimeError("<type>: <message>")``
    (never a hang of the ranks that wait). Returns ``work()``'s result on rank 0 and ``None``
    elsewhere, or on every rank with ``broadcast``. Collective.
    """
    error, result = "", None
    if comm.rank == 0:
        try:
            result = work()
        except Exception as err:  # raised on every rank below
            error = f"{type(err).__name__}: {err}"
    wait_for_root(comm)
    error = comm.bcast(error, root=0)
    if error:
        raise RuntimeError(error)
    return comm.bcast(result, root=0) if broadcast else result


# --------------------------------------------------------------------------------------------
# benchmark base class
# --------------------------------------------------------------------------------------------
class Benchmark(ABC):
    """A reproduction of a published result (or a self-consistency measurement).

    Subclasses set the class attributes and implement :meth:`cases`, :meth:`compute` and
    :meth:`plot`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    source: ClassVar[str]
    reference: ClassVar[str]
    metric: ClassVar[str]
    tolerance: ClassVar[str]
    x_label: ClassVar[str] = ""

    @abstractmethod
    def base_case(self) -> Any:
        """The resolved :class:`ssbx.case.Case` every case of the benchmark derives from."""

    @abstractmethod
    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """One override dict (``{"geometry.voids.0.width": 2e-5, ...}``) per case."""

    def cases(self, quick: bool = False) -> list[Any]:
        """The resolved :class:`ssbx.case.Case` objects the benchmark runs: the base case with
        each of :meth:`case_overrides` applied (:func:`ssbx.case.with_overrides`)."""
        from ssbx.case import with_overrides

        base = self.base_case()
        return [with_overrides(base, o, name_default=self.name)
                for o in self.case_overrides(quick)]

    @abstractmethod
    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Run the cases on ``comm`` (collective); the outcome must be complete on rank 0."""

    @abstractmethod
    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Write the comparison figure to ``path`` (called on rank 0 only)."""

    def reference_data(self) -> Any:
        """The reference data (default: none beyond the class attributes)."""
        return None

    def describe(self) -> dict[str, str]:
        """Name, title, source, reference, metric and tolerance (for ``ssbx bench list``)."""
        return {k: getattr(self, k) for k in
                ("name", "title", "source", "reference", "metric", "tolerance")}

    # -- the shared driver --------------------------------------------------------------------
    def run(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> BenchmarkResult:
        """Compute, then (rank 0) write ``<name>.csv``, ``<name>.png``, extra files and, last,
        ``result.json`` into ``out_dir``. Collective on ``comm``."""
        out_dir = Path(comm.bcast(str(out_dir) if comm.rank == 0 else None, root=0))
        say(comm, console, f"benchmark {self.name}{' (quick)' if quick else ''}: {self.title}")
        t0 = time.perf_counter()
        outcome = self.compute(comm, console, quick, out_dir)
        wall = comm.bcast(time.perf_counter() - t0 if comm.rank == 0 else None, root=0)

        payload: tuple[dict[str, Any], list[str]] | None = None
        error = ""
        if comm.rank == 0:
            try:
                payload = self._write(outcome, out_dir, quick, wall, comm.size)
            except Exception as err:  # re-raised on every rank below
                error = f"{type(err).__name__}: {err}"
        error = comm.bcast(error, root=0)
        if error:
            raise RuntimeError(f"benchmark {self.name}: writing the results failed: {error}")
        checks, findings, files = comm.bcast(
            (outcome.checks, outcome.findings, payload[1] if payload else None)
            if comm.rank == 0 else None, root=0)
        head = checks[0]
        result = BenchmarkResult(
            name=self.name, title=self.title, source=self.source,
            passed=all(c.passed for c in checks), metric=head.value, tolerance=head.tolerance,
            metric_name=head.name, checks=checks, wall_time=wall, quick=quick, out_dir=out_dir,
            files=files, findings=findings)
        say(comm, console, result.summary)
        return result

    def _write(self, outcome: Outcome, out_dir: Path, quick: bool, wall: float,
               nranks: int) -> tuple[dict[str, Any], list[str]]:
        out_dir.mkdir(parents=True, exist_ok=True)
        files = []
        csv_path = out_dir / f"{self.name}.csv"
        write_text_atomic(csv_path, csv_text(outcome.rows, outcome.columns))
        files.append(csv_path.name)
        for fname, text in outcome.extra_files.items():
            write_text_atomic(out_dir / fname, text)
            files.append(fname)
        png = out_dir / f"{self.name}.png"
        self.plot(outcome, png, quick)
        files.append(png.name)
        head = outcome.checks[0]
        data = {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "reference": self.reference,
            "metric": {"name": head.name, "description": self.metric, "value": head.value,
                       "unit": head.unit},
            "tolerance": {"description": self.tolerance, "value": head.tolerance,
                          "criterion": head.criterion()},
            "passed": all(c.passed for c in outcome.checks),
            "checks": [c.to_dict() for c in outcome.checks],
            "findings": outcome.findings,
            "wall_time_s": wall,
            "ssbx_version": ssbx.__version__,
            "quick": quick,
            "mpi_ranks": nranks,
            "finished": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "files": [*files, "result.json"],
        }
        write_json_atomic(out_dir / "result.json", data)  # last
        files.append("result.json")
        return data, files


class DirectBenchmark(Benchmark):
    """A benchmark that builds its problems directly, without case files: no base case, no
    overrides, no resolved cases."""

    def base_case(self) -> Any:
        """No case file."""
        return None

    def case_overrides(self, quick: bool = False) -> list[dict[str, Any]]:
        """No case overrides."""
        return []

    def cases(self, quick: bool = False) -> list[Any]:
        """No case files."""
        return []


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------
_FACTORIES: dict[str, Callable[[], Benchmark]] = {}


def register(cls: type[Benchmark]) -> type[Benchmark]:
    """Class decorator: add a benchmark to the registry under ``cls.name``."""
    known = _FACTORIES.get(cls.name)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise ValueError(f"benchmark name {cls.name!r} used by {known.__qualname__} and "
                         f"{cls.__qualname__}")
    _FACTORIES[cls.name] = cls
    return cls


BUILTIN_MODULES = (
    "reproductions.zkappa_void", "reproductions.li_creep_laws",
    "reproductions.pressure_relaxation", "reproductions.stripping_ccs",
    "reproductions.vacancy_ccs", "reproductions.na_stripping",
    "reproductions.void_size_stripping", "reproductions.hold_time_ccs",
    "reproductions.pore_ccs", "reproductions.ccs_predictions",
    "reproductions.li_filled_flaws", "reproductions.crack_plating_current",
    "reproductions.phase_field_griffith", "reproductions.singh_roughness_ccd",
    "reproductions.electrode_edge_cracking", "reproductions.interface_stability",
    "reproductions.phase_field_growth", "reproductions.disc_electrode_edge",
    "reproductions.stack_pressure", "reproductions.single_particle_kinetics",
    "reproductions.particle_crack_site", "reproductions.pybamm_particle_mechanics",
    "reproductions.electrochemical_shock", "reproductions.cathode_contact_loss",
    "reproductions.contact_limited_charge",
    "performance.kernel_throughput", "performance.mechanics", "performance.current",
    "performance.stripping", "performance.parallel_scaling", "performance.sweep_throughput",
    "performance.cracks", "performance.mesh_cache", "performance.mesh_conversion",
    "performance.scaling_3d", "performance.stripping_3d", "performance.contact_solvers",
    "performance.peer_comparison", "performance.particle_polycrystal",
)
"""Modules of ``ssbx.benchmarks`` whose import registers the built-in benchmarks (in this order:
the quick reproductions before the long performance run)."""


def _load_builtin() -> None:
    import importlib

    for module in BUILTIN_MODULES:
        importlib.import_module(f"ssbx.benchmarks.{module}")


def list_benchmarks() -> list[Benchmark]:
    """Every registered benchmark, in registration order."""
    _load_builtin()
    return [factory() for factory in _FACTORIES.values()]


def get_benchmark(name: str) -> Benchmark:
    """The benchmark called ``name``; ``KeyError`` naming the known ones otherwise."""
    _load_builtin()
    try:
        return _FACTORIES[name]()
    except KeyError:
        raise KeyError(f"unknown benchmark {name!r}; known: {', '.join(_FACTORIES)}") from None


def run_benchmark(name: str, comm: MPI.Comm, console: Any, quick: bool,
                  out_dir: Path) -> BenchmarkResult:
    """Run one benchmark on ``comm`` and write its outputs into ``out_dir`` (collective)."""
    return get_benchmark(name).run(comm, console, quick, Path(out_dir))


__all__ = [
    "DATA_DIR",
    "Benchmark",
    "BenchmarkResult",
    "Check",
    "DirectBenchmark",
    "Outcome",
    "csv_text",
    "get_benchmark",
    "list_benchmarks",
    "register",
    "run_benchmark",
    "say",
    "wait_for_root",
]
