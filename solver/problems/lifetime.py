"""Deterministic destruction of solver objects under MPI.

Destroying a parallel PETSc object (a MUMPS factorisation, a communicator) is collective. dolfinx
destroys a problem's PETSc objects in ``__del__``, that is whenever the last Python reference
goes, which can happen at different points on different ranks (one rank still holds a reference
in a traceback or a rank-0-only structure): the job then hangs in the destroy. Problems that
own solvers register themselves here (:func:`track`), and :func:`closing_problems` closes the
ones created inside it, in creation order, on every rank at the same point: when its block ends
normally or with one of the errors ssbx raises on every rank alike
(:class:`ssbx.errors.CollectiveError`).
Any other error leaves them alone (it may be on one rank only: closing would hang that rank,
while ssbx's MPI excepthook is about to abort the job).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

from ssbx.errors import CollectiveError

_live: list[Any] = []  # problems (inside a closing_problems block) or weak references
_depth = [0]  # nesting of closing_problems blocks


def track(problem: Any) -> None:
    """Register ``problem`` (an object with a collective ``close()``). Inside a
    :func:`closing_problems` block it is held (strongly) until the block closes it: its last
    reference must not go earlier on one rank than on another (dolfinx's ``__del__`` would then
    destroy its solvers on that rank alone, in another order: a hang, seen when a rank-0-only
    plot ran the garbage collector)."""
    _live.append(problem if _depth[0] else weakref.ref(problem))


@contextlib.contextmanager
def closing_problems() -> Iterator[None]:
    """Close (collectively) the problems created inside the block when it ends."""
    start = len(_live)

    def close_new() -> None:
        refs = _live[start:]
        del _live[start:]
        for ref in refs:
            problem = ref() if isinstance(ref, weakref.ref) else ref
            if problem is not None:
                problem.close()

    _depth[0] += 1
    try:
        yield
    except CollectiveError:
        close_new()
        raise
    except BaseException:
        del _live[start:]  # not closed (see the module docstring), no longer held
        raise
    finally:
        _depth[0] -= 1
    close_new()


def destroy_nonlinear_problem(problem: Any) -> None:
    """Destroy the PETSc objects of a dolfinx ``NonlinearProblem`` now.

    Collective: call it on every rank at the same point. Destroying a parallel PETSc object
    (a MUMPS factorisation, a communicator) is collective, and dolfinx's ``__del__`` does it
    whenever the last reference goes, which can be at different points on different ranks (a
    hang). After this, ``__del__`` only meets destroyed objects (no-ops).
    """
    for name in ("_snes", "_A", "_b", "_x", "_P_mat"):
        obj = getattr(problem, name, None)
        if obj is not None:
            obj.destroy()


__all__ = ["closing_problems", "destroy_nonlinear_problem", "track"]
