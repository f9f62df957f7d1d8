"""Measurement workers of the performance benchmarks, each run in its own ``mpirun -n N`` job:
the launcher, the worker's command line and process information, the machine description.

A benchmark that compares 1 and 2 ranks cannot measure both on the communicator it runs on, so it
launches ``python -m ssbx.benchmarks.entry <module> --worker ...`` under a fresh ``mpirun`` and
reads the
row the worker writes as JSON. The launch works from inside an MPI job too: the variables of the
enclosing job are removed from the child's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def find_mpirun() -> str:
    """``mpirun`` next to the running Python (a venv with the MPICH wheel), else on PATH."""
    local = Path(sys.executable).parent / "mpirun"
    if local.exists():
        return str(local)
    found = shutil.which("mpirun") or shutil.which("mpiexec")
    if not found:
        raise RuntimeError("benchmark workers: no mpirun next to the Python interpreter "
                           f"({local}) nor on PATH")
    return found


def clean_environment() -> dict[str, str]:
    """The environment without the variables of an enclosing MPI job (so that the child
    mpirun starts a job of its own), with one thread per process."""
    prefixes = ("PMI_", "PMIX_", "HYDRA_", "HYDI_", "MPIR_", "MPI_LOCALNRANKS", "MPI_LOCALRANKID",
                "OMPI_", "PRTE_", "SLURM_STEP_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("NUMBA_NUM_THREADS", "1")
    return env


def launch_worker(module: str, ranks: int, args: list[str], out: Path,
                  timeout: float) -> dict[str, Any]:
    """Run ``python -m ssbx.benchmarks.entry <module> --worker <args> --json <out>`` under
    ``mpirun -n ranks`` and return the JSON row it wrote; a failure raises with its output.
    ``module``: the worker's module below ``ssbx.benchmarks`` (``"performance.current"``)."""
    cmd = [find_mpirun(), "-n", str(ranks), sys.executable, "-m", "ssbx.benchmarks.entry",
           module, "--worker", *args, "--json", str(out)]
    proc = subprocess.run(cmd, env=clean_environment(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0 or not out.exists():
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise RuntimeError(f"{module} worker failed (exit {proc.returncode}): "
                           f"{' '.join(cmd)}\n{tail}")
    return json.loads(out.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# the worker side
# --------------------------------------------------------------------------------------------
def worker_arguments(module: str, doc: str | None) -> argparse.ArgumentParser:
    """The command line every worker takes (``--worker --level --json --repeat --no-warmup``);
    a benchmark adds its own options to it."""
    parser = argparse.ArgumentParser(prog=f"python -m ssbx.benchmarks.entry {module}",
                                     description=(doc or "").splitlines()[0] if doc else None)
    parser.add_argument("--worker", action="store_true", required=True,
                        help="run one measurement (launched by the benchmark)")
    parser.add_argument("--level", type=int, required=True)
    parser.add_argument("--json", type=Path, required=True, help="write the row here (rank 0)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="repetitions; the fastest is reported")
    parser.add_argument("--no-warmup", action="store_true")
    return parser


def process_info(comm: Any) -> dict[str, Any]:
    """Peak resident memory summed over the ranks [MiB] and the dolfinx / PETSc versions."""
    import resource

    from mpi4py import MPI
    from petsc4py import PETSc

    import dolfinx

    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    return {
        "memory_peak_MiB": comm.allreduce(rss_mib, op=MPI.SUM),
        "dolfinx_version": dolfinx.__version__,
        "petsc_version": ".".join(str(v) for v in PETSc.Sys.getVersion()),
    }


# --------------------------------------------------------------------------------------------
# the benchmark side
# --------------------------------------------------------------------------------------------
def load_average() -> float:
    """The 1-minute load average (NaN where the platform has none)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def machine_description(first_row: dict[str, Any] | None, load_start: float) -> dict[str, Any]:
    """Cores, platform, Python, the dolfinx / PETSc versions (the workers', from their
    ``first_row``; this process's with ``None``) and the load average at the start and end of a
    benchmark, for its table and result.json."""
    if first_row is None:
        from petsc4py import PETSc

        import dolfinx

        first_row = {"dolfinx_version": dolfinx.__version__,
                     "petsc_version": ".".join(str(v) for v in PETSc.Sys.getVersion())}
    return {
        "CPU cores": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "python": platform.python_version(),
        "dolfinx": first_row.get("dolfinx_version", "?"),
        "PETSc": first_row.get("petsc_version", "?"),
        "load average (1 min) at start/end": f"{load_start:.2f}/{load_average():.2f}",
    }


def ssbx_command() -> list[str]:
    """The ``ssbx`` console script next to the running Python, else on PATH, else
    ``python -m ssbx.cli``: how a benchmark starts ssbx as a user's process."""
    local = Path(sys.executable).parent / "ssbx"
    if local.exists():
        return [str(local)]
    found = shutil.which("ssbx")
    if found:
        return [found]
    return [sys.executable, "-m", "ssbx.cli"]


def run_workers(comm: Any, console: Any, runs: Sequence[Any],
                launch_one: Callable[[Any, Path], dict[str, Any]],
                describe: Callable[[Any, dict[str, Any]], str],
                prefix: str) -> list[dict[str, Any]]:
    """Launch one worker per entry of ``runs`` from rank 0 (``launch_one(run, tmpdir)``), log
    ``describe(run, row)`` for each, and return the rows on rank 0 (``[]`` on the others). An
    error on rank 0 is raised on every rank."""
    from ssbx.benchmarks.framework import on_root, say

    def launch_all() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        say(comm, console, f"  {len(runs)} runs, each its own `mpirun -n 1|2` "
                           f"({find_mpirun()})")
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            for i, run in enumerate(runs):
                t0 = time.perf_counter()
                row = launch_one(run, Path(tmp))
                rows.append(row)
                say(comm, console, f"  [{i + 1}/{len(runs)}] {describe(run, row)} "
                                   f"(process {time.perf_counter() - t0:.1f} s)")
        return rows

    return on_root(comm, launch_all) or []
