"""The ``ssbx`` command line: ``run``, ``ccs``, ``sweep``, ``mesh``, ``validate``, ``info``,
``cache``, ``schema``, ``bench``.

Every subcommand works unchanged under ``mpirun -n N ssbx ...``: all ranks parse the same
arguments and validate the same case, only rank 0 prints, and an uncaught error on any rank aborts
the whole job (:mod:`ssbx.parallel.mpi_abort`) instead of hanging it. This is the only module that
looks at
``MPI.COMM_WORLD``; everything below it gets the communicator passed in.

Exit codes: 0 success; 1 failure (invalid case, existing run folder, error during a run, failed
benchmark); 2 usage error or dolfinx not importable; 130 interrupted.

PETSc options: everything after a lone ``--`` is handed to PETSc (``petsc4py.init``) before PETSc
is first imported, e.g. ``ssbx run case.toml -- -log_view``. Options of ssbx's own solvers
carry their options prefix (``-ssbx_current_snes_monitor``, see ``ssbx.problems.current``); the
options ssbx sets itself (from ``[solver]`` and ``[solver.petsc]`` of the case) take precedence
over the command line. ``PETSC_OPTIONS`` in the environment works as well.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import ssbx
from ssbx.io.console import ERROR, LEVEL_CHOICES, Console, describe_exception
from ssbx.io.runfolder import record_command_line
from ssbx.parallel.mpi_abort import SerialComm, install_mpi_excepthook
from ssbx.runs.case_runner import SUMMARY_FORMAT

if TYPE_CHECKING:  # the case package loads pint: only where a command needs it
    from ssbx.case import Case

# ----------------------------------------------------------------------------- MPI and PETSc


def world_comm() -> Any:
    """``MPI.COMM_WORLD``, or a serial stand-in where mpi4py is not installed."""
    try:
        from mpi4py import MPI
    except ImportError:
        return SerialComm()
    return MPI.COMM_WORLD


def split_petsc_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ``argv`` at the first ``--``: (ssbx arguments, PETSc options)."""
    argv = list(argv)
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1 :]
    return argv, []


def init_petsc(petsc_args: Sequence[str], console: Console) -> None:
    """Hand ``petsc_args`` to PETSc: ``petsc4py.init(sys.argv[:1] + petsc_args)``.

    Must run before the first ``from petsc4py import PETSc`` (and so before dolfinx is imported);
    does nothing without options.
    """
    if not petsc_args:
        return
    try:
        import petsc4py
    except ImportError as err:
        raise ssbx.DolfinxUnavailable(f"{ssbx.DOLFINX_MISSING} ({err})") from None
    if "petsc4py.PETSc" in sys.modules:
        console.warn(
            "PETSc was already initialised; the options after -- are ignored: "
            + " ".join(petsc_args)
        )
        return
    petsc4py.init(sys.argv[:1] + list(petsc_args))
    console.debug("PETSc options: " + " ".join(petsc_args))


def _need_dolfinx(petsc_args: Sequence[str], console: Console, rank: int = 0) -> None:
    init_petsc(petsc_args, console)
    ssbx.require_dolfinx(rank)


# ----------------------------------------------------------------------------- argument parser


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that prints (help, usage, errors) on rank 0 only."""

    rank = 0

    def _print_message(self, message: str, file: Any = None) -> None:
        if self.rank == 0:
            super()._print_message(message, file)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message and self.rank == 0:
            sys.stderr.write(message)
            sys.stderr.flush()
        raise SystemExit(status)


def build_parser(rank: int = 0) -> argparse.ArgumentParser:
    """The ``ssbx`` argument parser (``rank``: only rank 0 prints help and usage errors)."""
    parser_class = type("SsbxParser", (_Parser,), {"rank": rank})

    common = parser_class(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    common.add_argument(
        "--log-level",
        choices=LEVEL_CHOICES,
        default="info",
        help="screen verbosity (default: info; debug also shows tracebacks)",
    )

    parser = parser_class(
        prog="ssbx",
        description="Finite-element electro-chemo-mechanics of Li-metal / solid-electrolyte "
        "interfaces (DOLFINx).",
        epilog="PETSc options go after a lone '--', e.g. `ssbx run case.toml -- -log_view`. "
        "Under MPI: `mpirun -n 4 ssbx run case.toml`.",
    )
    parser.add_argument("--version", action="store_true", help="print the ssbx version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "run",
        parents=[common],
        help="run a case: mesh, solve, write a run folder",
        description="Validate CASE.toml, mesh and solve it, and write the run folder "
        "(default results/<case name>/). summary.json is written last, only on success.",
    )
    p.add_argument("case", metavar="CASE.toml", help="case file")
    p.add_argument("--out", metavar="DIR", help="run folder (default: results/<case name>)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--overwrite", action="store_true", help="replace the contents of an existing run folder"
    )
    mode.add_argument(
        "--restart",
        action="store_true",
        help="continue an interrupted transient run (mechanics, stripping) in its run folder "
        "from its last checkpoint ([output] checkpoint_every / checkpoint_wall_interval); "
        "works on a different number of ranks",
    )
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser(
        "ccs",
        parents=[common],
        help="critical stripping current of a stripping case (bracketing + bisection)",
        description="Find the largest mean stripping current density for which stripping "
        "[ccs].capacity keeps the contact stable (criteria: [ccs].contact_loss, "
        "[ccs].voltage_rise), by bracketing and geometric bisection from [ccs].lower/upper. "
        "Writes ccs_trials.csv and summary.json (default folder results/<case name>-ccs/).",
    )
    p.add_argument("case", metavar="CASE.toml", help='case file with problem = "stripping"')
    p.add_argument("--out", metavar="DIR", help="run folder (default: results/<case name>-ccs)")
    p.add_argument(
        "--overwrite", action="store_true", help="replace the contents of an existing run folder"
    )
    p.set_defaults(handler=cmd_ccs)

    p = sub.add_parser(
        "sweep",
        parents=[common],
        help="parameter sweep: many cases under one mpirun, or one case per job-array task",
        description="Expand SWEEP.toml (a base case and swept keys: product, zip or Latin "
        "hypercube) into cases, validate all of them, and run the pending ones into "
        "OUT/cases/<case>/ (default OUT: results/<sweep name>). Under `mpirun -n N` the ranks "
        "form N/R groups of --ranks-per-case R ranks; each group takes the next pending case. "
        "Rerunning resumes: complete cases are skipped. OUT/results.csv gets one row per case.",
    )
    p.add_argument("sweep", metavar="SWEEP.toml", help="sweep file")
    p.add_argument("--out", metavar="DIR", help="sweep folder (default: results/<sweep name>)")
    p.add_argument("--ranks-per-case", type=int, default=1, metavar="R",
                   help="ranks per case; must divide the number of ranks (default: 1)")
    p.add_argument("--overwrite", action="store_true",
                   help="start the sweep over (with --index: rerun that case even if complete)")
    p.add_argument("--retry-failed", action="store_true",
                   help="rerun the cases that failed in an earlier run (default: skip them)")
    p.add_argument("--agree-timeout", type=float, default=300.0, metavar="S",
                   help="seconds a rank whose case failed waits for the rest of its group before "
                   "aborting the job (default: %(default)s)")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--index", type=int, metavar="I",
                        help="run only case I (0-based) on all ranks: one job-array task")
    action.add_argument("--list", action="store_true",
                        help="list the cases, their swept values and their state; run nothing")
    action.add_argument("--collect", action="store_true",
                        help="(re)write OUT/results.csv from the case folders; run nothing")
    action.add_argument("--report", action="store_true",
                        help="collect, then plot --y against --x into OUT/report-*.png")
    action.add_argument("--emit-slurm", action="store_true",
                        help="write a Slurm batch script for the sweep into OUT; run nothing")
    p.add_argument("--x", metavar="KEY", help="--report: swept key on the x axis (default: the "
                   "first)")
    p.add_argument("--y", metavar="RESULT", action="append", default=[],
                   help="--report: result column to plot (repeatable)")
    slurm = p.add_argument_group("--emit-slurm options")
    layout = slurm.add_mutually_exclusive_group()
    layout.add_argument("--array", action="store_true",
                        help="a job array, one task of R ranks per case (default)")
    layout.add_argument("--groups", type=int, metavar="G",
                        help="one job of G groups of R ranks instead of an array")
    slurm.add_argument("--account", help="Slurm account")
    slurm.add_argument("--partition", help="Slurm partition")
    slurm.add_argument("--time", default="01:00:00",
                       help="time limit per array task / for the job (default: %(default)s)")
    slurm.add_argument("--max-parallel", type=int, default=0, metavar="M",
                       help="array: at most M tasks at once (default: no limit)")
    slurm.add_argument("--mem-per-cpu", help="Slurm --mem-per-cpu, e.g. 4G")
    slurm.add_argument("--container", metavar="IMAGE.sif",
                       help="run ssbx inside this Apptainer image (host srun launches the ranks)")
    slurm.add_argument("--srun-mpi", default="pmi2", metavar="PLUGIN",
                       help="srun --mpi= plugin: pmi2 (MPICH, the default wheel), pmix (Open "
                       "MPI) or none (srun's default)")
    slurm.add_argument("--cache-dir", metavar="DIR",
                       help="shared folder for the FFCx and numba caches (default: "
                       "<working dir>/.ssbx-cache)")
    p.set_defaults(handler=cmd_sweep)

    p = sub.add_parser(
        "mesh",
        parents=[common],
        help="build the mesh of a case only",
        description="Build the case's mesh and write mesh.msh and mesh.xdmf (+ .h5) with cell "
        "and facet tags (default folder results/<case name>-mesh/); a crack case: the cracked "
        "electrolyte, mesh.xdmf (+ .h5) only.",
    )
    p.add_argument("case", metavar="CASE.toml", help="case file")
    p.add_argument("--out", metavar="DIR", help="output folder (default: results/<case name>-mesh)")
    p.add_argument(
        "--overwrite", action="store_true", help="replace the contents of an existing folder"
    )
    p.set_defaults(handler=cmd_mesh)

    p = sub.add_parser(
        "validate",
        parents=[common],
        help="check case files without running them",
        description="Check case files and report every problem at once (no dolfinx needed).",
    )
    p.add_argument("cases", metavar="CASE.toml", nargs="+", help="case file(s)")
    p.add_argument(
        "--resolved",
        action="store_true",
        help="also print each valid case resolved (all defaults filled in, SI units) as TOML",
    )
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser(
        "info",
        parents=[common],
        help="versions of ssbx and its stack, MPI, cache folders; --citations: parameter sources",
        description="Versions of ssbx and its stack, MPI, cache folders. With --citations: the "
        "provenance records of the built-in material parameters (value, unit, status, BibTeX "
        "key of docs/references.bib and the reference); with a case file only those the case "
        "uses.",
    )
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.add_argument("--citations", action="store_true",
                   help="list the parameter records of the built-in materials and their "
                        "references")
    p.add_argument("case", metavar="CASE.toml", nargs="?",
                   help="with --citations: only the parameters this case uses")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser(
        "cache",
        parents=[common],
        help="the FFCx (JIT) and numba caches: where, how full, stale entries",
        description="Report the FFCx JIT and numba cache folders (path, writable, size, "
        "compiled and pending modules, the owner of each pending one) and the JIT wait "
        "(SSBX_JIT_TIMEOUT). --repair removes the leftovers of killed compiles (a .c without "
        ".c.cached whose owner process on this host is gone, at once; without an owner that can "
        "be checked from here, once unchanged for --older-than seconds), which otherwise make "
        "later jobs wait. Entries whose owner is alive are kept. See docs/CLUSTER.md.",
    )
    p.add_argument("--repair", action="store_true", help="remove stale (dead) FFCx entries")
    p.add_argument("--older-than", type=float, metavar="S",
                   help="--repair: entries without an owner that can be checked from here "
                   "(another host, no owner record) count as dead once unchanged for S seconds "
                   "(default: the JIT timeout; use a small value only when no job is compiling)")
    p.add_argument("--dry-run", action="store_true", help="--repair: list, remove nothing")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=cmd_cache)

    p = sub.add_parser(
        "schema",
        parents=[common],
        help="print the case-file reference",
        description="Print the case-file reference generated from ssbx.case.schema "
        "(docs/case-reference.md is `ssbx schema --markdown`).",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--markdown", action="store_true", help="raw Markdown (for docs)")
    fmt.add_argument("--json", action="store_true", help="the schema as JSON rows")
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("bench", help="benchmarks: published results and performance")
    bench = p.add_subparsers(dest="bench_command", metavar="ACTION")
    b = bench.add_parser("list", parents=[common], help="list the benchmarks")
    b.set_defaults(handler=cmd_bench_list)
    b = bench.add_parser("run", parents=[common], help="run one benchmark or all")
    b.add_argument("name", metavar="NAME|all", help="benchmark name, or 'all'")
    b.add_argument("--quick", action="store_true", help="coarse, fast version")
    b.add_argument(
        "--out",
        metavar="DIR",
        default="bench-results",
        help="output folder, one sub-folder per benchmark (default: %(default)s)",
    )
    b.set_defaults(handler=cmd_bench_run)
    p.set_defaults(handler=_bench_usage(p))
    return parser


def _bench_usage(p: argparse.ArgumentParser) -> Callable[..., int]:
    def handler(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
        p.print_usage(sys.stderr)
        console.error("ssbx bench: choose an action: list, run")
        return 2

    return handler


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ssbx`` console script; returns the exit code."""
    args_in, petsc_args = split_petsc_args(sys.argv[1:] if argv is None else argv)
    record_command_line(sys.argv if argv is None else ["ssbx", *argv])
    comm = world_comm()
    install_mpi_excepthook(comm)
    parser = build_parser(comm.rank)
    try:
        args = parser.parse_args(args_in)
    except SystemExit as stop:  # help, usage errors
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)

    if args.version:
        if comm.rank == 0:
            print(f"ssbx {ssbx.__version__}", flush=True)
        return 0
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2

    console = Console(
        comm, quiet=getattr(args, "quiet", False), level=getattr(args, "log_level", "info")
    )
    console.capture_logging("ssbx")
    if console.quiet:
        # --quiet prints errors only: no Python warnings either (matplotlib's missing-glyph
        # warnings from the plots, deprecation notices of dependencies)
        warnings.simplefilter("ignore")
    try:
        return int(args.handler(args, comm, console, petsc_args))
    except ssbx.DolfinxUnavailable as err:
        console.error(str(err))
        return 2
    except KeyboardInterrupt:
        if comm.size > 1:
            raise
        console.error("interrupted")
        return 130
    except Exception as err:
        from ssbx.io.runfolder import RunFolderError

        if isinstance(err, RunFolderError):  # raised on every rank alike
            console.error(str(err))
            return 1
        if comm.size > 1:  # maybe on this rank only: abort the job (excepthook), never hang
            console.to_log(ERROR, "".join(traceback.format_exception(err)).rstrip())
            raise
        console.exception(err)
        return 1
    finally:
        console.close()


# ----------------------------------------------------------------------------- case loading


def _report_case_error(path: str, err: Any, console: Console) -> None:
    problems = list(getattr(err, "problems", None) or [str(err)])
    if len(problems) == 1 and problems[0].startswith(f"{path}:"):  # unreadable file, TOML syntax
        console.error(problems[0])
        return
    console.error(f"invalid case file {path}:\n" + "\n".join(f"  - {p}" for p in problems))


def _load_case(path: str, console: Console) -> Any:
    """The validated case, or ``None`` after printing every problem (identical on all ranks)."""
    from ssbx.case import load_case
    from ssbx.errors import CaseError

    try:
        case = load_case(path)
    except CaseError as err:
        _report_case_error(path, err, console)
        return None
    for warning in case.warnings:
        console.warn(f"{path}: {warning}")
    return case


def _suffixed(name: str, suffix: str) -> str:
    """``name`` + ``suffix``, unless the name already ends with it (``x-ccs`` stays ``x-ccs``)."""
    return name if name.endswith(suffix) else name + suffix


def _is_sweep_file(path: str) -> bool:
    """Whether ``path`` reads as a sweep file (a top-level ``[sweep]`` table); unreadable files
    are left to the case loader, which reports them."""
    import tomllib

    from ssbx.case.load import InputFileError, read_input_text

    try:
        raw = tomllib.loads(read_input_text(Path(path)))
    except (InputFileError, tomllib.TOMLDecodeError):
        return False
    return isinstance(raw.get("sweep"), dict)


def _resolved_toml(case: Case, source: str) -> str:
    from ssbx.runs.case_runner import resolved_toml

    return resolved_toml(case, source)


# ----------------------------------------------------------------------------- subcommands


def cmd_validate(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx validate``: never imports dolfinx."""
    status = 0
    for path in args.cases:
        if _is_sweep_file(path):
            sweep = _load_sweep(path, console)
            if sweep is None:
                status = 1
                continue
            console.info(f"ok: sweep {sweep.name}: {len(sweep.cases)} cases ({sweep.mode}), "
                         f"each validated" + (f" ({path})" if len(args.cases) > 1 else "")
                         + f"; `ssbx sweep {path} --list` lists them")
            continue
        case = _load_case(path, console)
        if case is None:
            status = 1
            continue
        console.info(f"ok: {case.name}" + (f" ({path})" if len(args.cases) > 1 else ""))
        if args.resolved:
            console.print(_resolved_toml(case, path))
    return status


def cmd_run(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx run``: case → run folder; ``summary.json`` last, only on success. ``--restart``
    continues an interrupted transient run in its folder from the last checkpoint."""
    case = _load_case(args.case, console)
    if case is None:
        return 1
    _need_dolfinx(petsc, console, comm.rank)
    from ssbx.io.runfolder import RunFolder, folder_name
    from ssbx.runs.case_runner import execute_case

    if args.restart:
        if case.problem not in ("mechanics", "stripping"):
            console.error(f'{args.case}: --restart needs a transient case (problem = "mechanics" '
                          f'or "stripping"); this one is "{case.problem}"')
            return 1
        out = args.out if args.out is not None else Path("results") / folder_name(case.name)
        folder = RunFolder(comm, out, resume=True)
    else:
        folder = RunFolder.for_case(comm, case.name, out=args.out, overwrite=args.overwrite)
    console.attach_log(folder.path("run.log"))
    console.info(
        f"ssbx {ssbx.__version__}: case {case.name} ({args.case}) on {comm.size} "
        f"rank{'s' if comm.size != 1 else ''} -> {folder.root}"
        + (" (restart from the last checkpoint)" if args.restart else "")
    )
    if petsc:
        console.info("PETSc options: " + " ".join(petsc))
    execute_case("run", case, folder, comm, console, source=str(args.case),
                 input_file=args.case, restart=args.restart)
    return 0


def cmd_ccs(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx ccs``: critical stripping current search → run folder, summary.json last."""
    case = _load_case(args.case, console)
    if case is None:
        return 1
    if case.problem != "stripping":
        console.error(f'{args.case}: problem = "{case.problem}"; ssbx ccs needs a case with '
                      'problem = "stripping"')
        return 1
    _need_dolfinx(petsc, console, comm.rank)
    from ssbx.io.runfolder import RunFolder, folder_name
    from ssbx.runs.case_runner import execute_case

    out = (args.out if args.out is not None
           else Path("results") / _suffixed(folder_name(case.name), "-ccs"))
    folder = RunFolder(comm, out, overwrite=args.overwrite)
    console.attach_log(folder.path("run.log"))
    console.info(f"ssbx {ssbx.__version__}: critical stripping current of {case.name} "
                 f"({args.case}) on {comm.size} rank(s) -> {folder.root}")
    execute_case("ccs", case, folder, comm, console, source=str(args.case), input_file=args.case)
    return 0


def _load_sweep(path: str, console: Console) -> Any:
    from ssbx.parallel.sweep_spec import SweepError, load_sweep

    try:
        return load_sweep(path)
    except SweepError as err:
        console.error(f"invalid sweep file {path}:\n" + "\n".join(f"  - {p}" for p in err.problems))
        return None


def cmd_sweep(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx sweep``: run, list, collect, report, or emit a Slurm script for a sweep."""
    sweep = _load_sweep(args.sweep, console)
    if sweep is None:
        return 1
    from ssbx.parallel.sweep import case_state, default_root, prepare_root

    root = Path(args.out) if args.out is not None else default_root(sweep)
    if args.list:
        states = {c.index: case_state(root, c) for c in sweep.cases} if comm.rank == 0 else {}
        console.info(f"sweep {sweep.name}: {len(sweep.cases)} cases ({sweep.mode}), command "
                     f"{sweep.command}, folder {root}")
        for c in sweep.cases:
            values = ", ".join(f"{k} = {v}" for k, v in c.values.items())
            console.info(f"  {c.index:4d}  {c.name}  {values}  [{states.get(c.index, '?')}]")
        return 0
    if args.emit_slurm:
        return _emit_slurm(args, sweep, root, comm, console)
    if args.collect or args.report:
        return _collect(args, sweep, root, comm, console)
    # running needs the ranks to split into groups (listing, collecting and emitting do not)
    if args.ranks_per_case < 1 or comm.size % args.ranks_per_case:
        console.error(f"--ranks-per-case {args.ranks_per_case}: must be >= 1 and divide the "
                      f"{comm.size} rank(s) of the job")
        return 2

    _need_dolfinx(petsc, console, comm.rank)
    from ssbx.parallel.sweep import run_single_case, run_sweep
    from ssbx.parallel.sweep_results import write_results_table

    if args.index is not None:
        if not 0 <= args.index < len(sweep.cases):
            console.error(f"--index {args.index}: the sweep has cases 0 .. {len(sweep.cases) - 1}")
            return 2
        root = prepare_root(comm, sweep, root)
        outcome = run_single_case(sweep, args.index, root, comm, console, rerun=args.overwrite,
                                  agree_timeout=args.agree_timeout)
        return 1 if outcome.status == "failed" else 0

    root = prepare_root(comm, sweep, root, overwrite=args.overwrite)
    console.attach_log(root / "sweep.log")
    console.info(f"ssbx {ssbx.__version__}: sweep {sweep.name} ({args.sweep}) on {comm.size} "
                 f"rank(s)")
    report = run_sweep(sweep, root, comm, console, ranks_per_case=args.ranks_per_case,
                       retry_failed=args.retry_failed, agree_timeout=args.agree_timeout)
    table = write_results_table(sweep, root) if comm.rank == 0 else None
    comm.Barrier()
    ok = sum(1 for s in report.states.values() if s == "complete")
    ran = len(report.outcomes)
    console.info(f"sweep {sweep.name}: {ok}/{len(sweep.cases)} cases complete, "
                 f"{len(report.failed)} failed, {len(report.incomplete)} incomplete; ran {ran} "
                 f"now in {report.wall_time:.1f} s ({report.groups} group(s) of "
                 f"{report.ranks_per_case} rank(s), {report.scheduling} scheduling); table: "
                 f"{table if table is not None else root / 'results.csv'}")
    if report.failed:
        console.error("failed cases: " + ", ".join(sweep.cases[i].name for i in report.failed)
                      + " (see cases/<case>/failure.json; --retry-failed reruns them)")
    return 1 if report.failed or report.incomplete else 0


def _collect(args: argparse.Namespace, sweep: Any, root: Path, comm: Any,
             console: Console) -> int:
    from ssbx.parallel.sweep import MANIFEST, prepare_root
    from ssbx.parallel.sweep_results import collect_rows, plot_report, write_results_table

    if comm.rank == 0 and not (root / MANIFEST).is_file():
        console.error(f"{root} holds no sweep (no {MANIFEST}): run the sweep first")
        code = 1
    else:
        code = 0
    if comm.bcast(code, root=0):
        return 1
    root = prepare_root(comm, sweep, root)
    if comm.rank == 0:
        path = write_results_table(sweep, root)
        _, rows = collect_rows(sweep, root)
        counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "failed",
                                                                      "incomplete")}
        console.info(f"{path}: {len(rows)} cases: {counts['ok']} ok, {counts['failed']} failed, "
                     f"{counts['incomplete']} incomplete")
        if args.report:
            if not args.y:
                from ssbx.parallel.sweep_results import read_table

                header, _ = read_table(path)
                console.error("--report needs --y RESULT; columns: " + ", ".join(header))
                code = 2
            else:
                try:
                    for f in plot_report(sweep, root, args.x, args.y):
                        console.info(f"plot: {f}")
                except ValueError as err:
                    console.error(str(err))
                    code = 2
    return int(comm.bcast(code, root=0))


def _emit_slurm(args: argparse.Namespace, sweep: Any, root: Path, comm: Any,
                console: Console) -> int:
    from ssbx.io.runfolder import atomic_write
    from ssbx.parallel.slurm import SlurmOptions, check_options, slurm_scripts

    options = SlurmOptions(
        layout="groups" if args.groups is not None else "array",
        ranks_per_case=args.ranks_per_case,
        groups=args.groups if args.groups is not None else 1, account=args.account,
        partition=args.partition, time=args.time, max_parallel=args.max_parallel,
        memory_per_cpu=args.mem_per_cpu, container=args.container, cache_dir=args.cache_dir,
        ssbx_command=shlex.join([str(Path(sys.executable).absolute()), "-m", "ssbx.cli"]),
        mpi=args.srun_mpi)
    problems = check_options(options)
    if problems:
        console.error("--emit-slurm: " + "; ".join(problems))
        return 2
    if comm.rank == 0:
        scripts = slurm_scripts(args.sweep, sweep.name, len(sweep.cases), root, options,
                                Path.cwd())
        root.mkdir(parents=True, exist_ok=True)
        for name, text in scripts.items():
            atomic_write(root / name, text)
            console.info(f"wrote {root / name}")
        if options.layout == "array":
            console.info(f"submit: jid=$(sbatch --parsable {root / 'sweep.slurm'}) && sbatch "
                         f"--dependency=afterany:$jid {root / 'collect.slurm'}")
        else:
            console.info(f"submit: sbatch {root / 'sweep.slurm'}")
    return 0


def cmd_mesh(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx mesh``: mesh.msh + mesh.xdmf/.h5 (with tags) and the element counts (a crack
    case: the cracked electrolyte, :func:`_mesh_crack`)."""
    case = _load_case(args.case, console)
    if case is None:
        return 1
    if case.problem == "stack":
        console.error(f"case {case.name!r} (problem = \"stack\") is the reduced layered-cell "
                      "model: it has no mesh; run it with `ssbx run`")
        return 1
    _need_dolfinx(petsc, console, comm.rank)
    from ssbx.io.runfolder import RunFolder, folder_name
    from ssbx.meshes.cell import build_cell_mesh, mesh_statistics, write_cell_mesh_xdmf

    out = (args.out if args.out is not None
           else Path("results") / _suffixed(folder_name(case.name), "-mesh"))
    folder = RunFolder(comm, out, overwrite=args.overwrite)
    console.attach_log(folder.path("run.log"))
    console.info(f"meshing case {case.name} ({args.case}) on {comm.size} rank(s) -> {folder.root}")
    folder.write_text("case.resolved.toml", _resolved_toml(case, args.case))
    files = ["mesh.xdmf", "mesh.h5"]
    msh_path = folder.path("mesh.msh")
    if case.problem == "crack":
        return _mesh_crack(args, case, comm, console, folder, files)
    if case.problem == "stripping":
        from ssbx.meshes.flat_cell import build_stripping_mesh

        cell_mesh = build_stripping_mesh(comm, case.geometry, case.mesh, msh_path=msh_path)
    else:
        cell_mesh = build_cell_mesh(comm, case.geometry, case.mesh, msh_path=msh_path)
    if case.problem != "stripping" or case.geometry.explicit_voids:  # a Gmsh mesh was made
        files.insert(0, "mesh.msh")
    write_cell_mesh_xdmf(cell_mesh, folder.path("mesh.xdmf"))
    stats = mesh_statistics(cell_mesh)
    return _finish_mesh(args, case, comm, console, folder, {"mesh": stats, "files": files})


def _finish_mesh(args: argparse.Namespace, case: Case, comm: Any, console: Console,
                 folder: Any, results: dict[str, Any]) -> int:
    """Report ``results["mesh"]`` (the statistics) on the console, then write provenance and,
    last, the summary of ``ssbx mesh``."""
    for line in _mesh_lines(results["mesh"]):
        console.info(line)
    wall = folder.elapsed()
    provenance = folder.write_provenance(wall_time=wall)
    folder.write_summary(
        {
            "summary_format": SUMMARY_FORMAT,
            "status": "ok",
            "command": "mesh",
            "case": case.name,
            "case_file": str(args.case),
            "ssbx_version": ssbx.__version__,
            "ranks": comm.size,
            "wall_time_s": round(wall, 3),
            "results": results,
            "provenance": provenance,
        }
    )
    return 0


def _mesh_crack(args: argparse.Namespace, case: Case, comm: Any, console: Console,
                folder: Any, files: list[str]) -> int:
    """``ssbx mesh`` of a crack case: the cracked electrolyte (:func:`ssbx.meshes.cracks.
    build_crack_mesh` with the case's crack and sizes) into mesh.xdmf/.h5 with its cell and
    facet tags (:class:`ssbx.meshes.tags.CrackTag`), and the summary."""
    import types

    from ssbx.meshes.cell import mesh_statistics, write_cell_mesh_xdmf
    from ssbx.meshes.cracks import build_crack_mesh
    from ssbx.setup import crack_sizes_of, crack_spec_of

    spec = crack_spec_of(case)
    crack_mesh = build_crack_mesh(comm, spec, crack_sizes_of(case))
    # the writer and the statistics take the mesh, its tags and communicator of a cell mesh;
    # a cracked electrolyte is all electrolyte
    write_cell_mesh_xdmf(crack_mesh, folder.path("mesh.xdmf"))  # type: ignore[arg-type]
    stats = mesh_statistics(types.SimpleNamespace(  # type: ignore[arg-type]
        comm=comm, mesh=crack_mesh.mesh, num_cells_electrolyte=crack_mesh.num_cells,
        num_cells_lithium=0))
    console.info(f"{spec.kind} crack, {len(crack_mesh.tips)} tip(s)")
    return _finish_mesh(args, case, comm, console, folder, {
        "mesh": stats, "crack": {"kind": spec.kind, "tips": len(crack_mesh.tips)},
        "files": files})


def _mesh_lines(stats: dict[str, Any]) -> list[str]:
    def get(key: str) -> Any:
        return stats.get(key, "?")

    lines = [
        f"cells: {get('num_cells')} (electrolyte {get('num_cells_electrolyte')}, "
        f"lithium {get('num_cells_lithium')}), vertices: {get('num_vertices')}"
    ]
    try:
        lines.append(
            f"cell size: {stats['h_min'] * 1e6:.4g} .. {stats['h_max'] * 1e6:.4g} um, "
            f"minimum quality {stats['quality_min']:.3f}"
        )
    except (KeyError, TypeError, ValueError):
        pass
    return lines


def cache_dirs() -> dict[str, str]:
    """Where FFCx/dolfinx and numba cache compiled code (from the environment)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    numba = os.environ.get("NUMBA_CACHE_DIR")
    return {
        "fenics_cache": str(base / "fenics"),
        "XDG_CACHE_HOME": xdg or "(unset: ~/.cache)",
        "NUMBA_CACHE_DIR": numba or "(unset: __pycache__ next to the sources)",
    }


def cmd_info(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx info``: versions, MPI, caches. Works without dolfinx (says what is missing).
    ``--citations [CASE.toml]``: the parameter records (:func:`cmd_citations`)."""
    if args.citations:
        return cmd_citations(args, comm, console, petsc)
    if args.case:
        console.error("a case file goes with --citations (ssbx info --citations CASE.toml)")
        return 2
    problem = None
    try:
        _need_dolfinx(petsc, console, comm.rank)
    except ssbx.DolfinxUnavailable as err:
        problem = str(err)
    from ssbx.io.runfolder import git_info, software_versions

    versions = software_versions()  # every rank: the first PETSc import is collective
    git = git_info() if comm.rank == 0 else {}
    hosts = comm.gather(_hostname(), root=0)
    caches = cache_dirs()
    if args.json:
        payload = {
            "versions": versions,
            "git": git,
            "ranks": comm.size,
            "hosts": sorted(set(hosts or [])),
            "caches": caches,
            "source": str(Path(ssbx.__file__).resolve().parent),
            "dolfinx_problem": problem,
        }
        console.print(json.dumps(payload, indent=2))
        return 0

    def v(key: str) -> str:
        value = versions.get(key)
        return "not importable" if value is None else str(value)

    commit = git.get("commit", "unknown")
    if git.get("dirty"):
        commit += " (modified)"
    lines = [
        f"ssbx: {ssbx.__version__} ({Path(ssbx.__file__).resolve().parent}, commit {commit})",
        f"python: {v('python')} ({sys.executable})",
        f"dolfinx: {v('dolfinx')}",
        f"basix: {v('basix')}",
        f"ffcx: {v('ffcx')}",
        f"ufl: {v('ufl')}",
        f"PETSc: {v('petsc')}"
        + (
            f" (scalar {versions['petsc_scalar_type']}, int {versions['petsc_int_type']})"
            if versions.get("petsc")
            else ""
        ),
        f"petsc4py: {v('petsc4py')}",
        f"mpi4py: {v('mpi4py')}",
        f"MPI library: {v('mpi_library')}",
        f"ranks: {comm.size}",
        f"hosts: {', '.join(sorted(set(hosts or [])))}",
        f"FFCx/dolfinx JIT cache: {caches['fenics_cache']}"
        f" (XDG_CACHE_HOME={caches['XDG_CACHE_HOME']})",
        f"numba cache: NUMBA_CACHE_DIR={caches['NUMBA_CACHE_DIR']}",
    ]
    if versions.get("dolfinx_solver_wheel"):
        lines.insert(3, f"dolfinx-solver wheel: {versions['dolfinx_solver_wheel']}")
    for line in lines:
        console.info(line)
    if problem:
        console.warn(problem)
    return 0


def references_path() -> Path:
    """``docs/references.bib`` of the source tree ssbx runs from."""
    return Path(ssbx.__file__).resolve().parents[1] / "docs" / "references.bib"


def _stack_parameter_groups(case: Case, metal: Any) -> dict[str, Any]:
    """The records a stack case uses: the anode metal's molar volume, elastic constants and
    creep law (its metal layers), and the elastic constants of the electrolyte presets its
    elastic layers name (the other layer constants are the case file's)."""
    from ssbx.physics.catalogue import metal_group
    from ssbx.physics.electrolytes import electrolyte_preset

    groups: dict[str, Any] = {}
    kinds = {layer.kind for layer in case.stack.layers}
    if "metal" in kinds:
        label = metal_group(metal.name)
        groups[f"{label}: molar volume"] = tuple(
            p for p in metal.parameters if p.name == "molar_volume")
        groups[f"{label}: elastic constants"] = metal.elastic.parameters
        groups[f"{label}: creep"] = metal.creep.parameters
    for layer in case.stack.layers:
        if layer.kind == "elastic" and layer.material:
            groups[f"electrolyte {layer.material}: elastic constants (layer {layer.name})"] = \
                electrolyte_preset(layer.material).elastic.parameters
    return groups


def _case_parameter_groups(case: Case) -> dict[str, Any]:
    """The parameter records of what ``case`` uses, by group: the electrolyte conductivity of
    the case file, the anode metal's molar volume, for mechanics and stripping problems the
    elastic constants and the creep law (:func:`ssbx.setup.materials_of`, case overrides as
    ``"input"`` records), for stripping problems with vacancy transport the vacancy data
    (:func:`ssbx.setup.vacancy_settings`; ``ssbx ccs`` turns it on unless the case turns it
    off); for crack problems the electrolyte's elastic constants and fracture toughness (with
    ``crack.plating_current`` the conductivity and the metal's resistivity, with
    ``crack.extrusion`` the creep law)."""
    from ssbx.meshes.tags import CellTag
    from ssbx.physics.catalogue import STRENGTH_GROUP, metal_group
    from ssbx.physics.creep_laws import XU_2017_PARAMETERS
    from ssbx.physics.parameters import Parameter, with_input
    from ssbx.physics.vacancy import DISLOCATION_DENSITY_PARAMETER
    from ssbx.setup import anode_metal_of, materials_of, vacancy_settings

    e = case.electrolyte
    metal = anode_metal_of(case)
    groups: dict[str, Any] = {}
    if case.problem == "stack":
        return _stack_parameter_groups(case, metal)
    if case.problem in ("embedded_particle", "particle"):
        return _particle_parameter_groups(case)
    if case.problem != "crack" or case.crack.plating_current is not None:
        groups[f"electrolyte {e.material}: conductivity (case file)"] = (
            Parameter("conductivity", e.conductivity, "S/m", "", "input",
                      "electrolyte.conductivity"),
            Parameter("activation_energy", e.activation_energy, "J/mol", "", "input",
                      "electrolyte.activation_energy"),
            Parameter("reference_temperature", e.reference_temperature, "K", "", "input",
                      "electrolyte.reference_temperature"))
    groups[f"{metal_group(metal.name)}: molar volume"] = tuple(
        p for p in metal.parameters if p.name == "molar_volume")
    if case.problem == "crack":
        groups.update(_crack_parameter_groups(case))
        if case.crack.plating_current is not None:
            groups[f"{metal_group(metal.name)}: resistivity (the Li in the crack)"] = tuple(
                p for p in metal.parameters if p.name == "resistivity")
    if case.problem in ("mechanics", "stripping"):
        materials, creep = materials_of(case)
        li, se = materials[int(CellTag.LITHIUM)], materials[int(CellTag.ELECTROLYTE)]
        groups[f"{metal_group(metal.name)}: elastic constants"] = li.parameters
        law = creep.get(int(CellTag.LITHIUM))
        if law is not None:
            groups[f"{metal_group(metal.name)}: creep ({case.mechanics.li_model})"] = \
                law.parameters
        if case.mechanics.strength_size is not None:
            groups[STRENGTH_GROUP] = XU_2017_PARAMETERS
        groups[f"electrolyte {se.name}: elastic constants "
               f"(mechanics.electrolyte_preset)"] = se.parameters
    if case.problem == "stripping" and case.vacancy.enabled is not False:
        vs = vacancy_settings(case.for_ccs())
        label = f"{metal_group(metal.name)}: vacancy data"
        if case.vacancy.enabled is None:
            label += " (ssbx ccs; ssbx run with vacancy.enabled = true)"
        groups[label] = (*vs.material.parameters, *vs.parameters, *with_input(
            (DISLOCATION_DENSITY_PARAMETER,), "dislocation_density", vs.dislocation_density,
            "1/m^2", "vacancy.dislocation_density"))
    return groups


def _particle_parameter_groups(case: Case) -> dict[str, Any]:
    """The records a particle case uses (its host's diffusivity, concentration, molar volume
    and elastic constants), or an embedded-particle case (the particle's and the
    electrolyte's elastic constants, and with ``charge_by = "diffusion"`` the particle's
    diffusivity); case overrides as ``"input"`` records."""
    from ssbx.physics.intercalation_materials import NMC811_DIFFUSIVITY
    from ssbx.physics.parameters import with_input
    from ssbx.setup import embedded_materials_of, particle_material_of

    if case.problem == "particle":
        host = particle_material_of(case)
        return {f"particle {host.name}": host.parameters,
                f"particle {host.name}: elastic constants": host.elastic.parameters}
    particle, matrix = embedded_materials_of(case)
    groups: dict[str, Any] = {
        "embedded particle: elastic constants": particle.parameters,
        f"electrolyte {matrix.name}: elastic constants (embedded.electrolyte)":
            matrix.parameters,
    }
    e = case.embedded
    if e.charge_by == "diffusion":
        groups["embedded particle: diffusivity"] = with_input(
            (NMC811_DIFFUSIVITY,), "diffusivity", e.diffusivity, "m^2/s",
            "embedded.diffusivity")
    return groups


def _crack_parameter_groups(case: Case) -> dict[str, Any]:
    """The parameter records a crack case uses besides the molar volume: the electrolyte's
    elastic constants and fracture toughness, and the anode metal's creep law of
    ``crack.extrusion`` (the size- and rate-dependent law's records for ``size_dependent*``)."""
    from ssbx.physics.catalogue import metal_group
    from ssbx.physics.creep_laws import LI_SIZE_RATE_PARAMETERS, XU_2017_PARAMETERS
    from ssbx.setup import (
        anode_metal_of,
        electrolyte_material_of,
        fracture_toughness_records_of,
    )

    se = electrolyte_material_of(case)
    groups: dict[str, Any] = {
        f"electrolyte {se.name}: elastic constants (mechanics.electrolyte_preset)":
            se.parameters,
        f"electrolyte {se.name}: fracture toughness (mechanics.electrolyte_preset)":
            fracture_toughness_records_of(case),
    }
    extrusion = case.crack.extrusion
    if case.crack.plating_current is None or extrusion == "none":
        return groups
    metal = anode_metal_of(case)
    groups[f"{metal_group(metal.name)}: creep (crack.extrusion = \"{extrusion}\")"] = \
        metal.creep.parameters
    strength = "Li size- and rate-dependent flow (crack.extrusion)"
    if extrusion == "size_dependent_dislocation":
        groups[strength] = XU_2017_PARAMETERS
    elif extrusion == "size_dependent":
        diffusion = tuple(p for p in metal.vacancy.material.parameters
                          if p.name in ("self_diffusion_ref", "self_diffusion_activation",
                                        "reference_temperature"))
        groups[strength] = (*LI_SIZE_RATE_PARAMETERS, *diffusion)
    return groups


def cmd_citations(args: argparse.Namespace, comm: Any, console: Console,
                  petsc: list[str]) -> int:
    """``ssbx info --citations [CASE.toml]``: name, value, unit, status and citation of every
    parameter record of the built-in materials (anode metals, creep laws, vacancy data,
    electrolytes), or of those a case uses, then the references they cite (formatted from
    ``docs/references.bib``). Needs dolfinx only with a case of a mechanics or stripping
    problem."""
    from ssbx.physics.parameters import (
        STATUSES,
        citation_keys,
        format_reference,
        parameter_rows,
        read_bibtex,
    )

    if args.case:
        case = _load_case(args.case, console)
        if case is None:
            return 1
        groups = _case_parameter_groups(case)
        title = f"parameter records of case {case.name} ({args.case})"
    else:
        from ssbx.physics.catalogue import builtin_parameters

        groups = builtin_parameters()
        title = "parameter records of the built-in materials"
    path = references_path()
    try:
        bib = read_bibtex(path.read_text(encoding="utf-8"))
    except OSError:
        bib = {}
        console.warn(f"{path} not found: references printed as keys only")
    keys = sorted(citation_keys(p for params in groups.values() for p in params))
    references = {k: format_reference(bib[k]) if k in bib else "(not in references.bib)"
                  for k in keys}
    rows = parameter_rows(groups)
    if args.json:
        for row in rows:
            row["reference"] = references.get(str(row["citation"]), "")
        console.print(json.dumps({"records": rows, "references": references,
                                  "statuses": STATUSES}, indent=2))
        return 0
    lines = [f"{title} (status: docs/physics.md, section 8; references: {path})"]
    for label, params in groups.items():
        lines.append("")
        lines.append(label)
        for p in params:
            lines.append(f"  {p.name:<26} {p.value:<12.6g} {p.unit:<12} {p.status:<9} "
                         f"{p.citation or '-'}")
    lines += ["", "references"]
    lines += [f"  [{k}] {text}" for k, text in references.items()]
    console.print("\n".join(lines))
    return 0


def cmd_cache(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx cache``: report (and repair) the JIT and numba caches; rank 0 does the work."""
    from ssbx.parallel.jit_cache import cache_report, repair_stale_entries

    if comm.rank != 0:
        return 0
    removed = []
    if args.repair:
        removed = repair_stale_entries(older_than_s=args.older_than, dry_run=args.dry_run)
    report = cache_report()
    if args.json:
        report["repaired"] = [str(p) for p in removed]
        console.print(json.dumps(report, indent=2, default=str))
        return 0
    f, n = report["ffcx"], report["numba"]
    console.info(f"FFCx JIT cache: {f['path']} ({'writable' if f['writable'] else 'NOT writable'}"
                 f"; {f['modules']} compiled modules, {f['pending']} compiling or dead, "
                 f"{f['stale']} stale; {f['bytes'] / 1e6:.1f} MB)")
    console.info(f"JIT wait for another process's compile: {report['jit_timeout_s']} s "
                 f"({report['jit_timeout_source']}); entries unchanged for "
                 f"{report['stale_after_s']:.0f} s count as dead; self-healing "
                 f"{'on' if report['self_heal'] else 'off'}")
    for entry in f.get("pending_entries", []):
        owner = entry["owner"] or "no owner record"
        verdict = "stale" if entry["stale"] else "kept"
        console.info(f"  pending {entry['module']}: {owner} ({entry['owner_state']}), unchanged "
                     f"for {entry['age_s']:.0f} s: {verdict}")
    console.info(f"numba cache: {n['path']} ({'writable' if n['writable'] else 'NOT writable'}; "
                 f"{n['files']} files, {n['bytes'] / 1e6:.1f} MB; NUMBA_CACHE_DIR="
                 f"{n['env'] or '(unset)'})" + (f"; {n['error']}" if n.get("error") else ""))
    if args.repair:
        verb = "would remove" if args.dry_run else "removed"
        console.info(f"{verb} {len(removed)} file(s) of dead compiles"
                     + "".join(f"\n  {p}" for p in removed))
    return 0


def _hostname() -> str:
    import socket

    return socket.gethostname()


def cmd_schema(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx schema``: the case reference from :mod:`ssbx.case.schema`."""
    from ssbx.case import schema

    if args.json:
        console.print(json.dumps(schema.schema_rows(), indent=2, default=str))
        return 0
    text = schema.schema_markdown()
    if not args.markdown and console.active and sys.stdout.isatty() and not console.quiet:
        from rich.console import Console as RichConsole
        from rich.markdown import Markdown

        RichConsole().print(Markdown(text))
        return 0
    console.print(text)
    return 0


def _framework() -> Any:
    try:
        from ssbx.benchmarks import framework
    except ImportError as err:
        raise RuntimeError(f"the benchmark framework cannot be imported: {err}") from err
    return framework


def cmd_bench_list(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx bench list``."""
    benchmarks = list(_framework().list_benchmarks())
    if not benchmarks:
        console.info("no benchmarks registered")
        return 0
    width = max(len(b.name) for b in benchmarks)
    for b in benchmarks:
        console.info(f"{b.name:<{width}}  {b.title}  [{b.source}]")
    return 0


def cmd_bench_run(args: argparse.Namespace, comm: Any, console: Console, petsc: list[str]) -> int:
    """``ssbx bench run NAME|all``: each benchmark into ``<out>/<name>/``; exit 0 only if all
    ran and passed."""
    framework = _framework()
    known = [b.name for b in framework.list_benchmarks()]
    if args.name == "all":
        names = known
    elif args.name in known:
        names = [args.name]
    else:
        console.error(f"unknown benchmark {args.name!r}; known: {', '.join(known) or '(none)'}")
        return 1
    _need_dolfinx(petsc, console, comm.rank)
    out = Path(args.out)
    failed: list[str] = []
    for name in names:
        try:
            result = framework.run_benchmark(
                name, comm, console, quick=args.quick, out_dir=out / name
            )
        except Exception as err:
            if comm.size > 1:  # possibly on one rank only: abort rather than hang
                raise
            console.error(f"benchmark {name} did not complete: {describe_exception(err)}")
            console.debug("".join(traceback.format_exception(err)).rstrip())
            failed.append(name)
            continue
        if not result.passed:
            console.error(f"benchmark failed: {result.summary}")
            failed.append(name)
    n_ok = len(names) - len(failed)
    console.info(
        f"{n_ok}/{len(names)} benchmark{'s' if len(names) != 1 else ''} passed"
        + (f"; failed: {', '.join(failed)}" if failed else "")
        + f" (results in {out})"
    )
    return 1 if failed else 0

