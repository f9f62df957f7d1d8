"""A crack run: a Li-filled crack in the elastic electrolyte → run folder.

One steady case (``problem = "crack"``): mesh the cracked electrolyte
(:mod:`ssbx.meshes.cracks`), solve it under the case's loads (Li pressure on the filled crack
faces, stack pressure on the interface, in-plane stress on the sides;
:mod:`ssbx.problems.fracture`), and find the Li pressure p_c at which the energy release rate at
tip 0 reaches K_Ic² / E' with the other loads held (two more solves: the loads are linear), and
the plating overpotential η_c = Ω p_c / F that builds it (Porz et al. 2017).

With ``crack.plating_current`` (an edge crack) the Li pressure is the steady one a plating
current builds in the crack, and the run also finds the critical plating current
(:mod:`ssbx.runs.crack_plating`). With ``crack.growth_steps > 0`` the crack then grows
increment by increment along the maximum tangential stress, at the critical Li pressure of each
step (:func:`ssbx.problems.crack_growth.grow_crack`; ``growth.csv``, ``growth.png``). Nothing
here looks at COMM_WORLD.
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
from ssbx.io.void_map import void_fraction
from ssbx.meshes.cracks import CrackSpec, build_crack_mesh
from ssbx.physics.constants import FARADAY
from ssbx.physics.fracture import edge_k, griffith_k, penny_k
from ssbx.problems.crack_growth import GrowthStep, grow_crack
from ssbx.problems.fracture import CrackLoads, CrackProblem, CrackSolution
from ssbx.problems.lifetime import track
from ssbx.runs.crack_plating import (
    li_filament_drop,
    plate_into_crack,
    plating_scalars,
    write_potential,
)
from ssbx.setup import (
    anode_metal_of,
    build_crack_problem,
    crack_growth_increment_of,
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
#: Columns of ``growth.csv``: one row per growth step and tip.
GROWTH_COLUMNS = ("step", "tip", "x_m", "y_m", "length_m", "critical_li_pressure_Pa",
                  "critical_overpotential_V", "K_I_Pa_sqrt_m", "K_II_Pa_sqrt_m", "kink_rad",
                  "direction_rad", "num_cells")
#: SI unit of stress intensity factors and toughness (as the case files write it).
K_UNIT = "Pa*m**0.5"


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
    partial fill, an inclined edge crack, a ring crack (it tends to the edge crack only as
    depth / radius -> 0), no Li pressure (:mod:`ssbx.physics.fracture`)."""
    pure = (loads.stack_pressure == 0.0 and loads.in_plane_stress == 0.0
            and not any(loads.remote_stress) and loads.li_pressure > 0.0
            and (spec.fill is None or spec.fill >= spec.length))
    if not pure or spec.ring:
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


def growth_rows(history: list[GrowthStep]) -> list[list[Any]]:
    """The rows of ``growth.csv`` (SI, angles in radians): per step and tip, the tip's
    position, its arc length from the crack's origin, the critical Li pressure and
    overpotential, K_I and K_II at that pressure, the kink of the next increment, its direction
    from the interface normal, and the mesh size."""
    return [[r.step, r.tip, r.x, r.y, r.length, r.critical_li_pressure,
             r.critical_overpotential, r.K_I, r.K_II, r.kink, r.direction, r.cells]
            for r in history]


def growth_paths(spec: CrackSpec, history: list[GrowthStep]) -> list[np.ndarray]:
    """The grown crack path from each tip's end of the initial crack: one ``(n, 2)`` array of
    vertices [m] per tip, from the initial crack's far end (the origin of an edge crack, the
    other tip of an internal one) through the initial crack to the tip's positions step by
    step (a tip that did not advance in a step adds no vertex)."""
    initial = spec.polyline()
    paths = []
    for tip in sorted({r.tip for r in history}):
        vertices = list(initial if tip == 0 else initial[::-1])
        for r in sorted(history, key=lambda r: r.step):
            point = np.array([r.x, r.y])
            if r.tip == tip and np.linalg.norm(point - vertices[-1]) > 1e-9 * spec.length:
                vertices.append(point)
        paths.append(np.array(vertices))
    return paths


def growth_summary(spec: CrackSpec, history: list[GrowthStep]) -> dict[str, Any]:
    """What a growth run did: the increments taken, the critical Li pressure (smallest over
    the tips) at the first and last step, the critical tip's arc length and the direction of
    its last path segment from the interface normal [rad], and whether growth is unstable (the
    critical pressure falls as the crack grows)."""
    steps = max(r.step for r in history)
    first = min((r for r in history if r.step == 0), key=lambda r: r.critical_li_pressure)
    last = min((r for r in history if r.step == steps), key=lambda r: r.critical_li_pressure)
    path = growth_paths(spec, history)[last.tip]
    dx, dy = path[-1] - path[-2]
    return {
        "steps": steps,
        "initial_critical_li_pressure": first.critical_li_pressure,
        "final_critical_li_pressure": last.critical_li_pressure,
        "final_length": last.length,
        "final_direction": math.atan2(dx, dy),
        "unstable": bool(steps > 0 and last.critical_li_pressure < first.critical_li_pressure),
        "tip": last.tip,
    }


def plot_growth(case: Case, spec: CrackSpec, history: list[GrowthStep], path: Any) -> None:
    """The crack path over the electrolyte outline (µm, zoomed on the crack) and the critical
    Li pressure and overpotential against the arc length of each tip (rank 0)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    to_um, to_mpa, to_mv = _factor("m", "um"), _factor("Pa", "MPa"), _factor("V", "mV")
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.6))
    w, h = spec.width * to_um, spec.height * to_um
    ax.fill([-w / 2, w / 2, w / 2, -w / 2], [0, 0, h, h], color="0.93", zorder=0,
            label="electrolyte")
    ax.plot([-w / 2, w / 2], [0, 0], color="C7", lw=3, zorder=1,
            label="Li | electrolyte interface")
    paths = growth_paths(spec, history)
    initial = spec.polyline() * to_um
    ax.plot(initial[:, 0], initial[:, 1], "k-", lw=2.5, label="initial crack", zorder=3)
    for tip, vertices in enumerate(paths):
        grown = vertices[len(initial) - 1:] * to_um
        ax.plot(grown[:, 0], grown[:, 1], "o-", color=f"C{3 + tip}", ms=3, lw=1.5, zorder=2,
                label=f"grown path, tip {tip}" if len(paths) > 1 else "grown path")
    points = np.vstack(paths) * to_um
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = max(0.3 * float(np.max(hi - lo)), 2.0 * crack_growth_increment_of(case) * to_um)
    ax.set_xlim(max(lo[0] - pad, -w / 2 - 0.02 * w), min(hi[0] + pad, w / 2 + 0.02 * w))
    ax.set_ylim(max(lo[1] - pad, -0.02 * h), min(hi[1] + pad, h * 1.02))
    ax.set_aspect("equal")
    ax.set_xlabel("x [µm]")
    ax.set_ylabel("y [µm] (into the electrolyte)")
    ax.set_title("crack path (zoomed on the crack)", fontsize=10)
    ax.legend(fontsize=7)
    for tip in sorted({r.tip for r in history}):
        rows = sorted((r for r in history if r.tip == tip), key=lambda r: r.step)
        finite = [r for r in rows if math.isfinite(r.critical_li_pressure)]
        bx.plot([r.length * to_um for r in finite],
                [r.critical_li_pressure * to_mpa for r in finite], "o-", color=f"C{3 + tip}",
                ms=4, label=f"tip {tip}")
    bx.set_xlabel("crack length along the path [µm]" if spec.kind == "edge"
                  else "arc length of the tip from the centre [µm]")
    bx.set_ylabel("critical Li pressure [MPa]")
    ratio = next((r.critical_overpotential / r.critical_li_pressure for r in history
                  if math.isfinite(r.critical_li_pressure) and r.critical_li_pressure > 0),
                 None)
    if ratio is not None:
        scale = ratio * to_mv / to_mpa
        bx.secondary_yaxis("right", functions=(lambda p: p * scale, lambda e: e / scale)) \
            .set_ylabel("critical overpotential [mV]")
    summary = growth_summary(spec, history)
    trend = ("no increment" if summary["steps"] == 0 else
             "unstable (p_c falls)" if summary["unstable"] else "stable (p_c rises)")
    bx.set_title(f"{summary['steps']} increments: {trend}", fontsize=10)
    if len({r.tip for r in history}) > 1:
        bx.legend(fontsize=8)
    fig.suptitle(f"{case.name}: {spec.kind} crack growth", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def run_growth(case: Case, spec: CrackSpec, problem: CrackProblem, loads: CrackLoads,
               toughness: float, molar_volume: float, folder: Any, comm: MPI.Comm,
               console: Any = None) -> dict[str, Any]:
    """Grow the case's crack (:func:`ssbx.problems.crack_growth.grow_crack`: the case's
    support and loads, the Li pressure of each step the critical one) and write growth.csv and
    growth.png; returns :func:`growth_summary` of the history."""
    c = case.crack
    increment = crack_growth_increment_of(case)
    dry = f", dry tip {shown(c.dry_tip, 'm')}" if c.dry_tip > 0 else ""
    say(console, f"growth: {c.growth_steps} increments of {shown(increment, 'm')}{dry}")

    def progress(row: GrowthStep) -> None:
        ratio = row.K_II / row.K_I if row.K_I else math.nan
        say(console, f"  step {row.step}, tip {row.tip}: length {shown(row.length, 'm')}, "
                     f"p_c {shown(row.critical_li_pressure, 'Pa')}, eta_c "
                     f"{shown(row.critical_overpotential, 'V')}, K_II/K_I {ratio:.3g}, kink "
                     f"{math.degrees(row.kink):.1f} deg ({row.cells} triangles)")

    history = grow_crack(comm, spec, problem.material, toughness, loads, increment=increment,
                         steps=c.growth_steps, molar_volume=molar_volume, support=problem.support,
                         dry_tip=c.dry_tip, progress=progress)
    summary = growth_summary(spec, history)
    if comm.rank == 0:
        folder.write_csv("growth.csv", list(GROWTH_COLUMNS), growth_rows(history))
        if case.output.plots:
            plot_growth(case, spec, history, folder.path("growth.png"))
    comm.Barrier()
    if summary["steps"] < c.growth_steps:
        say(console, f"growth stopped after {summary['steps']} of {c.growth_steps} increments "
                     "(a tip near the electrolyte's boundary, or no Li pressure extends the "
                     "crack)")
    trend = ("no increment" if summary["steps"] == 0 else
             "unstable: p_c falls as it grows" if summary["unstable"] else "stable")
    say(console, f"growth: p_c {shown(summary['initial_critical_li_pressure'], 'Pa')} -> "
                  f"{shown(summary['final_critical_li_pressure'], 'Pa')} ({trend}), length "
                  f"{shown(summary['final_length'], 'm')}, final direction "
                  f"{math.degrees(summary['final_direction']):.1f} deg from the interface "
                  "normal")
    return summary


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
    largest opening, the critical Li pressure and overpotential, the toughness, the fraction
    of the interface over interfacial voids (``void_fraction``, ``num_voids``: the crack
    spec's voids, ``[[crack.voids]]`` and ``crack.void_map`` merged) and, where one applies,
    the closed-form K_I (``K_I_closed_form``).

    With ``crack.plating_current``: the Li pressure is the steady one of that current
    (:func:`ssbx.runs.crack_plating.plate_into_crack`), the summary adds
    :func:`ssbx.runs.crack_plating.plating_scalars` and ``extrusion``, and potential.bp is
    written with the fields. With ``crack.growth_steps > 0``: growth.csv, growth.png and the
    ``growth_*`` scalars (:func:`run_growth`) and ``growth`` (steps, unstable).
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
    voided = void_fraction(spec.voids, spec.width, axisymmetric=spec.axisymmetric)
    if spec.voids:
        say(console, f"interfacial voids: {len(spec.voids)} ("
                     + ", ".join(f"{shown(a, 'm')} .. {shown(b, 'm')}" for a, b in spec.voids)
                     + f"), {voided:.1%} of the interface without Li contact")
    problem = build_crack_problem(case, crack_mesh)
    track(problem)  # closed collectively when the run ends (CrackProblem.close)
    loads = crack_loads_of(case)
    toughness = fracture_toughness_of(case)
    molar_volume = molar_volume_of(case)
    modulus = problem.material.E * _factor("Pa", "GPa")
    say(console, f"elasticity: P{case.solver.degree}, {problem.V.dofmap.index_map.size_global} "
                  f"nodes x 2 components, E = {modulus:.4g} GPa, nu = {problem.material.nu:g}, "
                  f"support {problem.support}")

    # the critical pressure first (two solves), the case's loads last: the displacement written
    # below is the case's
    p_c, base, unit = problem.critical_li_pressure(toughness, loads)
    eta_c = molar_volume * p_c / FARADAY if math.isfinite(p_c) else math.inf
    plating = None
    if case.crack.plating_current is not None:
        volumes = (base.li_volume, unit.li_volume - base.li_volume)
        plating = plate_into_crack(case, crack_mesh, p_c, volumes, console)
        loads = loads.scaled_li(plating.steady.li_pressure)
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
        if plating is not None:
            field_files.append(write_potential(plating, folder, comm))
    if comm.rank == 0:
        folder.write_csv("tips.csv", list(TIP_COLUMNS), tip_rows(solution))
        folder.write_csv("opening.csv", list(OPENING_COLUMNS),
                         np.column_stack([s, opening]).tolist())
        if case.output.plots:
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
        "void_fraction": (voided, "1"),
        "num_voids": (float(len(spec.voids)), "1"),
        "num_cells": (float(crack_mesh.num_cells), "1"),
        "time_mesh": (t_mesh, "s"),
        "time_total": (time.perf_counter() - t0, "s"),
    }
    if closed is not None:
        scalars["K_I_closed_form"] = (closed, K_UNIT)
    if plating is not None:
        scalars.update(plating_scalars(plating))
        scalars["li_filament_drop"] = (li_filament_drop(
            plating, spec, s, opening, anode_metal_of(case).resistivity), "V")

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
    files = ["tips.csv", "opening.csv", *field_files,
             *(["opening.png"] if case.output.plots else [])]
    extra: dict[str, Any] = {}
    if plating is not None:
        extra["extrusion"] = plating.extrusion
    if case.crack.growth_steps > 0:
        growth = run_growth(case, spec, problem, loads, toughness, molar_volume, folder, comm,
                            console)
        scalars.update({
            "growth_steps": (float(growth["steps"]), "1"),
            "growth_final_length": (growth["final_length"], "m"),
            "growth_initial_critical_li_pressure": (growth["initial_critical_li_pressure"],
                                                    "Pa"),
            "growth_final_critical_li_pressure": (growth["final_critical_li_pressure"], "Pa"),
            "growth_final_direction": (math.degrees(growth["final_direction"]), "deg"),
        })
        extra["growth"] = {"steps": growth["steps"], "unstable": growth["unstable"],
                           "critical_tip": growth["tip"]}
        files += ["growth.csv", *(["growth.png"] if case.output.plots else [])]
        scalars["time_total"] = (time.perf_counter() - t0, "s")
    return {
        "case": case.name,
        "problem": "crack",
        "scalars": {name: {"value": float(v), "unit": u} for name, (v, u) in scalars.items()},
        "mesh": {"num_cells": crack_mesh.num_cells},
        **extra,
        "files": sorted(files),
    }


__all__ = ["GROWTH_COLUMNS", "closed_form_k", "growth_paths", "growth_rows", "growth_summary",
           "plot_growth", "plot_opening", "run_crack_case", "run_growth", "tip_rows"]
