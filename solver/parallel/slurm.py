"""Slurm batch scripts for a sweep (``ssbx sweep SWEEP.toml --emit-slurm``).

Two layouts:

* ``array``: one job-array task per case (``#SBATCH --array=0-(N-1)%M``), each ``R`` ranks running
  ``ssbx sweep SWEEP.toml --index $SLURM_ARRAY_TASK_ID``; plus ``collect.slurm``, a one-core job
  to submit with ``--dependency=afterany:<array job id>`` that writes ``results.csv``.
* ``groups``: one job of ``G x R`` ranks running ``srun ssbx sweep SWEEP.toml --ranks-per-case R``
  (groups take the next pending case; the table is written at the end).

Both resubmit safely: complete cases are skipped, interrupted ones rerun or continue from their
checkpoint. The caches (FFCx JIT, numba) are pointed at a shared folder and warmed by the first
case of the job (``--cache-dir``; see docs/CLUSTER.md). With ``container`` every ssbx command runs
as ``apptainer exec --bind <dirs> <image> ssbx ...`` under the host's ``srun`` (hybrid MPI model).
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from pathlib import Path

LAYOUTS = ("array", "groups")


@dataclasses.dataclass
class SlurmOptions:
    """What goes into the batch script. ``time``: ``HH:MM:SS`` or ``D-HH:MM:SS`` per job (array:
    per case). ``max_parallel``: at most this many array tasks at once (0: no limit)."""

    layout: str = "array"
    ranks_per_case: int = 1
    groups: int = 1
    account: str | None = None
    partition: str | None = None
    time: str = "01:00:00"
    max_parallel: int = 0
    memory_per_cpu: str | None = None
    container: str | None = None
    cache_dir: str | None = None
    extra: tuple[str, ...] = ()
    #: how the script calls ssbx outside a container: the CLI passes the interpreter of the
    #: environment that has ssbx (``/path/.venv/bin/python -m ssbx.cli``), so that a batch job
    #: does not depend on ``ssbx`` being on its PATH
    ssbx_command: str = "ssbx"
    #: ``srun --mpi=`` plugin: ``pmi2`` for MPICH (the dolfinx-solver-real wheel), ``pmix`` for
    #: Open MPI builds, ``none`` to leave srun's default
    mpi: str = "pmi2"


_TIME = re.compile(r"^(\d+-)?\d{1,3}:\d{2}:\d{2}$|^\d+$")
_MEMORY = re.compile(r"^\d+[KMGT]?$")
MPI_PLUGINS = ("pmi2", "pmix", "none")


def check_options(options: SlurmOptions) -> list[str]:
    """Problems with ``options`` (empty when fine), naming the option and what is allowed."""
    problems = []
    if options.layout not in LAYOUTS:
        problems.append(f"layout {options.layout!r}: allowed {', '.join(LAYOUTS)}")
    if options.ranks_per_case < 1:
        problems.append(f"--ranks-per-case {options.ranks_per_case}: must be >= 1")
    if options.groups < 1:
        problems.append(f"--groups {options.groups}: must be >= 1")
    if not _TIME.match(options.time):
        problems.append(f"--time {options.time!r}: use HH:MM:SS, D-HH:MM:SS or minutes")
    if options.max_parallel < 0:
        problems.append(f"--max-parallel {options.max_parallel}: must be >= 0")
    if options.memory_per_cpu is not None and not _MEMORY.match(options.memory_per_cpu):
        problems.append(f"--mem-per-cpu {options.memory_per_cpu!r}: use a size in megabytes "
                        "or with a unit K, M, G or T, e.g. 4G")
    if options.mpi not in MPI_PLUGINS:
        problems.append(f"--srun-mpi {options.mpi!r}: allowed {', '.join(MPI_PLUGINS)}")
    return problems


def _srun(options: SlurmOptions) -> str:
    return "srun" if options.mpi == "none" else f"srun --mpi={options.mpi}"


def _ssbx(options: SlurmOptions, workdir: str) -> str:
    if options.container is None:
        return options.ssbx_command
    binds = sorted({workdir} | ({options.cache_dir} if options.cache_dir else set()))
    # Apptainer does not let host variables override ones the image sets (XDG_CACHE_HOME,
    # NUMBA_CACHE_DIR in ours): pass the shared cache folders explicitly.
    env = ("XDG_CACHE_HOME=$XDG_CACHE_HOME,NUMBA_CACHE_DIR=$NUMBA_CACHE_DIR,"
           "SSBX_JIT_TIMEOUT=$SSBX_JIT_TIMEOUT")
    return (f"apptainer exec --bind {shlex.quote(','.join(binds))} --env \"{env}\" "
            f"{shlex.quote(options.container)} ssbx")


def _header(options: SlurmOptions, name: str, ntasks: int, time: str, log: str) -> list[str]:
    lines = ["#!/bin/bash", f"#SBATCH --job-name={name}", f"#SBATCH --ntasks={ntasks}",
             "#SBATCH --cpus-per-task=1", f"#SBATCH --time={time}", f"#SBATCH --output={log}"]
    if options.account:
        lines.append(f"#SBATCH --account={options.account}")
    if options.partition:
        lines.append(f"#SBATCH --partition={options.partition}")
    if options.memory_per_cpu:
        lines.append(f"#SBATCH --mem-per-cpu={options.memory_per_cpu}")
    lines += [f"#SBATCH {e}" for e in options.extra]
    return lines


def _environment(options: SlurmOptions, workdir: str) -> list[str]:
    cache = options.cache_dir or f"{workdir}/.ssbx-cache"
    binds_cache = options.container is not None and options.cache_dir is None
    return [
        "set -euo pipefail",
        f"cd {shlex.quote(workdir)}",
        "# One thread per rank; JIT (FFCx) and numba caches on a shared filesystem, so that a",
        "# form or kernel is compiled once for the whole job (see docs/CLUSTER.md).",
        "export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1",
        # in a container the default cache must lie inside a bound folder (the working dir)
        (f"export XDG_CACHE_HOME={cache}" if binds_cache
         else f"export XDG_CACHE_HOME=${{XDG_CACHE_HOME:-{cache}}}"),
        'export NUMBA_CACHE_DIR="$XDG_CACHE_HOME/numba"',
        'export SSBX_JIT_TIMEOUT=${SSBX_JIT_TIMEOUT:-1800}',
        'mkdir -p "$XDG_CACHE_HOME/fenics" "$NUMBA_CACHE_DIR"',
    ]


def slurm_scripts(sweep_file: str | Path, sweep_name: str, n_cases: int, out: str | Path,
                  options: SlurmOptions, workdir: str | Path) -> dict[str, str]:
    """``{file name: script text}`` for the sweep (``sweep.slurm``, and ``collect.slurm`` for
    the array layout). Paths are written as given, relative to ``workdir``."""
    problems = check_options(options)
    if problems:
        raise ValueError("; ".join(problems))
    workdir = str(workdir)
    ssbx = _ssbx(options, workdir)
    sweep_arg = shlex.quote(str(sweep_file))
    out_arg = f"--out {shlex.quote(str(out))}"
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", sweep_name)[:40] or "ssbx-sweep"
    scripts: dict[str, str] = {}
    if options.layout == "array":
        limit = f"%{options.max_parallel}" if options.max_parallel else ""
        lines = _header(options, name, options.ranks_per_case, options.time,
                        f"{out}/slurm-%A_%a.out")
        lines.insert(2, f"#SBATCH --array=0-{n_cases - 1}{limit}")
        lines += ["", *_environment(options, workdir),
            "",
            f"# case $SLURM_ARRAY_TASK_ID of {n_cases} on {options.ranks_per_case} rank(s); a "
            "complete case is skipped, an interrupted one rerun (or continued from its",
            "# checkpoint), so the array can simply be resubmitted",
            f"{_srun(options)} {ssbx} sweep {sweep_arg} {out_arg} --index "
            "\"$SLURM_ARRAY_TASK_ID\"",
            "",
        ]
        scripts["sweep.slurm"] = "\n".join(lines)
        collect = _header(options, f"{name}-collect", 1, "00:10:00",
                          f"{out}/slurm-collect-%j.out")
        collect += ["", *_environment(options, workdir),
            "",
            "# submit after the array: sbatch --dependency=afterany:<array job id> collect.slurm",
            f"{ssbx} sweep {sweep_arg} {out_arg} --collect",
            "",
        ]
        scripts["collect.slurm"] = "\n".join(collect)
    else:
        ntasks = options.groups * options.ranks_per_case
        lines = _header(options, name, ntasks, options.time, f"{out}/slurm-%j.out")
        lines += ["", *_environment(options, workdir),
            "",
            f"# {options.groups} group(s) of {options.ranks_per_case} rank(s); each group takes "
            "the next pending case. Resubmitting resumes the sweep.",
            f"{_srun(options)} {ssbx} sweep {sweep_arg} {out_arg} --ranks-per-case "
            f"{options.ranks_per_case}",
            "",
        ]
        scripts["sweep.slurm"] = "\n".join(lines)
    return scripts


__all__ = ["LAYOUTS", "MPI_PLUGINS", "SlurmOptions", "check_options", "slurm_scripts"]
