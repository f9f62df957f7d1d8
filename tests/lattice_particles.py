"""Shared by the tests of layered-oxide particles (``test_particle_lattice.py``,
``test_particle_texture.py``): the material, kinetics and NMC333-like lattice strain, and the
misfit solve at a uniform lithiation."""

from __future__ import annotations

from ssbx.physics.particle import LIMN2O4, LatticeStrain, SurfaceKinetics, linear_ocv
from ssbx.problems.particle import ParticleProblem

M = LIMN2O4
C_MAX = M.max_concentration
KINETICS = SurfaceKinetics(1.0, linear_ocv(4.0, C_MAX, -1e-5))
#: d ln a / dx and d ln c / dx of the order of NMC333 between x = 1 and 0.5 (a shrinks by
#: ~1.5 %, c grows by ~1.7 % on charge); here only the anisotropy matters.
LATTICE = LatticeStrain(0.03, -0.034)


def misfit_solve(geometry, axis, lattice=LATTICE, lithiation=0.5, prefix=None):
    """The stresses at a uniform lithiation (from a stress-free x = 1): one step with no
    flux and an infinite time step leaves the concentration uniform."""
    problem = ParticleProblem(geometry, M, KINETICS, initial_concentration=lithiation * C_MAX,
                              reference_concentration=C_MAX, degree=1, mechanics=True,
                              lattice=lattice, c_axis=axis,
                              options_prefix=prefix or f"lattice_{id(geometry)}_")
    problem.step(1e30)
    return problem
