"""A crack run: a Li-filled crack in the elastic electrolyte → run folder.

One steady case (``problem = "crack"``): mesh the cracked electrolyte
(:mod:`ssbx.meshes.cracks`), solve it under the case's loads (Li pressure on the filled crack
faces, stack pressure on the interface, in-plane stress on the sides;
:mod:`ssbx.problems.fracture`), and find the Li pressure p_c at which the energy release rate at
tip 0 reaches K_Ic² / E' with the other loads held (two more solves: the loads are linear), and
the plating overpotential η_c = Ω p_c / F that builds it (Porz et al. 2017). Nothing here looks
at COMM_WORLD.
"""

from __future__ import annotations

import math
import time
from typing import Any

from mpi4py import MPI

import numpy as np
from dolfinx.io import VTXWriter

from ssbx.case import Case
from ssbx.errors import CheckpointError
from ssbx.io.console import say
from ssbx.io.runfolder import field_output_bytes
from ssbx.meshes.cracks import CrackSpec, build_crack_mesh
from ssbx.physics.constants import FARADAY
from ssbx.physics.fracture import edge_k, griffith_k, penny_k
from ssbx.problems.fracture import CrackLoads, CrackProblem, CrackSolution
from ssbx.problems.lifetime import track
from ssbx.setup import (
    build_crack_problem,
    crack_loads_of,
    crack_sizes_of,
    crack_spec_of,
    fracture_toughness_of,
    molar_volume_of,
)
from ssbx.units import display_unit, ureg

#: Columns of ``tips.csv``: one row per tip and J-domain.
TIP_COLUMNS = ("tip", "x_m", "y_m", "domain_radius_m", "J_J_per_m2", "K_I_Pa_sqrt_m",
               "K_II_Pa_sqrt_m", "G_J_per_m2")
#: Columns of ``opening.csv``.
OPENING_COLUMNS = ("s_m", "opening_m")
#: SI unit of stress intensity factors and toughness (as the case files write it).
K_UNIT = "Pa*m**0.5"


class _ClosingCrackProblem:
    """A :class:`CrackProblem` registered for collective closing
    (:func:`ssbx.problems.lifetime.track`): ``close()`` destroys its linear solver, matrix and
    vectors on every rank at the same point."""

    def __init__(self, problem: CrackProblem) -> None:
        self.problem = problem
        track(self)

    def close(self) -> None:
        """Destroy the PETSc objects of the problem's linear solve (collective)."""
        linear = self.problem.problem
        for name in ("_solver", "_A", "_b", "_x", "_P_mat"):
            obj = getattr(linear, name, None)
            if obj is not None:
                obj.destroy()


def shown(value: float, si_unit: str) -> str:
    """``value`` [si_unit] in its display unit for messages (``2e-06, "m"`` → ``"2 um"``)."""
    if not math.isfinite(value):
        return f"{value} {si_unit}"
    unit, factor = display_unit(si_unit)
    return f"{value * factor:.4g} {unit}"


def _factor(si_unit: str, unit: str) -> float:
    """The factor from ``si_unit`` to ``unit`` (pint)."""
    return float(ureg.Quantity(1.0, si_unit).to(unit).magnitude)


def closed_form_k(spec: CrackSpec, loads: CrackLoads) -> float | None:
    """K_I [Pa m^0.5] of the crack in an unbounded body (edge: a half-plane) under the Li
    pressure alone, or ``None`` where there is no such closed form here: other loads, a
    partial fill, an inclined edge crack, no Li pressure (:mod:`ssbx.physics.fracture`)."""
    pure = (loads.stack_pressure == 0.0 and loads.in_plane_stress == 0.0
            and not any(loads.remote_stress) and loads.li_pressure > 0.0
            and (spec.fill is None or spec.fill >= spec.length))
    if not pure:
        return None
    if spec.kind == "edge":
        return edge_k(loads.li_pressure, spec.length) if spec.inclination == 0.0 else None
    if spec.kind == "internal":
        return griffith_k(loads.li_pressure, spec.length)
    return penny_k(loads.li_pressure, spec.length)


def tip_rows(solution: CrackSolution) -> list[list[Any]]:
    """The rows of ``tips.csv``: per tip and J-domain, the tip index, its position, the domain
    radius, J, K_I, K_II and G (SI)."""
    return [[i, float(r.tip.position[0]), float(r.tip.position[1]), float(r.radius),
             r.J, r.K_I, r.K_II, r.G]
            for i, rows in enumerate(solution.tips) for r in rows]


def plot_opening(case: Case, spec: CrackSpec, solution: CrackSolution, path: Any) -> None:
    """The crack opening against the crack coordinate s, the Li-filled part shaded (rank 0)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    to_um, to_nm = _factor("m", "um"), _factor("m", "nm")
    s, opening = solution.opening
    fig, ax = plt.subplots(figsize=(7, 4))
    fill = spec.filled_length
    lo = -fill if spec.kind == "internal" else 0.0
    ax.axvspan(lo * to_um, fill * to_um, color="0.88", label="Li-filled")
    ax.plot(s * to_um, opening * to_nm, ".-", ms=3, lw=1, label="opening")
    ax.axhline(0.0, color="k", lw=0.5)
    where = {"edge": "s from the mouth", "internal": "s from the centre", "penny": "r"}[spec.kind]
    ax.set_xlabel(f"{where} [µm]")
    ax.set_ylabel("crack opening [nm]")
    k = solution.tip_mean(0)
    ax.set_title(f"{case.name}: {spec.kind} crack, p_Li = {shown(solution.loads.li_pressure, 'Pa')}"
                 f", K_I = {shown(k['K_I'], K_UNIT)}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def run_crack_case(case: Case, folder: Any, comm: MPI.Comm, console: Any = None, *,
                   restart: bool = False,
                   stop_after_checkpoints: int | None = None) -> dict[str, Any]:
    """Solve a crack ``case`` and write its run folder; returns the summary results (the
    summary itself is written by the caller, last).

    A crack case is steady and has no checkpoints: ``restart=True`` raises
    :class:`ssbx.errors.CheckpointError`; ``stop_after_checkpoints`` is ignored.

    Files: tips.csv (per tip and J-domain: position, domain radius, J, K_I, K_II, G),
    opening.csv (crack coordinate s, opening), opening.png, displacement.bp (VTX, ParaView;
    with ``output.fields``). Summary scalars at tip 0 (the mean over the J-domains and their
    relative spread), the Li pressure, Li and crack volumes (planar: per metre of depth), the
    largest opening, the critical Li pressure and overpotential, the toughness and, where one
    applies, the closed-form K_I (``K_I_closed_form``).
    """
    if restart:
        raise CheckpointError(
            f"case {case.name!r} (problem = {case.problem!r}) is steady: it has no checkpoints "
            "and cannot be restarted; run it again (with --overwrite)")
    t0 = time.perf_counter()
    spec = crack_spec_of(case)
    crack_mesh = build_crack_mesh(comm, spec, crack_sizes_of(case))
    t_mesh = time.perf_counter() - t0
    say(console, f"mesh: {crack_mesh.num_cells} triangles ({t_mesh:.2f} s), {spec.kind} crack "
                  f"{shown(spec.length, 'm')} in an electrolyte {shown(spec.width, 'm')} x "
                  f"{shown(spec.height, 'm')}")
    problem = build_crack_problem(case, crack_mesh)
    _ClosingCrackProblem(problem)
    loads = crack_loads_of(case)
    toughness = fracture_toughness_of(case)
    molar_volume = molar_volume_of(case)
    modulus = problem.material.E * _factor("Pa", "GPa")
    say(console, f"elasticity: P{case.solver.degree}, {problem.V.dofmap.index_map.size_global} "
                  f"nodes x 2 components, E = {modulus:.4g} GPa, nu = {problem.material.nu:g}, "
                  f"support {problem.support}")

    # the critical pressure first (two solves), the case's loads last: the displacement written
    # below is the case's
    p_c, _, _ = problem.critical_li_pressure(toughness, loads)
    eta_c = molar_volume * p_c / FARADAY if math.isfinite(p_c) else math.inf
    solution = problem.solve(loads)
    k = solution.tip_mean(0)
    s, opening = solution.opening
    max_opening = float(np.max(opening)) if opening.size else math.nan
    closed = closed_form_k(spec, loads)

    field_files: list[str] = []
    if case.output.fields:
        u = solution.displacement
        folder.require_space(field_output_bytes([u]), "the field output (displacement.bp)")
        with VTXWriter(comm, folder.path("displacement.bp"), [u], engine="BP4") as vtx:
            vtx.write(0.0)
        field_files.append("displacement.bp")
    if comm.rank == 0:
        folder.write_csv("tips.csv", list(TIP_COLUMNS), tip_rows(solution))
        folder.write_csv("opening.csv", list(OPENING_COLUMNS),
                         np.column_stack([s, opening]).tolist())
        plot_opening(case, spec, solution, folder.path("opening.png"))
    comm.Barrier()

    volume_unit = "m^3" if spec.axisymmetric else "m^2"
    scalars: dict[str, tuple[float, str]] = {
        "K_I": (k["K_I"], K_UNIT),
        "K_II": (k["K_II"], K_UNIT),
        "G": (k["G"], "J/m^2"),
        "J": (k["J"], "J/m^2"),
        "K_domain_spread": (k["spread"], "1"),
        "li_pressure": (loads.li_pressure, "Pa"),
        "li_volume": (solution.li_volume, volume_unit),
        "crack_volume": (solution.crack_volume, volume_unit),
        "max_opening": (max_opening, "m"),
        "critical_li_pressure": (p_c, "Pa"),
        "critical_overpotential": (eta_c, "V"),
        "toughness": (toughness, K_UNIT),
        "num_cells": (float(crack_mesh.num_cells), "1"),
        "time_mesh": (t_mesh, "s"),
        "time_total": (time.perf_counter() - t0, "s"),
    }
    if closed is not None:
        scalars["K_I_closed_form"] = (closed, K_UNIT)

    compare = f" (closed form {shown(closed, K_UNIT)})" if closed is not None else ""
    say(console, f"tip 0: K_I = {shown(k['K_I'], K_UNIT)}{compare}, K_II = "
                  f"{shown(k['K_II'], K_UNIT)}, G = {k['G']:.4g} J/m² (domain spread "
                  f"{k['spread']:.2%}) at Li pressure {shown(loads.li_pressure, 'Pa')}")
    if math.isfinite(p_c):
        say(console, f"critical Li pressure {shown(p_c, 'Pa')}, critical overpotential "
                      f"{shown(eta_c, 'V')} (K_Ic = {shown(toughness, K_UNIT)})")
    else:
        say(console, f"no Li pressure extends the crack under these loads (K_Ic = "
                      f"{shown(toughness, K_UNIT)})")
    return {
        "case": case.name,
        "problem": "crack",
        "scalars": {name: {"value": float(v), "unit": u} for name, (v, u) in scalars.items()},
        "mesh": {"num_cells": crack_mesh.num_cells},
        "files": sorted(["tips.csv", "opening.csv", "opening.png", *field_files]),
    }


__all__ = ["closed_form_k", "plot_opening", "run_crack_case", "tip_rows"]
