"""Adaptive time stepping of one protocol step of a stripping problem.

:func:`advance` drives ``try_step`` / ``commit`` / ``reject`` of a
:class:`~ssbx.problems.stripping.problem.StrippingProblem` over a duration with step growth,
cut-backs and a stop criterion (:class:`StepControl`), and returns an :class:`AdvanceResult`.
"""


from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ssbx.errors import StrippingError
from ssbx.problems.stripping.problem import StrippingProblem
from ssbx.problems.stripping.state import InterfaceState, Load, StepReport


# --------------------------------------------------------------------------------------------
# Adaptive stepping of one protocol step
# --------------------------------------------------------------------------------------------
@dataclass
class StepControl:
    """Adaptive time-step control [s, m].

    dt_initial, dt_min, dt_max: step bounds; max_thickness_change: largest change of the
    removed-Li thickness at any node per step (the a-priori limit ``dt <= 0.9 dr_max /
    max|Omega i / F|``); max_contact_change: largest change of the contact fraction per step;
    max_dp: largest plastic strain increment per step; grow / shrink: factors.
    """

    dt_initial: float = 1e-4
    dt_min: float = 1e-8
    dt_max: float = 600.0
    max_thickness_change: float = 0.05e-6
    max_contact_change: float = 0.02
    max_dp: float = 0.01
    grow: float = 2.0
    shrink: float = 0.5
    max_cutbacks: int = 25


@dataclass
class AdvanceResult:
    """What :func:`advance` did: accepted and rejected steps, whether a callback stopped it.

    Also its stepping state, kept current while it runs (for checkpoints): dt_next: the next
    step size to try (after the last accepted step); since_reject: accepted steps since the
    last rejection (growth waits for 3); t_end: the time the protocol step ends at [s];
    messages: the rejected attempts (the last 5 go into an error message)."""

    accepted: int = 0
    rejected: int = 0
    stopped: bool = False
    dt_next: float = 0.0
    messages: list[str] = field(default_factory=list)
    since_reject: int = 10
    t_end: float = math.nan


def advance(problem: StrippingProblem, load: Load, duration: float, control: StepControl, *,
            dt: float | None = None,
            on_step: Callable[[StepReport, InterfaceState], bool | None] | None = None,
            result: AdvanceResult | None = None, t_end: float | None = None
            ) -> AdvanceResult:
    """Advance ``problem`` by ``duration`` [s] under ``load`` with adaptive steps.

    A step is tried with ``dt = min(dt_grown, dt_max, remaining, 0.9 dr_max / max rate)`` (the
    rate from the last nodal currents, or from the mean current for the first step); it is
    accepted when the stagger converged, the removed thickness changed by at most
    ``max_thickness_change``, the contact fraction by at most ``max_contact_change`` (unless dt
    is already within 10 x ``dt_min``) and the plastic strain increment is at most ``max_dp``;
    otherwise dt is cut (``shrink``, or the ratio that would have met the limit). The first
    step of a fresh problem is at most half :meth:`StrippingProblem.creep_step_estimate`. After
    ``max_cutbacks`` consecutive cuts or below ``dt_min``, :class:`StrippingError` is raised.
    ``on_step(report, previous_state)`` runs after each accepted step; returning True stops.

    Resuming (checkpoints): ``result`` is the :class:`AdvanceResult` to fill (the callback may
    read its stepping state while it runs); a resumed step passes the saved one (its
    ``since_reject`` and ``messages``) with ``t_end`` (the saved end time, instead of
    ``problem.time + duration``) and ``dt`` (its ``dt_next``).
    """
    out = result if result is not None else AdvanceResult()
    t_end = problem.time + duration if t_end is None else float(t_end)
    out.t_end = t_end
    dt_try = min(dt if dt is not None else control.dt_initial, control.dt_max)
    if problem.steps == 0:  # from the elastic contact: creep at its stress concentrations
        dt_try = min(dt_try, 0.5 * problem.creep_step_estimate(control.max_dp))
    cutbacks = 0
    since_reject = out.since_reject
    eps = 1e-12 * max(duration, 1.0)
    A = problem.area
    # the contact set changes node by node: always allow a few nodes to flip in one step
    allowed_dcf = max(control.max_contact_change, 4.0 * float(np.max(problem.nodes.weights)) / A)
    while problem.time < t_end - eps:
        remaining = t_end - problem.time
        per_charge = problem.thickness_per_charge
        rate = per_charge * float(np.max(np.abs(problem.state.current), initial=0.0))
        if load.mode == "galvanostatic":
            rate = max(rate, per_charge * abs(load.value))
        h = min(dt_try, control.dt_max, remaining)
        if rate > 0.0:
            h = min(h, 0.9 * control.max_thickness_change / rate)
        if remaining - h < 1e-3 * h:
            h = remaining
        previous = problem.state
        cf_before = problem.nodes.integrate(previous.contact.astype(float)) / A
        rep = problem.try_step(h, load)
        why = rep.why
        factor = control.shrink
        if rep.converged:
            st = rep.state
            dr = float(np.max(np.abs(st.removed - previous.removed), initial=0.0))
            dcf = abs(problem.nodes.integrate(st.contact.astype(float)) / A - cf_before)
            if dr > control.max_thickness_change * (1 + 1e-9):
                why = f"thickness change {dr:.3e} m > {control.max_thickness_change:.3e} m"
                factor = min(control.shrink, 0.9 * control.max_thickness_change / dr)
            elif dcf > allowed_dcf and h > 10.0 * control.dt_min:
                why = f"contact fraction change {dcf:.3f} > {allowed_dcf:.3f}"
            elif rep.max_dp > control.max_dp:
                why = f"plastic strain increment {rep.max_dp:.3e} > {control.max_dp:.3e}"
                factor = min(control.shrink, 0.9 * control.max_dp / rep.max_dp)
            else:
                problem.commit()
                out.accepted += 1
                cutbacks = 0
                since_reject += 1
                easy = rep.passes <= 2 and rep.newton <= 8 * rep.passes
                # no growth right after a rejection (it would just be rejected again)
                grow = control.grow if easy and since_reject > 3 else 1.0
                dt_try = h * grow
                if rep.max_dp > 0.0:
                    dt_try = min(dt_try, h * 0.9 * control.max_dp / rep.max_dp)
                out.dt_next, out.since_reject = dt_try, since_reject
                if on_step is not None and on_step(rep, previous):
                    out.stopped = True
                    break
                continue
        problem.reject()
        since_reject = out.since_reject = 0
        out.rejected += 1
        cutbacks += 1
        out.messages.append(f"t = {problem.time:.6g} s, dt = {h:.3e} s: {why}")
        dt_try = h * factor
        if cutbacks > control.max_cutbacks or dt_try < control.dt_min:
            raise StrippingError(
                f"time stepping stopped at t = {problem.time:.6g} s after {cutbacks} cut-backs "
                f"(dt {dt_try:.3e} s, dt_min {control.dt_min:.3e} s):\n  "
                + "\n  ".join(out.messages[-5:]))
    out.dt_next = dt_try
    return out
