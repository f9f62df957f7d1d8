"""Interface kinetics, overpotential and Arrhenius laws (no finite elements).

References: docs/physics.md, section 2 (Butler–Volmer, linear limit
Z = RT / (F i0 (alpha_a + alpha_c)), stress-coupled overpotential,
Omega_Li / F = 0.1347 mV/MPa) and physics/kinetics.py (sign
convention: a contact pressure raises the Li chemical potential and favours stripping).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbx.physics.conductivity import arrhenius
from ssbx.physics.constants import FARADAY, GAS_CONSTANT, LI_MOLAR_VOLUME, thermal_voltage
from ssbx.physics.kinetics import ButlerVolmer, LinearKinetics, PrimaryKinetics
from ssbx.physics.kinetics import overpotential as metal_overpotential


def overpotential(*args, **kwargs):
    """The overpotential of a Li anode (the tests are about Li)."""
    return metal_overpotential(*args, molar_volume=LI_MOLAR_VOLUME, **kwargs)


T = 298.15


def test_constants():
    assert LI_MOLAR_VOLUME == pytest.approx(12.998e-6, rel=1e-4)  # M / rho of Li
    assert thermal_voltage(T) == pytest.approx(GAS_CONSTANT * T / FARADAY, rel=1e-15)
    assert thermal_voltage(T) == pytest.approx(25.693e-3, rel=1e-4)


@pytest.mark.parametrize(("alpha_a", "alpha_c"), [(0.5, 0.5), (0.3, 0.7), (0.8, 0.4)])
def test_butler_volmer_value_and_linear_limit(alpha_a, alpha_c):
    i0 = 3.0
    bv = ButlerVolmer(exchange_current_density=i0, alpha_a=alpha_a, alpha_c=alpha_c,
                      temperature=T)
    f = FARADAY / (GAS_CONSTANT * T)
    eta = np.array([-0.12, -0.03, 0.0, 0.01, 0.08])
    expected = i0 * (np.exp(alpha_a * f * eta) - np.exp(-alpha_c * f * eta))
    np.testing.assert_allclose(bv.current_density(eta), expected, rtol=1e-14, atol=1e-14)
    assert bv.current_density(0.0) == 0.0
    # Z = RT / (F i0 (alpha_a + alpha_c))
    z = GAS_CONSTANT * T / (FARADAY * i0 * (alpha_a + alpha_c))
    assert bv.resistance == pytest.approx(z, rel=1e-14)
    assert bv.current_density_derivative(0.0) == pytest.approx(1.0 / z, rel=1e-14)
    # linear limit: i = eta / Z + i0 f^2 (aa^2 - ac^2) eta^2 / 2 + i0 f^3 (aa^3 + ac^3) eta^3 / 6
    for small in (1e-6, -1e-6, 1e-5):
        i = bv.current_density(small)
        quad = 0.5 * i0 * f**2 * (alpha_a**2 - alpha_c**2) * small**2
        cubic = i0 * f**3 * (alpha_a**3 + alpha_c**3) * small**3 / 6.0
        assert i == pytest.approx(small / z + quad + cubic, rel=1e-9)
        assert i == pytest.approx(small / z, rel=2e-3)
    # genuinely nonlinear at 100 mV: far from the linear estimate
    assert abs(bv.current_density(0.1) * z / 0.1 - 1.0) > 0.15
    # derivative by central differences
    for e in (-0.07, 0.02, 0.09):
        d = (bv.current_density(e + 1e-7) - bv.current_density(e - 1e-7)) / 2e-7
        assert bv.current_density_derivative(e) == pytest.approx(d, rel=1e-6)


def test_linear_kinetics():
    z = 2.5e-4
    lin = LinearKinetics(resistance=z)
    assert lin.current_density(0.01) == pytest.approx(0.01 / z)
    assert lin.overpotential_for(-40.0) == pytest.approx(-40.0 * z)
    assert lin.resistance == z


def test_primary_kinetics_has_no_law():
    prim = PrimaryKinetics()
    assert prim.resistance == 0.0
    assert prim.overpotential_for(10.0) == 0.0
    with pytest.raises(TypeError):
        prim.current_density(0.01)


@pytest.mark.parametrize(("alpha_a", "alpha_c"), [(0.5, 0.5), (0.3, 0.7), (0.7, 0.3), (1.0, 0.2)])
@pytest.mark.parametrize("current", [-500.0, -7.0, -1e-3, 0.0, 2e-2, 5.0, 80.0, 3000.0])
def test_overpotential_for_inverts_butler_volmer(alpha_a, alpha_c, current):
    bv = ButlerVolmer(exchange_current_density=2.0, alpha_a=alpha_a, alpha_c=alpha_c,
                      temperature=330.0)
    eta = bv.overpotential_for(current)
    assert math.copysign(1.0, eta) == math.copysign(1.0, current) or current == 0.0
    assert float(bv.current_density(eta)) == pytest.approx(current, rel=1e-12, abs=1e-12)


def test_overpotential_for_symmetric_closed_form():
    i0, i = 1.5, 12.0
    bv = ButlerVolmer(exchange_current_density=i0, temperature=T)
    # alpha = 1/2: eta = 2 RT/F asinh(i / (2 i0))
    assert bv.overpotential_for(i) == pytest.approx(
        2.0 * thermal_voltage(T) * math.asinh(i / (2 * i0)), rel=1e-14)


def test_arrhenius():
    ea, kref, tref = 35e3, 0.08, 298.15
    assert arrhenius(kref, ea, tref, tref) == pytest.approx(kref, rel=1e-15)
    k333 = arrhenius(kref, ea, 333.15, tref)
    assert k333 == pytest.approx(kref * math.exp(-ea / GAS_CONSTANT * (1 / 333.15 - 1 / tref)),
                                 rel=1e-14)
    assert k333 > kref  # activated: grows with temperature
    assert arrhenius(kref, ea, 273.15, tref) < kref
    # Arrhenius plot: ln k linear in 1/T with slope -Ea/R
    t1, t2 = 280.0, 360.0
    slope = (math.log(arrhenius(kref, ea, t2, tref)) - math.log(arrhenius(kref, ea, t1, tref))) \
        / (1 / t2 - 1 / t1)
    assert slope == pytest.approx(-ea / GAS_CONSTANT, rel=1e-12)
    assert arrhenius(kref, 0.0, 400.0, tref) == kref
    with pytest.raises(ValueError):
        arrhenius(kref, ea, 0.0, tref)
    with pytest.raises(ValueError):
        arrhenius(kref, ea, 300.0, -1.0)


def test_overpotential_definition():
    # eta = phi_Li - phi_SE - U0 (no stress)
    assert overpotential(-0.02) == pytest.approx(0.02)
    assert overpotential(0.01, phi_li=0.05, equilibrium_potential=0.015) == pytest.approx(0.025)


def test_mechanical_term_sign_and_size():
    """1 MPa of contact pressure (sigma_nn = -1 MPa) shifts eta by +Omega_Li/F = 0.1347 mV and
    increases the anodic (stripping) current at fixed potentials (Monroe & Newman 2005)."""
    phi_se = -0.03
    eta0 = overpotential(phi_se)
    eta_p = overpotential(phi_se, normal_stress=-1e6)
    shift = eta_p - eta0
    assert shift == pytest.approx(0.1347e-3, rel=1e-3)
    assert shift == pytest.approx(LI_MOLAR_VOLUME * 1e6 / FARADAY, rel=1e-14)
    # linear in stress; tension shifts the other way
    assert overpotential(phi_se, normal_stress=-7e6) - eta0 == pytest.approx(7 * shift, rel=1e-12)
    assert overpotential(phi_se, normal_stress=+1e6) - eta0 == pytest.approx(-shift, rel=1e-12)
    bv = ButlerVolmer(exchange_current_density=1.0, alpha_a=0.3, alpha_c=0.7, temperature=T)
    for phi in (-0.05, 0.0, 0.04):  # stripping, equilibrium, plating
        i0 = bv.current_density(overpotential(phi))
        ip = bv.current_density(overpotential(phi, normal_stress=-5e6))
        assert ip > i0
    # at equilibrium potentials a contact pressure drives stripping (positive current)
    assert bv.current_density(overpotential(0.0, normal_stress=-1e6)) > 0.0
