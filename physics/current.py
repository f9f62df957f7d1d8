"""UFL residual of the ionic current in the solid electrolyte (secondary current distribution).

Electrolyte, potential phi [V], conductivity kappa [S/m], ionic current ``j = -kappa grad phi``:

    div(kappa grad phi) + s = 0                          in the electrolyte
    kappa grad phi . n = i_k(eta) + g                    on the Li contact, eta = overpotential
    kappa grad phi . n = i_ce                            on the counter-electrode side (top)
    kappa grad phi . n = 0                               on voids and lateral sides

``i_k`` is the anodic current density entering the electrolyte from the Li; ``i_ce`` the one
entering from the counter electrode (``-i_app`` for a uniform galvanostatic current, or its own
kinetics for a symmetric Li counter electrode). ``s`` and ``g`` are a volume and an interface
source, zero except in manufactured-solution tests. Weak form, with the radial weight ``w``
(``2 pi r`` in axisymmetry, 1 per unit depth in plane):

    F(phi; v) = ∫ kappa grad phi . grad v w dx - ∫ s v w dx
                - ∫_contact (i_k(eta(phi)) + g) v w ds - ∫_top i_ce v w ds = 0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ufl

from ssbx.physics.kinetics import Kinetics, overpotential


@dataclass
class CurrentFormTerms:
    """Pieces of the potential problem's weak form.

    kappa: conductivity [S/m] (float, Constant or UFL expression).
    contact_kinetics: kinetics on the contact (``None`` for a Dirichlet contact).
    weight: measure weight (``2 pi r`` axisymmetric, ``1`` planar).
    counter_current: ``i_ce`` on the top [A/m^2] (UFL), or ``None`` for a Dirichlet top.
    equilibrium_potential: U0 [V]; normal_stress: sigma_nn on the Li side [Pa] (tensile +);
    molar_volume: Omega of the metal in the stress term ``Omega sigma_nn / F`` [m^3/mol].
    source, interface_source: s [A/m^3] and g [A/m^2] (manufactured solutions).
    contact_mask: 1 where the Li touches the electrolyte, 0 over a void (``None``: 1); the
    kinetic current is multiplied by it (the stripping/contact model's evolving contact).
    """

    kappa: Any
    contact_kinetics: Kinetics | None
    weight: Any = 1.0
    counter_current: Any = None
    equilibrium_potential: Any = 0.0
    normal_stress: Any = 0.0
    molar_volume: float = field(kw_only=True)
    source: Any = None
    interface_source: Any = None
    contact_mask: Any = None


def contact_overpotential(phi: Any, terms: CurrentFormTerms) -> Any:
    """Overpotential of the Li (phi_Li = 0) against the electrolyte potential ``phi`` [V]."""
    return overpotential(phi, equilibrium_potential=terms.equilibrium_potential,
                         normal_stress=terms.normal_stress, molar_volume=terms.molar_volume)


def contact_current(phi: Any, terms: CurrentFormTerms) -> Any:
    """Anodic current density into the electrolyte at the contact [A/m^2] (UFL)."""
    assert terms.contact_kinetics is not None
    i = terms.contact_kinetics.current_density(contact_overpotential(phi, terms), exp=ufl.exp)
    return i if terms.contact_mask is None else terms.contact_mask * i


def potential_residual(phi: Any, v: Any, terms: CurrentFormTerms, dx: ufl.Measure,
                       ds_contact: ufl.Measure, ds_top: ufl.Measure) -> ufl.Form:
    """The residual ``F(phi; v)`` of the module docstring."""
    w = terms.weight
    F = terms.kappa * ufl.inner(ufl.grad(phi), ufl.grad(v)) * w * dx
    if terms.source is not None:
        F -= terms.source * v * w * dx
    if terms.contact_kinetics is not None:
        i_contact = contact_current(phi, terms)
        if terms.interface_source is not None:
            i_contact = i_contact + terms.interface_source
        F -= i_contact * v * w * ds_contact
    if terms.counter_current is not None:
        F -= terms.counter_current * v * w * ds_top
    return F


def ohmic_dissipation(phi: Any, kappa: Any, weight: Any, dx: ufl.Measure) -> ufl.Form:
    """Joule heating ``∫ kappa |grad phi|^2 w dx`` [W] (per unit depth in plane)."""
    return kappa * ufl.inner(ufl.grad(phi), ufl.grad(phi)) * weight * dx
