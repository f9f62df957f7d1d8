"""One registry from problem kind (``problem`` of a case) to the run that drives it.

Each runner takes ``(case, folder, comm, console, *, restart, stop_after_checkpoints)``, writes
the run folder's results and returns the summary results; :func:`run_case` picks it by
``case.problem`` and closes (collectively) the problems it created
(:func:`ssbx.problems.lifetime.closing_problems`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mpi4py import MPI

from ssbx.case import Case
from ssbx.problems.lifetime import closing_problems
from ssbx.runs.crack import run_crack_case
from ssbx.runs.current import run_current_case
from ssbx.runs.embedded import run_embedded_case
from ssbx.runs.mechanics import run_mechanics_case
from ssbx.runs.particle import run_particle_case
from ssbx.runs.stack import run_stack_case
from ssbx.runs.stripping import run_stripping_case

Runner = Callable[..., dict[str, Any]]

RUNNERS: dict[str, Runner] = {
    "current_distribution": run_current_case,
    "mechanics": run_mechanics_case,
    "stripping": run_stripping_case,
    "crack": run_crack_case,
    "stack": run_stack_case,
    "particle": run_particle_case,
    "embedded_particle": run_embedded_case,
}
"""problem kind -> run function."""


def run_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
             restart: bool = False, stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Run ``case`` into ``folder`` with the runner of its problem kind; returns the summary
    results (written by the caller, last).

    ``restart`` (transient cases only): continue the run folder (opened with
    ``RunFolder(comm, path, resume=True)``) from its latest checkpoint, see
    :mod:`ssbx.io.checkpoint`; a steady case raises :class:`ssbx.errors.CheckpointError`.
    ``stop_after_checkpoints``: test-only (see the transient run functions).
    """
    runner = RUNNERS[case.problem]
    with closing_problems():
        return runner(case, folder, comm, console, restart=restart,
                      stop_after_checkpoints=stop_after_checkpoints)


__all__ = ["RUNNERS", "run_case"]
