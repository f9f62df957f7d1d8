"""The critical stripping current (CCS) of a stripping case: trials and their judge.

A trial (:func:`strip_trial`) builds the case's problem, strips ``ccs.capacity`` at one current
density through the protocol loop of :mod:`ssbx.runs.stripping` and judges its stability
(:func:`strip_and_judge`); :func:`critical_current` brackets and bisects the CCS with the
solver-independent search of :mod:`ssbx.runs.ccs_search`; :func:`run_ccs_case` is ``ssbx ccs``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.case import Case
from ssbx.case.protocol import ProtocolStep
from ssbx.errors import StrippingError
from ssbx.io.console import say
from ssbx.problems.lifetime import closing_problems
from ssbx.problems.stripping.problem import StrippingProblem
from ssbx.problems.stripping.state import StepReport
from ssbx.runs.ccs_search import Trial, find_critical_current, trials_csv
from ssbx.runs.stripping import Recorder, build_problem, run_protocol, step_control
from ssbx.setup import stripping_cell_mesh
from ssbx.units import to_mA_per_cm2, to_mAh_per_cm2


def ccs_criterion(case: Case) -> str:
    """The trial criterion: ``ccs.criterion``, where ``"auto"`` is ``"nucleation"`` with vacancy
    transport on and ``"contact"`` without."""
    if case.ccs.criterion != "auto":
        return case.ccs.criterion
    return "nucleation" if case.vacancy.enabled else "contact"


def trial_steps(case: Case, current_density: float) -> list[ProtocolStep]:
    """The protocol of one CCS trial at ``current_density`` [A/m^2]: strip ``ccs.capacity``;
    with ``ccs.criterion = "protocol"``, ``ccs.cycles`` times strip then plate it back."""
    cc = case.ccs
    strip = ProtocolStep(kind="strip", text="CCS trial", current_density=current_density,
                         capacity=cc.capacity)
    if ccs_criterion(case) != "protocol":
        return [strip]
    plate = ProtocolStep(kind="plate", text="CCS trial (plate back)",
                         current_density=-current_density, capacity=cc.capacity)
    return [strip, plate] * cc.cycles


def _vacancies_settled(problem: StrippingProblem) -> bool:
    """No vacancy transport, or its interface values stopped rising below the nucleation
    criterion (the complete contact is then stationary)."""
    vac = problem.vacancies
    return vac is None or not vac.rising


def _contact_complete(problem: StrippingProblem, loss_gap: float) -> bool:
    """Every interface node in contact, or (``loss_gap`` > 0 [m]) within ``loss_gap`` of the
    electrolyte: the contact the criterion judges is complete."""
    if loss_gap > 0.0:
        return bool(np.all(problem.state.gap <= loss_gap))
    return bool(np.all(problem.state.contact))


def strip_and_judge(problem: StrippingProblem, case: Case,
                    current_density: float) -> tuple[bool, str, Recorder]:
    """Strip ``case.ccs.capacity`` at ``current_density`` [A/m^2] from the problem's present
    state and judge its stability; returns (stable, reason, recorder of the stripping).

    Unstable: the contact fraction (with ``ccs.loss_gap`` > 0: the area whose gap is at most
    that) falls more than ``ccs.contact_loss`` below its value at the
    start of stripping, or the cell polarisation (the cell voltage minus its open-circuit value
    ``-Omega <p>_contact / F``, which the stress coupling adds and which can be of either sign)
    exceeds ``ccs.voltage_rise`` times its reference, at any time before the capacity is
    stripped. The reference is its value after the first step, but at least the polarisation
    of the flat, fully contacting cell ``i (h_se / kappa + Z)``: at currents so small that the
    stress-driven redistribution of the current dominates, the first value can be ~0 or
    negative. Or the solver fails (reported as such). Stripping stops at the first sign of
    instability. It also stops, stable, once the
    contact is complete (every interface node in contact) and, with vacancy transport, the
    interface vacancy supersaturation has stopped rising: a flat, fully contacting interface
    under a uniform current then stays flat (no mechanism opens a gap there). With
    ``ccs.loss_gap`` > 0, complete means every node within that gap (a closed pore's last few nm
    at a contact edge can creep for ever, at rates that hold the steps near 10 ms).
    """
    cc = case.ccs
    start = problem.scalars()
    q0 = start["charge_density"]

    def judged_contact(s: dict[str, float]) -> float:
        """The contact fraction the criterion judges (see ``ccs.loss_gap``)."""
        if cc.loss_gap <= 0.0:
            return s["contact_fraction"]
        near = (problem.state.gap <= cc.loss_gap).astype(float)
        return problem.nodes.integrate(near) / problem.area

    cf0 = judged_contact(start)
    within = f" within {cc.loss_gap * 1e9:g} nm" if cc.loss_gap > 0.0 else ""
    criterion = ccs_criterion(case)
    steps = trial_steps(case, current_density)
    recorder = Recorder(problem, case.contact.profile_interval)
    recorder.record(None, None)
    cs = problem.settings.current
    flat_polarisation = abs(current_density) * (case.geometry.h_se / cs.conductivity
                                                + cs.kinetics.resistance)
    first_polarisation: list[float] = []
    verdict: list[str] = []
    closed: list[str] = []

    def stop(report: StepReport) -> bool:
        s = problem.scalars()
        polarisation = report.voltage - problem.open_circuit_voltage()
        if not first_polarisation:
            first_polarisation.append(max(abs(polarisation), flat_polarisation))
        q = to_mAh_per_cm2(s["charge_density"] - q0)  # net: stripped minus plated
        # the contact the mechanics found: nodes that nucleated at the end of this step are
        # judged after the next solve (creep or the stack pressure may close them)
        cf = judged_contact(s) + (s.get("nucleated_fraction", 0.0) if cc.loss_gap <= 0.0
                                  else 0.0)
        if criterion == "nucleation" and report.nucleated:
            verdict.append(f"void nucleation at {report.nucleated} interface node(s) (vacancy "
                           f"supersaturation {s['vacancy_theta_max']:.4g}) at {q:.3g} mAh/cm^2")
        elif cf < cf0 - cc.contact_loss:
            verdict.append(f"contact fraction {cf0:.3f} -> {cf:.3f} (loss "
                           f"> {cc.contact_loss:g}) at {q:.3g} mAh/cm^2")
        elif abs(polarisation) > cc.voltage_rise * first_polarisation[0]:
            verdict.append(f"polarisation {polarisation * 1e3:.4g} mV > {cc.voltage_rise:g}x "
                           f"its reference {first_polarisation[0] * 1e3:.4g} mV at {q:.3g} "
                           "mAh/cm^2")
        elif criterion != "protocol" and _contact_complete(problem, cc.loss_gap) \
                and _vacancies_settled(problem):
            closed.append(f"stable: contact complete at {q:.3g} mAh/cm^2 (fraction {cf0:.3f} "
                          f"-> 1{within})")
        return bool(verdict or closed)

    try:
        run_protocol(problem, steps, step_control(case), recorder, None, stop=stop)
        stable = not verdict
        over = (f"{cc.cycles} cycle(s) of {to_mAh_per_cm2(cc.capacity):.3g} mAh/cm^2"
                if criterion == "protocol" else f"{to_mAh_per_cm2(cc.capacity):.3g} mAh/cm^2")
        reason = verdict[0] if verdict else closed[0] if closed else "stable: contact fraction " \
            f"{cf0:.3f} -> {problem.scalars()['contact_fraction']:.3f} over {over}"
    except StrippingError as err:
        stable = False
        reason = f"solver failed: {str(err).splitlines()[0]}"
    return stable, reason, recorder


def strip_trial(case: Case, current_density: float, comm: MPI.Comm, *, cell_mesh: Any = None,
                console: Any = None, recorder_sink: list[Recorder] | None = None,
                prepare: Callable[[StrippingProblem], None] | None = None) -> Any:
    """One CCS trial (:class:`ssbx.runs.ccs_search.Trial`): build and initialise the case's
    problem, run ``prepare(problem)`` if given (e.g. a pressure hold), then
    :func:`strip_and_judge`."""
    case = case.for_ccs()
    t0 = time.perf_counter()
    with closing_problems():
        problem = build_problem(case, comm, cell_mesh)
        if prepare is not None:
            prepare(problem)
        q0 = problem.scalars()["charge_density"]
        stable, reason, recorder = strip_and_judge(problem, case, current_density)
        q1 = problem.scalars()["charge_density"]
    if recorder_sink is not None:
        recorder_sink.append(recorder)
    cf = recorder.column("contact_fraction")
    volt = recorder.column("cell_voltage")
    metrics = {
        "contact_fraction_initial": float(cf[0]),
        "contact_fraction_min": float(np.nanmin(cf)),
        "cell_voltage_max_V": float(np.nanmax(np.abs(volt))) if np.isfinite(volt).any()
        else math.nan,
        # the charge passed (protocol trials: stripped plus plated, the net is ~0 per cycle)
        "capacity_reached_mAh_per_cm2": to_mAh_per_cm2(
            q1 - q0 if ccs_criterion(case) != "protocol"
            else float(np.nansum(np.abs(np.diff(recorder.column("charge_density")))))),
        "steps": float(len(recorder.rows) - 1),
        "newton_iterations": float(np.nansum(recorder.column("newton_iterations"))),
        "wall_time_s": time.perf_counter() - t0,
    }
    say(console, f"  {to_mA_per_cm2(current_density):.4g} mA/cm^2: "
                  f"{'stable' if stable else 'UNSTABLE'} ({reason}; {int(metrics['steps'])} "
                  f"steps, {metrics['wall_time_s']:.1f} s)")
    return Trial(current_density=current_density, stable=stable, reason=reason,
                 metrics=metrics)


def critical_current(case: Case, comm: MPI.Comm, console: Any = None,
                     trials: list[Recorder] | None = None,
                     prepare: Callable[[StrippingProblem], None] | None = None) -> Any:
    """Bracket and bisect the critical stripping current of ``case`` (:class:`CcsResult`);
    ``prepare``: see :func:`strip_trial`."""
    case = case.for_ccs()
    cell_mesh = stripping_cell_mesh(comm, case)
    cc = case.ccs
    return find_critical_current(
        lambda i: strip_trial(case, i, comm, cell_mesh=cell_mesh, console=console,
                              recorder_sink=trials, prepare=prepare),
        cc.lower, cc.upper, bracket_ratio=cc.bracket_ratio, max_expansions=cc.max_expansions,
        expansion_factor=cc.expansion_factor, progress=lambda m: say(console, m))


def run_ccs_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None) -> dict[str, Any]:
    """``ssbx ccs``: the search, ``ccs_trials.csv`` and the summary."""
    t0 = time.perf_counter()
    say(console, f"critical stripping current: strip {to_mAh_per_cm2(case.ccs.capacity):.3g} "
                  f"mAh/cm^2 per trial, bracket {to_mA_per_cm2(case.ccs.lower):.4g} .. "
                  f"{to_mA_per_cm2(case.ccs.upper):.4g} mA/cm^2, stop at ratio "
                  f"{case.ccs.bracket_ratio:g}")
    result = critical_current(case, comm, console)
    if comm.rank == 0:
        folder.write_text("ccs_trials.csv", trials_csv(result))
    comm.Barrier()
    if result.status == "bracketed":
        say(console, f"CCS between {to_mA_per_cm2(result.lower):.4g} and "
                      f"{to_mA_per_cm2(result.upper):.4g} mA/cm^2 (estimate "
                      f"{to_mA_per_cm2(result.estimate):.4g} mA/cm^2)")
    else:
        say(console, f"CCS not bracketed: {result.status}")
    return {"case": case.name, "problem": "stripping", "ccs": result.as_dict(),
            "time_total_s": time.perf_counter() - t0, "files": ["ccs_trials.csv"]}


__all__ = ["ccs_criterion", "critical_current", "run_ccs_case", "strip_and_judge", "strip_trial",
           "trial_steps"]
