"""One case into one run folder: the input copies, the computation, provenance, summary last.

Shared by ``ssbx run``, ``ssbx ccs`` and every case of ``ssbx sweep``, so that a case run by
itself and the same case run inside a sweep write the same folder. Collective over ``comm``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ssbx

if TYPE_CHECKING:  # keeps `ssbx --help` from loading pint
    from ssbx.case import Case

SUMMARY_FORMAT = 1
"""Version of the layout of ``summary.json``."""

COMMANDS = ("run", "ccs")


def resolved_toml(case: Case, source: str) -> str:
    """The resolved case as TOML text (every key, SI units) with a header naming ``source``."""
    import tomli_w

    head = (
        f"# {case.name}: resolved by ssbx {ssbx.__version__} from {source}\n"
        "# (every key, defaults filled in, quantities in SI units)\n\n"
    )
    return head + tomli_w.dumps(case.to_toml_dict())


def execute_case(command: str, case: Case, folder: Any, comm: Any, console: Any = None, *,
                 source: str, input_file: str | Path | None = None,
                 restart: bool = False) -> dict[str, Any]:
    """Run ``case`` (``command``: ``"run"`` or ``"ccs"``) into ``folder``; write
    ``case.input.toml`` (a copy of ``input_file``, if any), ``case.resolved.toml``, the results,
    ``provenance.json`` and, last, ``summary.json``, which is returned. ``restart``: continue an
    interrupted transient run from its last checkpoint (``folder`` opened with ``resume=True``).
    Raises whatever the computation raises; the folder then has no ``summary.json``. Either way
    the folder's lock (:class:`ssbx.io.runfolder.RunFolder`) is released when it returns.
    """
    if command not in COMMANDS:
        raise ValueError(f"command {command!r}: allowed {COMMANDS}")
    try:
        return _execute(command, case, folder, comm, console, source=source,
                        input_file=input_file, restart=restart)
    finally:
        folder.release()  # after summary.json (write_summary released it already) or a failure


def _execute(command: str, case: Case, folder: Any, comm: Any, console: Any, *, source: str,
             input_file: str | Path | None, restart: bool) -> dict[str, Any]:
    """The body of :func:`execute_case`."""
    if input_file is not None:
        folder.copy_file(input_file, "case.input.toml")
    if command == "ccs":
        case = case.for_ccs()  # vacancy transport on unless the case turns it off
    folder.write_text("case.resolved.toml", resolved_toml(case, source))

    if command == "ccs":
        from ssbx.runs.ccs import run_ccs_case

        results = run_ccs_case(case, folder, comm, console)
    else:
        from ssbx.runs.registry import run_case  # here: keeps `ssbx validate` free of dolfinx

        results = run_case(case, folder, comm, console, restart=restart)
    wall = folder.elapsed()
    provenance = folder.write_provenance(wall_time=wall)
    if console is not None:
        console.info(f"done in {wall:.1f} s: {folder.path('summary.json')}")
    summary = {
        "summary_format": SUMMARY_FORMAT,
        "status": "ok",
        "command": command,
        "case": case.name,
        "case_file": source,
        "ssbx_version": ssbx.__version__,
        "ranks": comm.size,
        "restarted": bool(restart),
        "wall_time_s": round(wall, 3),
        "results": {} if results is None else results,
        "provenance": provenance,
    }
    folder.write_summary(summary)
    return summary


__all__ = ["COMMANDS", "SUMMARY_FORMAT", "execute_case", "resolved_toml"]
