"""Steady J2 power-law creep flow as a generalised Newtonian fluid: the viscosity of the law
``p_dot = A sigma_eq^n`` and its solution by Picard then Newton iterations with continuation in
``n`` (shared by :mod:`ssbx.problems.slot_flow` and :mod:`ssbx.problems.squeeze_flow`).

In units where ``A = 1`` and the strain rate is scaled, the law is the viscosity
``eta = sigma_eq / (3 p_dot) = p_dot^(1/n - 1) / 3`` of the equivalent strain rate
``p_dot = sqrt(2/3 D:D)`` (regularised by :data:`REGULARISATION`: below it the solid is a rigid
plug to that accuracy). Newton alone fails for ``n > 4`` from a poor start (the stress
``~ rate^(1/n)`` is a root function whose Newton steps overshoot), so each continuation stage
first runs Picard iterations (the viscosity of the current iterate frozen) to a loose tolerance,
then Newton with the exact tangent.
"""

from __future__ import annotations

from typing import Any

import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc

from ssbx.errors import SolverDivergedError
from ssbx.problems.lifetime import destroy_nonlinear_problem

#: Smallest strain rate of the viscosity, in units of the problem's rate scale.
REGULARISATION = 1e-4

#: Stress exponents of the continuation (those below the target ``n``, then ``n``).
STAGES = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0)


def power_law_viscosity(D: Any, exponent: Any) -> Any:
    """``eta = p_dot^(1/n - 1) / 3`` of the rate-of-deformation tensor ``D`` (UFL; ``A = 1``)."""
    rate = ufl.sqrt(2.0 / 3.0 * ufl.inner(D, D) + REGULARISATION ** 2)
    return rate ** (1.0 / exponent - 1.0) / 3.0


def axisymmetric_rate(a: Any, r: Any) -> Any:
    """The 3x3 rate-of-deformation tensor of the axisymmetric velocity ``a = (u_r, u_z)`` at
    the radius ``r`` (UFL), with the hoop rate ``u_r / r``."""
    g = ufl.grad(a)
    shear = 0.5 * (g[0, 1] + g[1, 0])
    return ufl.as_tensor([[g[0, 0], shear, 0.0], [shear, g[1, 1], 0.0], [0.0, 0.0, a[0] / r]])


def solve_by_continuation(F: Any, J_picard: Any, w: fem.Function, bcs: list[Any],
                          exponent: fem.Constant, n: float, *, prefix: str, what: str,
                          stages: tuple[float, ...] = STAGES) -> int:
    """Solve ``F(w) = 0`` for the stress exponents of ``stages`` below ``n`` and then ``n``
    (setting ``exponent``), each by Picard (Jacobian ``J_picard``) then Newton; returns the
    Newton iterations of the last stage. ``SolverDivergedError`` naming ``what`` if one fails."""
    common = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
    picard = fem_petsc.NonlinearProblem(
        F, w, J=J_picard, bcs=bcs, petsc_options_prefix=f"{prefix}picard_",
        petsc_options=common | {"snes_type": "newtonls", "snes_linesearch_type": "basic",
                                "snes_rtol": 1e-4, "snes_atol": 1e-12, "snes_max_it": 400})
    newton = fem_petsc.NonlinearProblem(
        F, w, bcs=bcs, petsc_options_prefix=f"{prefix}newton_",
        petsc_options=common | {"snes_type": "newtonls", "snes_linesearch_type": "bt",
                                "snes_rtol": 1e-10, "snes_atol": 1e-12, "snes_max_it": 40})
    iterations = 0
    try:
        for stage in (*[s for s in stages if s < n], n):
            exponent.value = stage
            for problem, name in ((picard, "Picard"), (newton, "Newton")):
                problem.solve()
                reason = problem.solver.getConvergedReason()
                iterations = problem.solver.getIterationNumber()
                if reason <= 0:
                    raise SolverDivergedError(f"{what}: {name} failed at n = {stage:g} "
                                              f"(SNES reason {reason})")
    finally:
        destroy_nonlinear_problem(picard)
        destroy_nonlinear_problem(newton)
    return iterations


__all__ = ["REGULARISATION", "STAGES", "axisymmetric_rate", "power_law_viscosity",
           "solve_by_continuation"]
