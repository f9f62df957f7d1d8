"""An embedded particle charged by diffusion through its contacting surface
(:mod:`ssbx.problems.embedded_charge`): the bonded shell against the galvanostatic sphere's
series solution (first order in time), the Li balance to round-off through partial contact, the
fast-diffusion limit against the uniform (static) contact-loss path, the same charge on 1 and 2
ranks, and the case path (keys, checks, the example)."""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.case import CaseError, load_case, resolve_case
from ssbx.io.runfolder import RunFolder
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.intercalation import galvanostatic_concentration
from ssbx.physics.particle_contact import (
    VolumeChangeCurve,
    window_outflux,
    window_volume_change,
)

R = 5e-6
PARTICLE = ElasticMaterial("particle", 199e9, 0.25)
MATRIX = ElasticMaterial("matrix", 22e9, 0.30)
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "embedded_charge.toml"


def _cell(comm, size=R / 3, fine=R / 12):
    from ssbx.problems.embedded_particle import EmbeddedGeometry

    width = R * (2.0 / 3.0 / 0.5) ** (1.0 / 3.0)  # volume fraction 0.5
    return EmbeddedGeometry.cell(comm, R, width, width, size, interface_size=fine)


def _charge_problem(geometry, diffusivity, **kwargs):
    from ssbx.problems.embedded_charge import EmbeddedChargeProblem

    return EmbeddedChargeProblem(geometry, PARTICLE, MATRIX, diffusivity=diffusivity,
                                 volume_change=-0.078, c_rate=kwargs.pop("c_rate", 0.1),
                                 **kwargs)


def test_window_flux_and_volume_change():
    """The whole-surface flux empties the window in 1/C hours: q A t / V = 1."""
    q = window_outflux(0.5, R / 3.0)
    assert q * 4 * math.pi * R**2 * (3600 / 0.5) / (4 / 3 * math.pi * R**3) == pytest.approx(
        1.0, rel=1e-14)
    assert window_volume_change(1.0, -0.078) == 0.0
    assert window_volume_change(0.25, -0.078) == pytest.approx(-0.0585, rel=1e-14)
    with pytest.raises(ValueError, match="c_rate"):
        window_outflux(0.0, R)


def test_volume_change_curve():
    """Piecewise linear in the share charged, held beyond the ends, counted from the start;
    the linear curve is window_volume_change; the UFL form equals the numbers."""
    import ufl
    from dolfinx import fem, mesh

    linear = VolumeChangeCurve.linear(-0.078)
    assert linear.volume_change(0.25) == pytest.approx(window_volume_change(0.75, -0.078))
    curve = VolumeChangeCurve((0.2, 0.7, 1.0), (0.01, 0.0, -0.05))  # against another lattice
    assert curve.volume_change(0.0) == 0.0 and curve.volume_change(0.2) == 0.0
    assert curve.volume_change(0.45) == pytest.approx(1.005 / 1.01 - 1.0, rel=1e-14)
    assert curve.volume_change(1.0) == pytest.approx(0.95 / 1.01 - 1.0, rel=1e-14)
    msh = mesh.create_unit_interval(MPI.COMM_SELF, 4)
    for theta in (1.0, 0.8, 0.55, 0.3, 0.0):
        value = fem.assemble_scalar(fem.form(curve(fem.Constant(msh, theta)) * ufl.dx(msh)))
        assert value == pytest.approx(curve.volume_change(1.0 - theta), rel=1e-12, abs=1e-15)
    for charged, values, match in (((0.0,), (0.0,), "two"), ((0.5, 0.2), (0.0, 0.1), "strictly"),
                                   ((0.0, 1.2), (0.0, 0.1), "within"),
                                   ((0.0, 1.0), (0.0, -1.0), "> -1")):
        with pytest.raises(ValueError, match=match):
            VolumeChangeCurve(charged, values)


def test_bonded_shell_follows_the_galvanostatic_sphere():
    """A bonded interface lets the Li out everywhere: the surface content is the series
    solution of a sphere under a constant outflux, its error first order in the time step."""
    from ssbx.problems.embedded_particle import EmbeddedGeometry

    D = 1e-14
    geometry = EmbeddedGeometry.shell(MPI.COMM_WORLD, R, 3 * R, R / 4)
    errors = []
    for steps in (20, 80):
        problem = _charge_problem(geometry, D, c_rate=1.0, interface="bonded")
        states, stopped_by = problem.charge(steps, duration=0.2 * R**2 / D)
        scale = problem.outflux * R / D
        c, _ = galvanostatic_concentration(np.array([1.0]), 0.2)
        errors.append(abs(states[-1].surface_mean - (1.0 - scale * c[0])) / scale)
        assert stopped_by == "end of window" and states[-1].contact_fraction == 1.0
        assert states[-1].surface_min == pytest.approx(states[-1].surface_mean, abs=2e-3 * scale)
    assert errors[1] < 3e-4
    assert math.log(errors[0] / errors[1], 4) > 0.9  # backward Euler


@pytest.fixture(scope="module")
def partial_contact():
    """The composite cell at 10 MPa, C/10, charged until the particle is isolated."""
    problem = _charge_problem(_cell(MPI.COMM_WORLD), 1e-14, passes=4)
    problem.set_pressure(10e6)
    return problem.charge(100)


@pytest.mark.mpi
def test_li_leaves_through_the_contact_only_and_balances(partial_contact):
    """Through partial contact the charged share is C t / 3600 s to round-off (the current
    is conserved, its area shrinks); the contact, and with it the charge, ends early."""
    states, stopped_by = partial_contact
    assert stopped_by == "isolated"
    fractions = [s.contact_fraction for s in states]
    assert 0.0 < fractions[1] < 1.0 and fractions[-1] == 0.0
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(fractions))
    for s in states:
        assert s.charge == pytest.approx(0.1 * s.time / 3600.0, rel=1e-10)
    # where the Li leaves the surface empties first: the least content there lags the mean
    assert all(s.surface_min < s.surface_mean for s in states[1:-1])
    assert states[-2].flux_amplification > 10.0
    assert 0.05 < states[-1].charge < 0.2


@pytest.mark.mpi
def test_an_isolated_particle_keeps_its_charge():
    """Isolated at the end of the charge (10 MPa): the discharge cannot start."""
    problem = _charge_problem(_cell(MPI.COMM_WORLD), 1e-14)
    problem.set_pressure(10e6)
    _, stopped_by = problem.charge(100)
    assert stopped_by == "isolated" and problem.contact_area_fraction() == 0.0
    assert problem.discharge(100) == ([], "isolated")


@pytest.mark.mpi
def test_discharge_balances_and_a_uniform_particle_retraces_its_charge():
    """100 MPa, C/10: the discharge takes the Li back at C t / 3600 s through the contact there
    is. A slowly diffusing particle fills its contacting surface first and keeps part of its
    charge; a fast one (D = 1e-10) retraces its charge's contact and returns all of it."""
    from ssbx.problems.embedded_charge import charge_reached

    geometry = _cell(MPI.COMM_WORLD)
    returned = {}
    for D in (4e-15, 1e-10):
        problem = _charge_problem(geometry, D)
        problem.set_pressure(100e6)
        states, _ = problem.charge(50)
        back, stopped_by = problem.discharge(50)
        charged = states[-1].charge
        for b in back:  # the same current in, from the end of the charge
            assert charged - b.charge == pytest.approx(0.1 * (b.time - states[-1].time) / 3600,
                                                       abs=1e-8)
        assert all(b.branch == "discharge" for b in back)
        returned[D] = (charged - charge_reached(back, stopped_by, charged)) / charged
        if D == 1e-10:
            by_charge = {round(s.charge, 9): s.contact_fraction for s in states}
            for b in back:
                if round(b.charge, 9) in by_charge:
                    assert b.contact_fraction == pytest.approx(by_charge[round(b.charge, 9)],
                                                               abs=0.03)
    assert returned[1e-10] == pytest.approx(1.0, abs=0.02)
    assert 0.5 < returned[4e-15] < 0.99


@pytest.mark.mpi
def test_fast_diffusion_recovers_the_uniform_contact_loss():
    """D -> infinity (R^2/D = 0.25 s against 36 000 s): the particle shrinks uniformly and
    its contact fraction follows the static path of EmbeddedParticleProblem at the same
    volume change."""
    from ssbx.problems.embedded_particle import EmbeddedParticleProblem

    geometry = _cell(MPI.COMM_WORLD)
    fast = _charge_problem(geometry, 1e-10)
    fast.set_pressure(10e6)
    states, stopped_by = fast.charge(60)
    static = EmbeddedParticleProblem(geometry, PARTICLE, MATRIX)
    static.set_pressure(10e6)
    path = [window_volume_change(1.0 - s.charge, -0.078) for s in states]
    reference = static.run(path)
    assert stopped_by == "isolated"
    for s, r in zip(states[:-1], reference[:-1], strict=True):
        assert s.contact_fraction == pytest.approx(r.contact_fraction, abs=0.03)
    assert reference[-1].contact_fraction == 0.0 and reference[-2].contact_fraction > 0.0


@pytest.mark.mpi
def test_charge_is_the_same_on_every_rank_count():
    """Six steps through partial contact: the world communicator equals COMM_SELF."""
    def run(comm):
        problem = _charge_problem(_cell(comm), 1e-14)
        problem.set_pressure(10e6)
        return problem.charge(6, duration=6 * 180.0)[0]

    world, serial = run(MPI.COMM_WORLD), run(MPI.COMM_SELF)
    for a, b in zip(world, serial, strict=True):
        for key in ("charge", "contact_fraction", "surface_min", "surface_mean"):
            assert getattr(a, key) == pytest.approx(getattr(b, key), rel=1e-8), key
        assert a.mechanics.mean_gap == pytest.approx(b.mechanics.mean_gap, rel=1e-7, abs=1e-16)


def test_case_keys_are_checked_before_meshing():
    def problems(embedded):
        with pytest.raises(CaseError) as err:
            resolve_case({"problem": "embedded_particle", "embedded": embedded})
        return str(err.value)

    text = problems({"diffusivity": "2e-14 m^2/s", "c_rate": 1.0})
    assert 'embedded.diffusivity = "2e-14 m^2/s": not used with embedded.charge_by = ' \
           '"uniform"' in text and "embedded.c_rate" in text
    text = problems({"charge_by": "diffusion", "steps": 5, "c_rate": 0.0})
    assert "embedded.steps = 5" in text
    text = problems({"charge_by": "diffusion", "c_rate": -1, "diffusivity": "1 m"})
    assert "embedded.c_rate" in text and "embedded.diffusivity" in text
    assert "embedded.charge_by" in problems({"charge_by": "instant"})
    text = problems({"charge_by": "diffusion", "volume_change_charge": [0.0, 0.5, 0.4],
                     "volume_change_values": [0.0, -0.01, -1.5], "volume_change": -0.05})
    assert "embedded.volume_change_charge = [0.0, 0.5, 0.4]: expected strictly increasing" \
        in text
    assert "embedded.volume_change_values" in text and "dV/V > -1" in text
    assert "embedded.volume_change = -0.05: the table" in text
    text = problems({"charge_by": "diffusion", "volume_change_charge": [0.0, 1.0]})
    assert "expected two lists of equal length" in text
    assert "not used with embedded.charge_by" in problems(
        {"volume_change_charge": [0.0, 1.0], "volume_change_values": [0.0, -0.05]})
    case = resolve_case({"problem": "embedded_particle", "embedded": {"charge_by": "diffusion"}})
    assert case.warnings == ()
    unloaded = resolve_case({"problem": "embedded_particle",
                             "embedded": {"charge_by": "diffusion", "stack_pressure": "0 MPa"}})
    assert any("embedded.stack_pressure" in w and "isolated from the first step" in w
               for w in unloaded.warnings)
    assert (case.embedded.diffusivity, case.embedded.c_rate, case.embedded.time_steps) == (
        4e-15, 0.1, 200)


@pytest.mark.mpi
def test_example_runs_through_the_case_path(tmp_path):
    """The example on a coarse mesh: the history, the fields and the summary agree with the
    problem charged through its API."""
    from ssbx.runs.registry import run_case
    from ssbx.setup import embedded_problem_of

    raw = load_case(EXAMPLE).to_toml_dict()
    raw["embedded"] = {**raw["embedded"], "time_steps": 50, "mesh_size": "1.5 um",
                       "interface_mesh_size": "0.4 um"}
    raw["output"] = {"fields": True, "plots": True}
    case = resolve_case(raw)
    comm = MPI.COMM_WORLD
    path = comm.bcast(str(tmp_path / "run") if comm.rank == 0 else None, root=0)
    folder = RunFolder(comm, path, overwrite=True)
    summary = run_case(case, folder, comm)
    folder.release()
    assert summary["files"] == ["electrolyte_displacement.bp", "embedded_charge.png",
                                "history.csv", "li_content.bp", "particle_displacement.bp"]
    assert summary["stopped_by"] == "isolated" and summary["discharge_stopped_by"] == "isolated"
    with open(Path(path) / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    reference, stopped_by = embedded_problem_of(case, comm).charge(50)
    assert stopped_by == "isolated" and len(rows) == len(reference)
    for row, state in zip(rows, reference, strict=True):
        assert float(row["charge"]) == pytest.approx(state.charge, rel=1e-9)
        assert float(row["contact_fraction"]) == pytest.approx(state.contact_fraction,
                                                               abs=1e-8)
    s = summary["scalars"]
    assert s["charge_reached"]["value"] == pytest.approx(reference[-1].charge, rel=1e-9)
    assert s["charge_reached"]["value"] > s["dilute_uniform_contact_loss_charge"]["value"]
    assert s["discharge_returned"]["value"] == 0.0 and s["first_cycle_efficiency"]["value"] == 0.0


@pytest.mark.mpi
def test_a_three_dimensional_cell_charges_through_the_case_path(tmp_path):
    """embedded.dimension = 3 (the octant of a cube) charged by diffusion with a tabulated
    volume change: the particle is isolated after a few steps, Li balanced."""
    from ssbx.runs.registry import run_case

    case = resolve_case({"name": "cube", "problem": "embedded_particle",
                         "embedded": {"dimension": 3, "volume_fraction": 0.3,
                                      "charge_by": "diffusion", "time_steps": 20,
                                      "mesh_size": "2 um", "interface_mesh_size": "0.7 um",
                                      "volume_change_charge": [0.0, 0.5, 1.0],
                                      "volume_change_values": [0.0, -0.02, -0.078]},
                         "output": {"fields": False, "plots": False}})
    comm = MPI.COMM_WORLD
    path = comm.bcast(str(tmp_path / "cube") if comm.rank == 0 else None, root=0)
    folder = RunFolder(comm, path, overwrite=True)
    summary = run_case(case, folder, comm)
    folder.release()
    s = summary["scalars"]
    assert summary["stopped_by"] == "isolated" and summary["files"] == ["history.csv"]
    steps = s["steps"]["value"]
    assert 1 <= steps < 20
    assert s["charge_reached"]["value"] == pytest.approx(steps / 20, rel=1e-9)


@pytest.mark.mpi
@pytest.mark.slow
def test_contact_limited_charge_quick(shared_tmp_path):
    """The quick benchmark on 1 or 2 ranks: Li balance, closed form, uniform limit, refinement;
    a higher stack pressure charges further."""
    from ssbx.benchmarks.framework import run_benchmark

    result = run_benchmark("contact_limited_charge", MPI.COMM_WORLD, None, True,
                           Path(shared_tmp_path) / "bench")
    assert all(c.passed for c in result.checks), [c.to_dict() for c in result.checks]
    reached = result.findings["charge_reached"]
    assert reached["100 MPa, C/10, D 4e-15"] > 4 * reached["10 MPa, C/10, D 4e-15"]
