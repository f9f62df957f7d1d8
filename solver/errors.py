"""The errors ssbx raises, in one place (no dolfinx, no MPI).

Two families:

- :class:`CaseError`: bad input, found before any mesh or solver is built; it names every key,
  the value given and what is allowed.
- :class:`CollectiveError`: a solver or run failure that every rank of the communicator meets at
  the same point (a diverged Newton solve, a time integration that gave up, a checkpoint that
  could not be written). :func:`ssbx.problems.lifetime.closing_problems` closes the problems of a
  block (collectively) when one of these ends it; any other error may be on one rank only and
  leaves them to the MPI excepthook (:mod:`ssbx.parallel.mpi_abort`).

Every solver error inherits :class:`SsbxError`; the subclasses keep the builtin base they had
(``RuntimeError`` or ``ValueError``) so that callers catching those still work.
"""

from __future__ import annotations

from typing import Any


class SsbxError(Exception):
    """Base class of every error raised by ssbx itself."""


class CaseError(SsbxError, ValueError):
    """An invalid case: ``problems`` lists every problem found, one message each.

    Each message names the key (dotted path, e.g. ``geometry.voids[1].width``), the value given
    and what is allowed. ``source`` is the case file, when there is one.
    """

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        what = f"{n} problem{'s' if n != 1 else ''}"
        head = f"{self.source}: {what} in the case file" if self.source else f"{what} in the case"
        return "\n".join([head + ":", *(f"  - {p}" for p in self.problems)])


class CollectiveError(SsbxError, RuntimeError):
    """Raised identically on every rank: the problems of the failing block may be closed
    collectively (:func:`ssbx.problems.lifetime.closing_problems`)."""


class SolverDivergedError(CollectiveError):
    """SNES did not converge; the message names the reason and the residual history."""


class MechanicsSolverError(SsbxError, RuntimeError):
    """A mechanics solve or time integration failed; the message says where and why."""


class UnsupportedConditionError(SsbxError, ValueError):
    """A boundary condition this stack cannot impose (periodic sides: no dolfinx_mpc)."""


class TimeSteppingError(MechanicsSolverError, CollectiveError):
    """:func:`ssbx.problems.mechanics.run_quasistatic` gave up. ``history`` holds the accepted
    steps (:class:`ssbx.problems.mechanics.StepResult`) until then."""

    def __init__(self, message: str, history: list[Any]) -> None:
        super().__init__(message)
        self.history = history


class StrippingError(CollectiveError):
    """The stripping problem could not be set up or advanced; the message says why."""


class VacancySolveError(SsbxError, RuntimeError):
    """The linear solve of a vacancy step failed; the message names the KSP reason."""


class CheckpointError(CollectiveError):
    """A checkpoint could not be written or read; raised identically on every rank."""


class RunInterrupted(CollectiveError):
    """Test-only: a run stopped on purpose after writing its n-th checkpoint
    (``stop_after_checkpoints``); the run folder is left without ``summary.json``."""
