"""A Li disc electrode (radius a) on a large electrolyte cylinder, axisymmetric, with a ring crack
at its edge: the current against the disc's closed forms, and the ring crack's K against the
plane-strain edge crack.

Current: a disc of radius a on the end face of a cylinder of radius b = a/eps (the rest of the
face bare), the counter electrode on the far end (uniform flux), linear kinetics
``i = eta / Z`` with Wagner number ``Wa = Z kappa / a``. The resistance between the Li and the
counter electrode (mean potential of the uniform-flux end over the current) less the cylinder's
``H / (kappa pi b^2)`` and the kinetic ``Z / A_Li`` is the access resistance. Primary limit
(Wa -> 0): ``1/(4 kappa a)`` (Newman, J. Electrochem. Soc. 113, 501, 1966) times the constriction
factor of an equipotential disc on a tube ``1 - 1.40925 eps`` (R. D. Gibson, Appl. Energy 2,
57, 1976; the eps^3 term, 0.296 eps^3, is 2e-6 here; ssbx's residual after it is 1.5-2.4e-4 at
eps = 0.01-0.04, so the coefficient holds to ~0.003), and the cumulative current inside radius rho,
the current distribution ``i/i_avg = 1/(2 sqrt(1 - r^2/a^2))`` through its moments
``<r^2>/a^2 = 2/3`` and ``<r^4>/a^4 = 8/15`` (uniform: 1/2 and 1/3; smooth weights, no facet
straddles a cut).
Uniform limit (Wa -> inf): the mean potential of a uniform flux, ``32/(3 pi^2)`` times
``1/(4 kappa a)`` in a half-space; the tube lowers it by ~1.3 eps (observed, not compared).
The ring crack of depth 1e-4 a at the edge is the model's Li-wetted flaw: its faces add
``4 pi a c`` to the Li area.
"""

from __future__ import annotations

import itertools
import math

from mpi4py import MPI

import pytest
import ufl
from dolfinx import fem

from ssbx.meshes.crack_geometry import validate_crack
from ssbx.meshes.cracks import CrackMeshSizes, CrackSpec, build_crack_mesh, default_sizes
from ssbx.meshes.tags import CrackTag
from ssbx.physics import fracture as fr
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.physics.kinetics import LinearKinetics
from ssbx.problems.crack_current import CrackCurrentProblem
from ssbx.problems.fracture import CrackLoads, CrackProblem

A = 10e-6  # disc radius [m]
KAPPA = 0.05  # 0.5 mS/cm
EPS = 0.02  # a / b
B = A / EPS
FLAW = 1e-4 * A
OMEGA = 12.998e-6
I_TOP = 10.0  # A/m^2 on the counter electrode
GIBSON = 1.40925
UNIFORM = 32.0 / (3.0 * math.pi**2)
LLZO = ElasticMaterial("LLZO", 150e9, 0.25)
P = 100e6


def _disc_mesh(comm: MPI.Comm, refinement: float):
    spec = CrackSpec("edge", FLAW, B, B, position=A, voids=((A, B),), ring=True)
    sizes = CrackMeshSizes(tip=FLAW / 10 / refinement, face=FLAW / 5 / refinement, far=B / 10,
                           tip_zone=FLAW, growth=0.08 / refinement)
    return build_crack_mesh(comm, spec, sizes)


def _access(mesh, wagner: float, powers: tuple[int, ...] = ()) -> tuple[float, list[float]]:
    """(access resistance x 4 kappa a, the moments <(r/a)^k> of the current over the disc for
    each k of ``powers``)."""
    Z = wagner * A / KAPPA
    problem = CrackCurrentProblem(mesh, KAPPA, LinearKinetics(Z), OMEGA,
                                  options_prefix="ssbx_test_disc_")
    solution = problem.solve(I_TOP, 0.0)
    current = I_TOP * math.pi * B**2
    li_area = math.pi * A**2 + 4.0 * math.pi * A * FLAW
    access = (abs(solution.top_potential) / current - B / (KAPPA * math.pi * B**2)
              - Z / li_area) * 4.0 * KAPPA * A
    x = ufl.SpatialCoordinate(mesh.mesh)
    comm = mesh.comm
    # the Li: the disc and the flaw's faces (the flaw takes the edge current there)
    ds = (problem.ds(int(CrackTag.INTERFACE)) + problem.ds(int(CrackTag.FACE_A))
          + problem.ds(int(CrackTag.FACE_B)))
    total = comm.allreduce(fem.assemble_scalar(fem.form(problem.phi * x[0] * ds)))
    moments = []
    for k in powers:
        part = fem.assemble_scalar(fem.form((x[0] / A) ** k * problem.phi * x[0] * ds))
        moments.append(comm.allreduce(part) / total)
    problem.close()
    return access, moments


@pytest.fixture(scope="module")
def disc():
    return [_disc_mesh(MPI.COMM_WORLD, r) for r in (1.0, 2.0)]


def test_primary_access_resistance_and_distribution(disc):
    """Wa = 1e-4: the access resistance is Newman's 1/(4 kappa a) times Gibson's tube factor
    within 0.1 % (observed 0.02 %), the same on the refined mesh within 0.01 %; the moments
    <r^2>, <r^4> of the current (disc and flaw faces) are the primary distribution's 2/3, 8/15
    within 0.3 % (observed -0.03 %, -0.06 %; on the disc alone -0.7 %, -1.3 %: the flaw takes
    the edge current, ~sqrt(c/a))."""
    coarse, moments = _access(disc[0], 1e-4, (2, 4))
    fine, fine_moments = _access(disc[1], 1e-4, (2, 4))
    assert coarse == pytest.approx(1.0 - GIBSON * EPS, rel=1e-3)
    assert fine == pytest.approx(coarse, rel=1e-4)
    for moment, fine_moment, exact in zip(moments, fine_moments, (2.0 / 3.0, 8.0 / 15.0),
                                          strict=True):
        assert moment == pytest.approx(exact, rel=3e-3)
        assert fine_moment == pytest.approx(moment, rel=1e-4)


def test_secondary_distribution_between_the_limits(disc):
    """The access resistance rises with the Wagner number from the primary to the uniform
    value (the kinetic resistance evens the current out): monotonic over Wa = 1e-4 ... 1000,
    Wa = 1000 within 3 % below the half-space uniform-flux 32/(3 pi^2) (the tube lowers it by
    ~1.3 eps = 2.6 %), and the moment <r^2> of the current at Wa = 1000 the uniform 1/2 within
    1 %."""
    values = [_access(disc[0], wagner)[0] for wagner in (1e-4, 0.1, 1.0, 10.0)]
    last, fractions = _access(disc[0], 1000.0, (2,))
    values.append(last)
    assert all(b > a for a, b in itertools.pairwise(values))
    assert last < UNIFORM
    assert last == pytest.approx(UNIFORM, rel=0.03)
    assert fractions[0] == pytest.approx(0.5, rel=0.01)


def _ring_k(comm: MPI.Comm, c: float, radius: float, refinement: float = 1.0):
    spec = CrackSpec("edge", c, radius + 40 * c, 40 * c, position=radius, ring=True)
    mesh = build_crack_mesh(comm, spec, default_sizes(spec, refinement=refinement))
    problem = CrackProblem(mesh, LLZO, support="roller", options_prefix="ssbx_test_ring_")
    solution = problem.solve(CrackLoads(li_pressure=P))
    problem.close()
    return solution


def test_ring_crack_tends_to_the_plane_strain_edge_crack():
    """A ring crack of depth c at radius r0 under Li pressure: K_I / (1.1215 p sqrt(pi c)) - 1
    is -10.9 %, -3.7 %, -1.2 %, -0.5 % at c/r0 = 0.2, 0.1, 0.05, 0.025 (observed; the planar
    edge crack in the same 40 c box: +0.4 %): asserted |deviation| falling with c/r0 and < 1 % at
    0.025; J = (K_I^2 + K_II^2)/E' (interaction integral) within 1 %; domain spread < 1e-3."""
    c = 1e-6
    e_prime = fr.plane_strain_modulus(LLZO.E, LLZO.nu)
    deviations = []
    for ratio in (0.2, 0.1, 0.05, 0.025):
        solution = _ring_k(MPI.COMM_WORLD, c, c / ratio)
        mean = solution.tip_mean()
        deviations.append(mean["K_I"] / fr.edge_k(P, c) - 1.0)
        assert mean["spread"] < 1e-3
        assert mean["J"] == pytest.approx((mean["K_I"] ** 2 + mean["K_II"] ** 2) / e_prime,
                                          rel=0.01)
        assert abs(mean["K_II"]) < 0.02 * mean["K_I"]
        assert solution.crack_volume > 0.0
    assert all(abs(b) < abs(a) for a, b in itertools.pairwise(deviations))
    assert abs(deviations[-1]) < 0.01
    assert deviations[0] == pytest.approx(-0.109, abs=0.01)


def test_conical_ring_crack_j_equals_the_interaction_integral():
    """An inclined ring crack (a cone, 1 um at r0 = 5 um, +-30 degrees from the normal) is
    mixed-mode: the hoop terms of the axisymmetric interaction integral then act (q has an r
    component); J = (K_I^2 + K_II^2)/E' within 1 % (observed 0.4 %, as in plane strain), K_II
    changes sign with the inclination and is larger towards the axis (observed 0.0591 vs
    0.0439 MPa m^0.5; plane strain 0.0466 both ways)."""
    e_prime = fr.plane_strain_modulus(LLZO.E, LLZO.nu)
    k_ii = []
    for degrees in (30.0, -30.0):
        spec = CrackSpec("edge", 1e-6, 45e-6, 40e-6, position=5e-6, ring=True,
                         inclination=math.radians(degrees))
        mesh = build_crack_mesh(MPI.COMM_WORLD, spec, default_sizes(spec))
        problem = CrackProblem(mesh, LLZO, support="roller", options_prefix="ssbx_test_cone_")
        mean = problem.solve(CrackLoads(li_pressure=P)).tip_mean()
        problem.close()
        assert mean["J"] == pytest.approx((mean["K_I"] ** 2 + mean["K_II"] ** 2) / e_prime,
                                          rel=0.01)
        assert mean["spread"] < 1e-3
        k_ii.append(mean["K_II"])
    assert k_ii[0] > 0.0 > k_ii[1]
    assert -k_ii[1] > 1.2 * k_ii[0]


def test_ring_crack_validation():
    """Impossible ring cracks are refused before meshing, each problem named."""
    with pytest.raises(ValueError, match="off the axis"):
        validate_crack(CrackSpec("edge", 5e-6, 40e-6, 40e-6, position=2e-6, ring=True))
    with pytest.raises(ValueError, match="cannot cross the axis"):
        validate_crack(CrackSpec("edge", 20e-6, 40e-6, 40e-6, position=10e-6, ring=True,
                                 inclination=math.radians(-60.0)))
    with pytest.raises(ValueError, match="needs an edge crack"):
        validate_crack(CrackSpec("internal", 1e-6, 40e-6, 40e-6, ring=True))
    with pytest.raises(ValueError, match=r"within \[0, width\]"):
        validate_crack(CrackSpec("edge", 1e-6, 40e-6, 40e-6, position=10e-6, ring=True,
                                 voids=((-5e-6, 5e-6),)))
    with pytest.raises(ValueError, match="lies inside void"):
        validate_crack(CrackSpec("edge", 1e-6, 40e-6, 40e-6, position=10e-6, ring=True,
                                 voids=((5e-6, 20e-6),)))
    spec = CrackSpec("edge", 1e-6, 40e-6, 40e-6, position=10e-6, ring=True)
    validate_crack(spec)
    assert spec.axisymmetric and spec.x_range == (0.0, 40e-6)
    assert not CrackSpec("edge", 1e-6, 40e-6, 40e-6).axisymmetric


@pytest.mark.mpi
def test_ring_crack_parallel_equals_serial(comm):
    """A ring crack with a Li disc ending at its mouth: K, J, volumes and the disc's
    current on the world communicator and on one rank agree to 1e-8 (serially and under
    mpirun -n 2)."""
    spec = CrackSpec("edge", 1e-6, 30e-6, 20e-6, position=10e-6, voids=((10e-6, 30e-6),),
                     ring=True, inclination=math.radians(15.0), fill=0.7e-6)
    results = []
    for communicator in (comm, MPI.COMM_SELF):
        mesh = build_crack_mesh(communicator, spec, default_sizes(spec))
        problem = CrackProblem(mesh, LLZO, support="roller", options_prefix="ssbx_test_rpar_")
        solution = problem.solve(CrackLoads(li_pressure=P, stack_pressure=5e6))
        problem.close()
        current = CrackCurrentProblem(mesh, KAPPA, LinearKinetics(1e-3), OMEGA,
                                      options_prefix="ssbx_test_rpar_phi_")
        phi = current.solve(I_TOP, 50e6, 5e6)
        current.close()
        results.append((solution.tip_mean(), solution.li_volume, phi))
    (a, va, pa), (b, vb, pb) = results
    for key in ("J", "K_I", "K_II"):
        assert a[key] == pytest.approx(b[key], rel=1e-8, abs=1e-8 * abs(b["K_I"]))
    assert a["K_II"] != 0.0
    assert va == pytest.approx(vb, rel=1e-8)
    for key in ("crack_current", "top_potential", "electrode_current",
                "interface_overpotential"):
        assert getattr(pa, key) == pytest.approx(getattr(pb, key), rel=1e-8)
    assert pa.electrode_current == pytest.approx(I_TOP * (30 / 10) ** 2, rel=1e-9)


@pytest.mark.slow
def test_disc_electrode_edge_quick(tmp_path):
    """Quick variant of the benchmark (LLZTO, R = 100 um): the ring flaw's p_c within 2 % of
    the edge crack, the edge flaw first (focusing 3.73 in the full run, > 2 asserted), and the
    committed full result's numbers reproduced to 1e-6 for that disc."""
    import json
    from pathlib import Path

    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "disc_electrode_edge"
    result = run_benchmark("disc_electrode_edge", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    for name in ("disc_electrode_edge.csv", "disc_electrode_edge.png", "result.json"):
        assert (out / name).stat().st_size > 0, name
    (row,) = json.loads((out / "result.json").read_text())["findings"]["rows"]
    assert row["focusing"] > 2.0
    committed = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / \
        "disc_electrode_edge" / "result.json"
    full = next(r for r in json.loads(committed.read_text())["findings"]["rows"]
                if r["electrolyte"] == "LLZTO" and r["disc_radius_um"] == 100.0)
    for key in ("ccp_edge_mA_per_cm2", "ccp_mid_mA_per_cm2", "p_c_edge_MPa"):
        assert row[key] == pytest.approx(full[key], rel=1e-6)
