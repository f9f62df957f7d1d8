"""The current-distribution solver against closed-form answers (docs/physics.md, section 7).

a. flat, fully contacting interface (1-D): ohmic + linear / Butler–Volmer kinetics, galvanostatic
   and potentiostatic, ideal and symmetric counter electrode, Arrhenius conductivity;
b. periodic strip contacts, primary distribution: constriction resistance
   ``(1/(pi kappa)) ln(1/sin(pi a / (2b)))`` per period and unit depth;
c. disk contact on an insulating plane (axisymmetric, primary): ``R = 1/(4 kappa a)`` (Newman,
   J. Electrochem. Soc. 113 (1966) 501) with the truncation correction ``1/(2 pi kappa R_f)``
   and ``i/i_avg = 0.5/sqrt(1-(r/a)^2)``;
d. similarity: the normalised interface profile depends only on ``l/(Z kappa)`` and aspect ratios;
e. (mpi) a void case on COMM_WORLD equals the same case on COMM_SELF.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import gmsh
import numpy as np
import pytest
from gmsh_models import gmsh_mesh

from ssbx.meshes.cell import build_cell_mesh
from ssbx.meshes.spec import CellGeometrySpec, MeshSizeSpec, VoidSpec
from ssbx.meshes.tags import FacetTag
from ssbx.physics.conductivity import arrhenius
from ssbx.physics.constants import LI_MOLAR_VOLUME, thermal_voltage
from ssbx.physics.kinetics import ButlerVolmer, LinearKinetics, PrimaryKinetics
from ssbx.problems.current import (
    CurrentSettings,
    ElectrolyteDomain,
    electrolyte_domain,
    solve_current_distribution,
)

UM = 1e-6
T_ROOM = 298.15
KAPPA = 0.05  # S/m (0.5 mS/cm, LLZO-like)


# --------------------------------------------------------------------------------------------
# a. flat interface, no void: the 1-D cell
# --------------------------------------------------------------------------------------------
FLAT = CellGeometrySpec(kind="planar", h_se=50 * UM, h_li=20 * UM, width=100 * UM)
FLAT_SIZES = MeshSizeSpec(size_fine=10 * UM, size_coarse=10 * UM, grading_distance=10 * UM)


@pytest.fixture(scope="module")
def flat_domain():
    cell_mesh = build_cell_mesh(MPI.COMM_WORLD, FLAT, FLAT_SIZES)
    return electrolyte_domain(cell_mesh)


def _solve(domain, prefix, **settings):
    settings.setdefault("conductivity", KAPPA)
    settings.setdefault("molar_volume", LI_MOLAR_VOLUME)
    return solve_current_distribution(domain, CurrentSettings(**settings), prefix=prefix)


@pytest.mark.mpi
def test_flat_linear_kinetics(flat_domain):
    """V = i (h_se/kappa + Z); no constriction; the energy balance closes."""
    z, i = 1e-3, 10.0  # 10 ohm cm^2, 1 mA/cm^2
    res = _solve(flat_domain, "flat_lin_", kinetics=LinearKinetics(z), current_density=i,
                 degree=1)
    s = res.scalars
    h = FLAT.h_se
    assert flat_domain.thickness == h
    assert s["cell_voltage"] == pytest.approx(i * (h / KAPPA + z), rel=1e-10)
    assert s["asr_total"] == pytest.approx(h / KAPPA + z, rel=1e-10)
    assert s["asr_bulk"] == pytest.approx(h / KAPPA, rel=1e-14)
    assert abs(s["asr_constriction"]) < 1e-8 * s["asr_total"]
    assert s["asr_charge_transfer"] == pytest.approx(z, rel=1e-10)
    assert s["asr_counter_electrode"] == 0.0
    assert abs(s["energy_balance_error"]) < 1e-10
    assert s["contact_fraction"] == pytest.approx(1.0, rel=1e-12)
    assert s["current_density_mean"] == i
    assert s["current_density_contact_mean"] == pytest.approx(i, rel=1e-10)
    assert s["peak_to_mean_ratio"] == pytest.approx(1.0, rel=1e-10)
    assert s["characteristic_length"] == pytest.approx(z * KAPPA, rel=1e-14)
    np.testing.assert_allclose(res.profile.current_density, i, rtol=1e-10)
    np.testing.assert_allclose(res.profile.overpotential, i * z, rtol=1e-10)
    assert res.profile.position[0] == pytest.approx(0.0, abs=1e-15)
    assert res.profile.position[-1] == pytest.approx(FLAT.width, rel=1e-12)


def _symmetric_cell_voltage(i, i0, kappa, h, temperature):
    """V = i h / kappa + 2 (2RT/F) asinh(i / (2 i0)) (alpha_a = alpha_c = 1/2; docs/physics.md)."""
    return i * h / kappa + 2.0 * 2.0 * thermal_voltage(temperature) * math.asinh(i / (2.0 * i0))


@pytest.mark.mpi
@pytest.mark.parametrize("i", [10.0, -40.0])
def test_flat_symmetric_butler_volmer_cell(flat_domain, i):
    """Symmetric Li | SE | Li cell: galvanostatic voltage and its potentiostatic inverse."""
    i0 = 5.0
    bv = ButlerVolmer(exchange_current_density=i0, alpha_a=0.5, alpha_c=0.5,
                      temperature=T_ROOM)
    v_exact = _symmetric_cell_voltage(i, i0, KAPPA, FLAT.h_se, T_ROOM)
    galv = _solve(flat_domain, "flat_sym_g_", kinetics=bv, current_density=i,
                  counter_electrode="symmetric", degree=1).scalars
    assert galv["cell_voltage"] == pytest.approx(v_exact, rel=1e-9)
    eta = bv.overpotential_for(i)
    assert galv["asr_counter_electrode"] == pytest.approx(eta / i, rel=1e-9)
    assert galv["asr_charge_transfer"] == pytest.approx(eta / i, rel=1e-9)
    assert abs(galv["energy_balance_error"]) < 1e-9
    # potentiostatic: the symmetric counter electrode's kinetics enter the residual
    pot = _solve(flat_domain, "flat_sym_p_", kinetics=bv, mode="potentiostatic",
                 voltage=v_exact, counter_electrode="symmetric", degree=1).scalars
    assert pot["current_density_mean"] == pytest.approx(i, rel=1e-9)
    assert pot["asr_counter_electrode"] == pytest.approx(eta / i, rel=1e-8)
    assert pot["newton_iterations"] >= 2
    assert abs(pot["energy_balance_error"]) < 1e-8


@pytest.mark.parametrize("i", [25.0, -25.0])
def test_flat_potentiostatic_butler_volmer_ideal_counter(flat_domain, i):
    """Asymmetric BV (0.3/0.7), ideal counter electrode: the current solves the 1-D relation
    V = i h / kappa + eta_BV(i)."""
    bv = ButlerVolmer(exchange_current_density=2.0, alpha_a=0.3, alpha_c=0.7,
                      temperature=T_ROOM)
    voltage = i * FLAT.h_se / KAPPA + bv.overpotential_for(i)
    s = _solve(flat_domain, "flat_bv_p_", kinetics=bv, mode="potentiostatic", voltage=voltage,
               degree=1).scalars
    assert s["current_density_mean"] == pytest.approx(i, rel=1e-9)
    assert s["current_density_contact_mean"] == pytest.approx(i, rel=1e-9)
    assert s["cell_voltage"] == voltage
    assert abs(s["asr_constriction"]) < 1e-8 * s["asr_total"]
    assert abs(s["energy_balance_error"]) < 1e-9


def test_flat_temperature_dependence(flat_domain):
    """Arrhenius conductivity and exchange current: V(T) follows the 1-D formula at each T."""
    kappa_ref, ea_kappa, i0_ref, ea_i0 = KAPPA, 30e3, 5.0, 45e3
    i = 10.0
    voltages = []
    for temperature in (273.15, 333.15):
        kappa = arrhenius(kappa_ref, ea_kappa, temperature, T_ROOM)
        i0 = arrhenius(i0_ref, ea_i0, temperature, T_ROOM)
        bv = ButlerVolmer(exchange_current_density=i0, temperature=temperature)
        s = _solve(flat_domain, f"flat_T{temperature:.0f}_", conductivity=kappa, kinetics=bv,
                   current_density=i, counter_electrode="symmetric", degree=1).scalars
        assert s["conductivity"] == kappa
        assert s["cell_voltage"] == pytest.approx(
            _symmetric_cell_voltage(i, i0, kappa, FLAT.h_se, temperature), rel=1e-9)
        assert s["asr_bulk"] == pytest.approx(FLAT.h_se / kappa, rel=1e-14)
        voltages.append(s["cell_voltage"])
    assert voltages[0] > 3.0 * voltages[1]  # activated: a cold cell is far more resistive


# --------------------------------------------------------------------------------------------
# b. periodic strip contacts, primary current distribution
# --------------------------------------------------------------------------------------------
# Period 2b = 100 um, one void centred at b of width 2(b - a): contact half-widths a at x = 0 and
# x = 2b, i.e. strips of width 2a with period 2b (the sides are symmetry planes). h_se = 6b: the
# first Fourier mode decays as exp(-pi y / b), exp(-6 pi) ~ 7e-9 at the top.
# Convergence of the relative error of R_c with size_fine at the contact edges (P2, size_coarse
# 10 um, grading 50 um; the energy error of the r^-1/2 edge singularity is ~ size_fine):
#   size_fine [um]     1.0      0.2      0.05     0.01
#   a/b = 0.25     -7.7e-3  -1.7e-3  -4.4e-4  -9.3e-5
#   a/b = 0.6      -1.1e-2  -2.2e-3  -5.6e-4  -1.3e-4
# (P1 at size_fine 0.05 um: -7.8e-3 and -8.4e-3, limited by the coarse size.)
STRIP_B = 50 * UM
STRIP_SIZES = MeshSizeSpec(size_fine=0.05 * UM, size_coarse=10 * UM, grading_distance=STRIP_B)


def _strip_domain(ratio):
    b = STRIP_B
    a = ratio * b
    geometry = CellGeometrySpec(kind="planar", h_se=6 * b, h_li=b, width=2 * b,
                                voids=(VoidSpec(center=b, width=2 * (b - a), height=0.4 * b),))
    return electrolyte_domain(build_cell_mesh(MPI.COMM_WORLD, geometry, STRIP_SIZES))


def _strip_resistance(a, b, kappa):
    """Constriction resistance per period 2b and unit depth [ohm m] (docs/physics.md, section 7)."""
    return math.log(1.0 / math.sin(math.pi * a / (2.0 * b))) / (math.pi * kappa)


@pytest.mark.mpi
@pytest.mark.parametrize("ratio", [0.25, 0.6])
def test_strip_constriction_resistance(ratio):
    b, a = STRIP_B, ratio * STRIP_B
    domain = _strip_domain(ratio)
    s = _solve(domain, "strip_primary_", kinetics=PrimaryKinetics(), current_density=10.0,
               degree=2).scalars
    exact = _strip_resistance(a, b, KAPPA)
    r_c = (s["asr_total"] - domain.thickness / KAPPA) / (2 * b)
    if MPI.COMM_WORLD.rank == 0:
        print(f"\nstrip a/b = {ratio}: R_c kappa = {r_c * KAPPA:.6f}, exact {exact * KAPPA:.6f}, "
              f"relative error {r_c / exact - 1:.2e}")
    assert r_c == pytest.approx(exact, rel=2e-3)  # measured -4.4e-4 (0.25), -5.6e-4 (0.6)
    # the Joule heating gives the same constriction resistance (energy balance of a primary cell)
    assert s["asr_constriction"] / (2 * b) == pytest.approx(r_c, rel=1e-8)
    assert abs(s["energy_balance_error"]) < 1e-10
    assert s["contact_fraction"] == pytest.approx(ratio, rel=1e-12)
    assert s["current_density_contact_mean"] == pytest.approx(10.0 / ratio, rel=1e-9)
    assert s["peak_to_mean_ratio"] > 5.0  # the edge singularity
    assert min(abs(s["peak_position"] - a), abs(s["peak_position"] - (2 * b - a))) < 1e-12


def test_strip_secondary_limit():
    """Linear kinetics with Z kappa / a = 1e-4 reproduce the primary constriction resistance."""
    ratio = 0.25
    b, a = STRIP_B, ratio * STRIP_B
    z = 1e-4 * a / KAPPA
    domain = _strip_domain(ratio)
    primary = _solve(domain, "strip_primary_", kinetics=PrimaryKinetics(), current_density=10.0,
                     degree=2).scalars
    secondary = _solve(domain, "strip_linear_", kinetics=LinearKinetics(z),
                       current_density=10.0, degree=2).scalars
    r_c_primary = primary["asr_constriction"] / (2 * b)
    r_c_secondary = secondary["asr_constriction"] / (2 * b)
    r_total = (secondary["asr_total"] - domain.thickness / KAPPA) / (2 * b)
    # the charge-transfer part Z \int i^2 / I^2 exceeds Z / (2a) (uniform current) by the
    # logarithm of the edge singularity i^2 ~ 1/r, cut off at Z kappa
    r_ct = secondary["asr_charge_transfer"] / (2 * b)
    if MPI.COMM_WORLD.rank == 0:
        print(f"\nstrip a/b = {ratio}, Z kappa / a = 1e-4: R_c kappa = {r_c_secondary * KAPPA:.6f} "
              f"(primary {r_c_primary * KAPPA:.6f}), R_ct / (Z / 2a) = {r_ct / (z / (2 * a)):.3f}")
    assert r_total == pytest.approx(r_c_secondary + r_ct, rel=1e-9)
    assert z / (2 * a) < r_ct < 10.0 * z / (2 * a)
    assert r_ct < 1e-3 * r_c_primary
    assert r_c_secondary == pytest.approx(r_c_primary, rel=1e-3)
    assert r_total == pytest.approx(r_c_primary, rel=1e-3)
    assert r_c_secondary == pytest.approx(_strip_resistance(a, b, KAPPA), rel=2e-3)
    assert abs(secondary["energy_balance_error"]) < 1e-10


# --------------------------------------------------------------------------------------------
# c. disk contact on an insulating plane (axisymmetric), primary
# --------------------------------------------------------------------------------------------
def _quarter_disc(comm, r_far, size_fine, size_coarse, grading):
    """Nondimensional (a = 1) meridian section of a hemisphere of radius r_far: the disk
    [0, 1] x {0} is the contact (11), the arc the top (14); the rest of z = 0 and the axis are
    insulating. Graded from size_fine at the disk edge (1, 0)."""

    def build() -> None:
        geo = gmsh.model.geo
        o, edge = geo.addPoint(0, 0, 0), geo.addPoint(1, 0, 0)
        far, pole = geo.addPoint(r_far, 0, 0), geo.addPoint(0, r_far, 0)
        disk, plane = geo.addLine(o, edge), geo.addLine(edge, far)
        arc, axis = geo.addCircleArc(far, o, pole), geo.addLine(pole, o)
        surface = geo.addPlaneSurface([geo.addCurveLoop([disk, plane, arc, axis])])
        geo.synchronize()
        gmsh.model.addPhysicalGroup(2, [surface], 1)
        gmsh.model.addPhysicalGroup(1, [disk], int(FacetTag.CONTACT))
        gmsh.model.addPhysicalGroup(1, [arc], int(FacetTag.SE_TOP))
        field = gmsh.model.mesh.field
        dist = field.add("Distance")
        field.setNumbers(dist, "PointsList", [edge])
        thr = field.add("Threshold")
        field.setNumber(thr, "InField", dist)
        field.setNumber(thr, "SizeMin", size_fine)
        field.setNumber(thr, "SizeMax", size_coarse)
        field.setNumber(thr, "DistMin", 0.0)
        field.setNumber(thr, "DistMax", grading)
        field.setAsBackgroundMesh(thr)
        for option in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints",
                       "MeshSizeFromCurvature"):
            gmsh.option.setNumber(f"Mesh.{option}", 0)
        gmsh.model.mesh.generate(2)

    return gmsh_mesh(comm, "disk_contact", 2, build)


@pytest.mark.mpi
def test_disk_contact_resistance(comm):
    """Newman (1966): R = 1/(4 kappa a); the truncated hemisphere lacks 1/(2 pi kappa R_f).

    Scale-free, so a = 1 and kappa = 1. Measured (P2, size_fine 0.005 a, size_coarse 2 a,
    grading 10 a): corrected R error -5.3e-4 (R_f = 20 a) and -5.1e-4 (R_f = 40 a); profile
    i/i_avg at r = a/2 within 3e-4 (size_fine 0.02 a: -2.1e-3 and -4.0e-3), at r = 0, a/4, 3a/4,
    0.9a within 5.2e-3, 2.6e-4, 7.4e-4, 1.9e-3 (R_f = 20 a)."""
    kappa, voltage = 1.0, 1.0
    exact = 1.0 / (4.0 * kappa)
    resistances = {}
    for r_far in (20.0, 40.0):
        data = _quarter_disc(comm, r_far, size_fine=0.005, size_coarse=2.0, grading=10.0)
        domain = ElectrolyteDomain(mesh=data.mesh, facet_tags=data.facet_tags, axisymmetric=True,
                                   thickness=r_far)
        res = _solve(domain, "disk_", conductivity=kappa, kinetics=PrimaryKinetics(),
                     mode="potentiostatic", voltage=voltage, degree=2)
        s = res.scalars
        # total current through the disk: the contact mean times the disk area pi a^2 (the
        # "mean" current density is per top area, the polygonal hemisphere)
        assert s["contact_fraction"] * 2.0 * r_far**2 == pytest.approx(1.0, rel=5e-3)
        current = s["current_density_contact_mean"] * math.pi
        r_num = voltage / current
        resistances[r_far] = r_num
        corrected = r_num + 1.0 / (2.0 * math.pi * kappa * r_far)
        profile = res.profile
        assert np.all(np.isfinite(profile.current_density))
        shape = np.interp(0.5, profile.position, profile.current_density) \
            / s["current_density_contact_mean"]
        if comm.rank == 0:
            print(f"\ndisk R_f = {r_far:g} a: R kappa a = {r_num:.6f}, corrected {corrected:.6f} "
                  f"(exact 0.25, error {corrected / exact - 1:.2e}); i/i_avg(a/2) = {shape:.5f} "
                  f"(exact {0.5 / math.sqrt(0.75):.5f})")
        assert corrected == pytest.approx(exact, rel=2e-3)
        assert r_num < exact  # truncation underestimates R
        assert shape == pytest.approx(0.5 / math.sqrt(0.75), rel=1e-2)
        # the whole profile, including the axis node (where a P2 vertex has no lumped mass)
        r = np.array([0.0, 0.25, 0.75, 0.9])
        np.testing.assert_allclose(
            np.interp(r, profile.position, profile.current_density)
            / s["current_density_contact_mean"], 0.5 / np.sqrt(1.0 - r**2), rtol=1e-2)
        assert s["peak_position"] == pytest.approx(1.0, rel=1e-12)  # the disk edge
        assert abs(s["energy_balance_error"]) < 1e-10
    # the far-field correction itself: R(40) - R(20) = (1/20 - 1/40) / (2 pi kappa)
    assert resistances[40.0] - resistances[20.0] == pytest.approx(
        (1 / 20.0 - 1 / 40.0) / (2 * math.pi * kappa), rel=5e-2)


# --------------------------------------------------------------------------------------------
# d. similarity: the profile depends on l / (Z kappa) and the aspect ratios only
# --------------------------------------------------------------------------------------------
def _similar_case(length, kappa, z, current_density, prefix):
    """One void at 0.4 l of width 0.3 l in a cell of width l, h_se = l/2, h_li = l/5."""
    geometry = CellGeometrySpec(
        kind="planar", h_se=0.5 * length, h_li=0.2 * length, width=length,
        voids=(VoidSpec(center=0.4 * length, width=0.3 * length, height=0.05 * length),))
    sizes = MeshSizeSpec(size_fine=0.005 * length, size_coarse=0.05 * length,
                         grading_distance=0.2 * length)
    domain = electrolyte_domain(build_cell_mesh(MPI.COMM_WORLD, geometry, sizes))
    res = _solve(domain, prefix, conductivity=kappa, kinetics=LinearKinetics(z),
                 current_density=current_density, degree=2)
    profile = res.profile
    return (profile.position / length,
            profile.current_density / res.scalars["current_density_contact_mean"], res.scalars)


def test_profile_similarity():
    length, kappa, z = 100 * UM, KAPPA, 4e-4  # l / (Z kappa) = 5
    x1, p1, s1 = _similar_case(length, kappa, z, 10.0, "sim1_")
    # twice the size, four times the conductivity, half the resistance, another current
    x2, p2, s2 = _similar_case(2 * length, 4 * kappa, 0.5 * z, -3.0, "sim2_")
    # a different l / (Z kappa) = 1.25
    x3, p3, _ = _similar_case(length, kappa, 4 * z, 10.0, "sim3_")
    # a common grid on the contact (x/l outside the void [0.25, 0.55])
    grid = np.concatenate([np.linspace(0.0, 0.25, 101), np.linspace(0.55, 1.0, 181)])
    q1, q2, q3 = (np.interp(grid, x, p) for x, p in ((x1, p1), (x2, p2), (x3, p3)))
    assert np.max(np.abs(q1 - q2)) < 1e-6
    assert s1["peak_to_mean_ratio"] == pytest.approx(s2["peak_to_mean_ratio"], rel=1e-6)
    assert s1["peak_position"] / length == pytest.approx(s2["peak_position"] / (2 * length),
                                                         rel=1e-6)
    assert np.max(np.abs(q1 - q3)) > 1e-2
    # the smaller l / (Z kappa), the more uniform the current
    assert s1["peak_to_mean_ratio"] > 1.05 * np.max(q3)


# --------------------------------------------------------------------------------------------
# e. parallel = serial
# --------------------------------------------------------------------------------------------
VOID_CASE = CellGeometrySpec(kind="planar", h_se=50 * UM, h_li=20 * UM, width=100 * UM,
                             voids=(VoidSpec(center=40 * UM, width=30 * UM, height=3 * UM),))
VOID_SIZES = MeshSizeSpec(size_fine=0.5 * UM, size_coarse=5 * UM, grading_distance=20 * UM)


@pytest.mark.mpi
def test_parallel_matches_serial(comm):
    settings = CurrentSettings(
        conductivity=KAPPA, current_density=50.0, degree=2, rtol=1e-12, atol=1e-14,
        molar_volume=LI_MOLAR_VOLUME,
        kinetics=ButlerVolmer(exchange_current_density=50.0, alpha_a=0.4, alpha_c=0.6,
                              temperature=T_ROOM))  # Z kappa = 26 um ~ the void width
    results = {}
    for name, c in (("world", comm), ("self", MPI.COMM_SELF)):  # world first: it warms the JIT
        domain = electrolyte_domain(build_cell_mesh(c, VOID_CASE, VOID_SIZES))
        results[name] = solve_current_distribution(domain, settings, prefix=f"par_{name}_")
    world, serial = results["world"], results["self"]
    for key in ("cell_voltage", "asr_total", "asr_bulk", "asr_constriction",
                "asr_charge_transfer", "peak_to_mean_ratio", "contact_fraction",
                "current_density_contact_mean", "current_density_peak", "peak_position",
                "energy_balance_error"):
        assert world.scalars[key] == pytest.approx(serial.scalars[key], rel=1e-8, abs=1e-14), key
    assert world.scalars["num_dofs"] == serial.scalars["num_dofs"]
    assert world.scalars["peak_to_mean_ratio"] > 1.2  # the void concentrates the current
    np.testing.assert_allclose(world.profile.position, serial.profile.position, rtol=0,
                               atol=1e-12 * VOID_CASE.width)
    scale = np.max(np.abs(serial.profile.current_density))
    np.testing.assert_allclose(world.profile.current_density, serial.profile.current_density,
                               rtol=0, atol=1e-8 * scale)
    np.testing.assert_allclose(world.profile.overpotential, serial.profile.overpotential,
                               rtol=1e-8)
