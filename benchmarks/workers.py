"""Measurement workers of the performance benchmarks, each run in its own ``mpirun -n N`` job.

A benchmark that compares 1 and 2 ranks cannot measure both on the communicator it runs on, so it
launches ``python -m ssbx.benchmarks.<module> --worker ...`` under a fresh ``mpirun`` and reads the
row the worker writes as JSON. The launch works from inside an MPI job too: the variables of the
enclosing job are removed from the child's environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
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
    """Run ``python -m ssbx.benchmarks.<module> --worker <args> --json <out>`` under
    ``mpirun -n ranks`` and return the JSON row it wrote; a failure raises with its output."""
    cmd = [find_mpirun(), "-n", str(ranks), sys.executable, "-m", f"ssbx.benchmarks.{module}",
           "--worker", *args, "--json", str(out)]
    proc = subprocess.run(cmd, env=clean_environment(), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0 or not out.exists():
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise RuntimeError(f"{module} worker failed (exit {proc.returncode}): "
                           f"{' '.join(cmd)}\n{tail}")
    return json.loads(out.read_text(encoding="utf-8"))
