"""End an MPI job when one rank dies of an uncaught exception.

Once PETSc is loaded, an exception on one rank leaves the others waiting forever in the next
collective call (and mpi4py's ``MPI_Finalize`` at exit waits too). :func:`install_mpi_excepthook`
replaces :data:`sys.excepthook` with one that prints the traceback, every line tagged with the
rank, and then calls ``comm.Abort(1)``, which ends every process of the job; ``mpirun`` then exits
non-zero. In serial (``comm.size == 1``) nothing is installed and Python behaves as usual.

So that a failure that happens on *every* rank (the usual case for a collective error) prints one
traceback rather than one per rank, rank 0 aborts at once and the other ranks wait
:data:`NONZERO_RANK_DELAY` seconds before printing: if rank 0 failed too, its abort ends them
first. A failure on a non-zero rank only is reported by that rank after the delay.

:class:`SerialComm` is a stand-in communicator for environments without mpi4py (``ssbx validate``
and ``ssbx schema`` must work there).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

#: Seconds a non-zero rank waits before reporting, so that rank 0's report wins when all fail.
NONZERO_RANK_DELAY = 1.0

#: Seconds between printing the report and aborting, so that mpirun forwards the report.
STDIO_FORWARD_DELAY = 0.5

_previous_hook: Callable[..., Any] | None = None


def format_rank_tagged(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    rank: int,
    size: int,
) -> str:
    """The traceback of an exception with every line prefixed by ``[rank r/size]``."""
    tag = f"[rank {rank}/{size}] "
    lines = "".join(traceback.format_exception(exc_type, exc, tb)).splitlines()
    lines.append(f"uncaught {exc_type.__name__} on rank {rank}: aborting all {size} ranks")
    return "".join(tag + line + "\n" for line in lines)


def install_mpi_excepthook(comm: Any, *, delay: float = NONZERO_RANK_DELAY) -> bool:
    """Make an uncaught exception on any rank of ``comm`` abort the whole job.

    Returns ``True`` if the hook was installed, ``False`` in serial (``comm.size == 1``), where
    :data:`sys.excepthook` is left alone. Installing twice keeps the first hook's behaviour
    (the communicator and delay of the latest call are used). Undo with
    :func:`uninstall_mpi_excepthook`.
    """
    global _previous_hook
    size = int(comm.size if hasattr(comm, "size") else comm.Get_size())
    if size <= 1:
        return False
    rank = int(comm.rank if hasattr(comm, "rank") else comm.Get_rank())

    def _abort_hook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        try:
            if rank != 0 and delay > 0:
                time.sleep(delay)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            sys.stderr.write(format_rank_tagged(exc_type, exc, tb, rank, size))
            sys.stderr.flush()
            # mpirun forwards each rank's output through its proxies; an immediate abort can
            # kill them before the report has been forwarded (seen on a loaded machine)
            time.sleep(STDIO_FORWARD_DELAY)
        except BaseException:  # never let reporting stop the abort
            pass
        finally:
            try:
                comm.Abort(1)
            finally:  # Abort does not return; if it ever did, do not hang in MPI_Finalize
                os._exit(1)

    _abort_hook.ssbx_mpi_abort = True  # type: ignore[attr-defined]
    if not getattr(sys.excepthook, "ssbx_mpi_abort", False):
        _previous_hook = sys.excepthook
    sys.excepthook = _abort_hook
    return True


def uninstall_mpi_excepthook() -> None:
    """Restore the exception hook that was active before :func:`install_mpi_excepthook`."""
    global _previous_hook
    if getattr(sys.excepthook, "ssbx_mpi_abort", False):
        sys.excepthook = _previous_hook or sys.__excepthook__
    _previous_hook = None


class SerialComm:
    """The few communicator methods ssbx uses, for one process without mpi4py."""

    rank = 0
    size = 1

    def Get_rank(self) -> int:
        """The rank of this process: 0."""
        return 0

    def Get_size(self) -> int:
        """The number of processes: 1."""
        return 1

    def bcast(self, obj: Any, root: int = 0) -> Any:
        """``obj`` itself."""
        return obj

    def gather(self, obj: Any, root: int = 0) -> list[Any]:
        """``[obj]``."""
        return [obj]

    def allgather(self, obj: Any) -> list[Any]:
        """``[obj]``."""
        return [obj]

    def allreduce(self, obj: Any, op: Any = None) -> Any:
        """``obj`` itself (a reduction over one process)."""
        return obj

    def barrier(self) -> None:
        """Nothing to wait for."""
        return None

    Barrier = barrier

    def Abort(self, errorcode: int = 0) -> None:
        """End the process at once with exit status ``errorcode``."""
        os._exit(errorcode)
