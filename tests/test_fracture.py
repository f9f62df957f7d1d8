"""Linear-elastic fracture of Li-filled cracks against closed forms (Tada, Paris & Irwin 2000).

Each geometry is solved once per process (module fixtures) on the default mesh and, where the
test is about convergence, on a mesh refined twice. Tolerances are the issue's 2 %; the observed
errors are ~0.1-0.7 % (the finite 40 a x 40 a plate accounts for ~0.3 % of the Griffith error).
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
import pytest

from ssbx.meshes.cracks import CrackSpec, build_crack_mesh, default_sizes, validate_crack
from ssbx.physics import fracture as fr
from ssbx.physics.constants import FARADAY
from ssbx.physics.elastic_material import ElasticMaterial
from ssbx.problems.fracture import CrackLoads, CrackProblem

A = 1e-6  # crack length scale [m]
P = 100e6  # Li pressure [Pa]
PLATE = 40e-6  # electrolyte width and height [m]
LLZO = ElasticMaterial("LLZO", 150e9, 0.25)
E_PRIME = fr.plane_strain_modulus(LLZO.E, LLZO.nu)
LI_MOLAR_VOLUME = 12.998e-6


def _solve(comm: MPI.Comm, spec: CrackSpec, loads: CrackLoads, refinement: float = 1.0,
           support: str = "free"):
    mesh = build_crack_mesh(comm, spec, default_sizes(spec, refinement=refinement))
    problem = CrackProblem(mesh, LLZO, support=support)
    return problem, problem.solve(loads)


@pytest.fixture(scope="module")
def griffith():
    spec = CrackSpec("internal", A, PLATE, PLATE)
    return [_solve(MPI.COMM_WORLD, spec, CrackLoads(li_pressure=P), r)[1] for r in (1.0, 2.0)]


@pytest.fixture(scope="module")
def edge():
    spec = CrackSpec("edge", A, PLATE, PLATE)
    return _solve(MPI.COMM_WORLD, spec, CrackLoads(li_pressure=P), support="roller")


# --------------------------------------------------------------------------- closed forms


def test_closed_forms_of_the_issue():
    """p = F|eta|/Omega is 742 MPa at 100 mV; a 1 um LLZO edge flaw (K_Ic 1.0 MPa m^0.5)
    extends at ~500 MPa, i.e. ~68 mV; eta_c scales as c^-1/2."""
    assert fr.max_li_pressure(0.1, LI_MOLAR_VOLUME) == pytest.approx(742.3e6, rel=1e-3)
    p_c = fr.critical_pressure(1.0e6, 1e-6, fr.EDGE_FACTOR)
    assert p_c == pytest.approx(503e6, rel=2e-3)
    eta = fr.critical_overpotential(1.0e6, 1e-6, fr.EDGE_FACTOR, LI_MOLAR_VOLUME)
    assert eta == pytest.approx(0.0678, rel=3e-3)
    eta_4 = fr.critical_overpotential(1.0e6, 4e-6, fr.EDGE_FACTOR, LI_MOLAR_VOLUME)
    assert eta / eta_4 == pytest.approx(2.0, rel=1e-12)
    assert eta == pytest.approx(LI_MOLAR_VOLUME * p_c / FARADAY, rel=1e-12)


def test_griffith_weight_function():
    """The quadrature of the Griffith weight function gives the uniform and the partially
    loaded closed forms."""
    assert fr.griffith_weight_k(lambda x: np.full_like(x, P), A) == pytest.approx(
        fr.griffith_k(P, A), rel=1e-6)
    for b in (0.25 * A, 0.5 * A, 0.9 * A):
        loaded = fr.griffith_weight_k(lambda x, b=b: np.where(np.abs(x) < b, P, 0.0), A)
        assert loaded == pytest.approx(fr.griffith_partial_k(P, A, b), rel=2e-3)
    # a pressure near the tip counts more than one near the centre
    near_tip = fr.griffith_weight_k(lambda x: np.where(x > 0.5 * A, P, 0.0), A)
    assert near_tip > 0.5 * fr.griffith_k(P, A)


def test_invalid_cracks_are_refused():
    with pytest.raises(ValueError, match="fill"):
        validate_crack(CrackSpec("edge", A, PLATE, PLATE, fill=2 * A))
    with pytest.raises(ValueError, match="inside the electrolyte"):
        validate_crack(CrackSpec("internal", A, PLATE, PLATE, depth=0.5 * A))
    with pytest.raises(ValueError, match="penny"):
        validate_crack(CrackSpec("penny", A, PLATE, PLATE, inclination=0.3))


# --------------------------------------------------------------------------- finite elements


def test_griffith_crack_k_volume_and_opening(griffith):
    """K_I = p sqrt(pi a) by J and by the interaction integral at both tips, within 1 %;
    opening volume 2 pi p a^2/E' and the elliptical opening profile."""
    k_ref = fr.griffith_k(P, A)
    for solution in griffith:
        for tip in range(2):
            mean = solution.tip_mean(tip)
            assert mean["K_I"] == pytest.approx(k_ref, rel=0.01)
            assert math.sqrt(mean["J"] * E_PRIME) == pytest.approx(k_ref, rel=0.01)
            assert abs(mean["K_II"]) < 1e-3 * k_ref
            assert mean["G"] == pytest.approx(mean["J"], rel=0.01)
        assert solution.crack_volume == pytest.approx(fr.griffith_volume(P, A, E_PRIME),
                                                      rel=0.01)
        assert solution.li_volume == pytest.approx(solution.crack_volume, rel=1e-12)
        s, opening = solution.opening
        assert s.min() == pytest.approx(-A) and s.max() == pytest.approx(A)
        exact = fr.griffith_opening(P, A, s, E_PRIME)
        assert np.max(np.abs(opening - exact)) < 0.02 * exact.max()


def test_griffith_mesh_convergence_and_domain_independence(griffith):
    """Refining the mesh twice moves K_I by < 0.5 % and the interaction integral towards J;
    the three J-domains agree within 0.1 %."""
    coarse, fine = (s.tip_mean(0) for s in griffith)
    assert fine["K_I"] == pytest.approx(coarse["K_I"], rel=0.005)
    gap = [abs(m["K_I"] - math.sqrt(m["J"] * E_PRIME)) for m in (coarse, fine)]
    assert gap[1] < gap[0]
    for solution in griffith:
        for tip in range(2):
            assert solution.tip_mean(tip)["spread"] < 1e-3
            j = [row.J for row in solution.tips[tip]]
            assert (max(j) - min(j)) / np.mean(j) < 1e-3


def test_edge_crack(edge):
    """K_I = 1.1215 p sqrt(pi c) of an edge crack in a half-plane (plate 40 c x 40 c): 1 %."""
    _, solution = edge
    mean = solution.tip_mean(0)
    assert mean["K_I"] == pytest.approx(fr.edge_k(P, A), rel=0.01)
    assert abs(mean["K_II"]) < 1e-3 * mean["K_I"]
    assert mean["spread"] < 2e-3


def test_penny_crack():
    """Penny crack (axisymmetric J with the hoop terms): K_I = 2 p sqrt(a/pi) and volume
    16 (1 - nu^2) p a^3/(3 E), within 1 %."""
    spec = CrackSpec("penny", A, 20e-6, 20e-6)
    _, solution = _solve(MPI.COMM_WORLD, spec, CrackLoads(li_pressure=P))
    mean = solution.tip_mean(0)
    assert mean["K_I"] == pytest.approx(fr.penny_k(P, A), rel=0.01)
    assert mean["spread"] < 1e-3
    assert solution.crack_volume == pytest.approx(fr.penny_volume(P, A, LLZO.E, LLZO.nu),
                                                  rel=0.01)
    s, opening = solution.opening
    exact = 8.0 * (1 - LLZO.nu ** 2) * P / (math.pi * LLZO.E) * np.sqrt(np.clip(A * A - s * s,
                                                                             0, None))
    assert np.max(np.abs(opening - exact)) < 0.02 * exact.max()


def test_inclined_crack_mixed_mode():
    """A Griffith crack at 30 degrees to a remote uniaxial stress: K_I = sigma cos^2 beta
    sqrt(pi a), K_II = sigma sin beta cos beta sqrt(pi a) at both tips (interaction
    integral), and G = J."""
    beta = math.radians(30.0)
    spec = CrackSpec("internal", A, PLATE, PLATE, inclination=beta)
    _, solution = _solve(MPI.COMM_WORLD, spec, CrackLoads(remote_stress=(0.0, P, 0.0)))
    k_i, k_ii = fr.inclined_griffith_k(P, A, beta)
    for tip in range(2):
        mean = solution.tip_mean(tip)
        assert mean["K_I"] == pytest.approx(k_i, rel=0.01)
        assert mean["K_II"] == pytest.approx(k_ii, rel=0.01)
        assert mean["G"] == pytest.approx(mean["J"], rel=0.005)


def test_partially_filled_crack():
    """Li in the middle half of a Griffith crack (dry tips): K_I against the weight-function
    closed form p sqrt(pi a) (2/pi) asin(b/a), 1.5 %; the Li volume is the filled part's."""
    spec = CrackSpec("internal", A, PLATE, PLATE, fill=0.5 * A)
    _, solution = _solve(MPI.COMM_WORLD, spec, CrackLoads(li_pressure=P))
    k_ref = fr.griffith_partial_k(P, A, 0.5 * A)
    for tip in range(2):
        assert solution.tip_mean(tip)["K_I"] == pytest.approx(k_ref, rel=0.015)
    assert 0.5 * solution.crack_volume < solution.li_volume < solution.crack_volume


def test_critical_pressure_with_stack_pressure_and_in_plane_compression(edge):
    """Linearity gives the critical Li pressure of the edge flaw: K_Ic/(1.1215 sqrt(pi c))
    without other loads; a stack pressure normal to the interface leaves it (a crack normal to
    the interface does not feel sigma_yy); an in-plane compression sigma adds |sigma| (the
    same uniform closing traction on the faces)."""
    problem, _ = edge
    toughness = 1.0e6
    p_c, _, _ = problem.critical_li_pressure(toughness, CrackLoads())
    assert p_c == pytest.approx(fr.critical_pressure(toughness, A, fr.EDGE_FACTOR), rel=0.01)
    p_stack, _, _ = problem.critical_li_pressure(toughness, CrackLoads(stack_pressure=5e6))
    assert p_stack == pytest.approx(p_c, rel=2e-3)
    p_comp, _, _ = problem.critical_li_pressure(toughness, CrackLoads(in_plane_stress=-200e6))
    assert p_comp - p_c == pytest.approx(200e6, rel=0.01)


@pytest.mark.mpi
def test_parallel_equals_serial(comm):
    """The same edge crack on the world communicator and on one rank: K, J, volume agree to
    1e-8 (run serially and under mpirun -n 2)."""
    spec = CrackSpec("edge", A, PLATE, PLATE, inclination=math.radians(20.0), fill=0.7 * A)
    loads = CrackLoads(li_pressure=P, stack_pressure=5e6)
    _, world = _solve(comm, spec, loads, support="roller")
    _, alone = _solve(MPI.COMM_SELF, spec, loads, support="roller")
    a, b = world.tip_mean(0), alone.tip_mean(0)
    for key in ("J", "K_I", "K_II"):
        assert a[key] == pytest.approx(b[key], rel=1e-8, abs=1e-8 * abs(b["K_I"]))
    assert world.li_volume == pytest.approx(alone.li_volume, rel=1e-8)
    assert len(world.opening[0]) == len(alone.opening[0])
    assert np.allclose(world.opening[1], alone.opening[1], rtol=1e-7, atol=1e-9 * A)
    assert a["K_II"] != 0.0  # an inclined crack is mixed-mode


def test_kink_angle_limits():
    """Maximum tangential stress kink: 0 in mode I, -70.53 degrees in pure mode II (and the
    opposite sign of K_II)."""
    assert fr.kink_angle(1.0, 0.0) == 0.0
    assert math.degrees(fr.kink_angle(0.0, 1.0)) == pytest.approx(-70.5288, abs=1e-3)
    assert fr.kink_angle(1.0, -0.3) == pytest.approx(-fr.kink_angle(1.0, 0.3))


@pytest.mark.slow
def test_li_filled_flaws_quick(tmp_path):
    """Quick variant of the flaw benchmark: FE within 2 % of Porz's closed form at 1 and
    10 um in both electrolytes, and in-plane compression turns the inclined flaw further; the
    outputs are written."""
    import json

    from ssbx.benchmarks.framework import run_benchmark

    out = tmp_path / "li_filled_flaws"
    result = run_benchmark("li_filled_flaws", MPI.COMM_SELF, None, True, out)
    assert result.passed, result.summary
    for name in ("li_filled_flaws.csv", "li_filled_flaws.png", "result.json"):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "result.json").read_text())
    assert data["findings"]["closed_form_error_max"] < 0.02
    eta = data["findings"]["LLZTO_1um"]["eta_c_mV"]
    assert eta == pytest.approx(1e3 * fr.critical_overpotential(
        1.25e6, 1e-6, fr.EDGE_FACTOR, LI_MOLAR_VOLUME), rel=0.02)
