"""Isotropic linear-elastic material: the one elastic record of ssbx (metals and electrolytes).

Its own module so that the creep laws (:mod:`ssbx.physics.creep_laws`), the electrolyte presets
(:mod:`ssbx.physics.electrolytes`) and the elasticity module (:mod:`ssbx.physics.elasticity`,
which re-exports it) can all import it without a cycle. Mandel notation: see
:mod:`ssbx.physics.elasticity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ssbx.physics.parameters import Parameters


@dataclass(frozen=True)
class ElasticMaterial:
    """Isotropic linear-elastic material.

    Parameters
    ----------
    name : str
        Label (shown in outputs; for the anode it is the metal's name).
    E : float
        Young's modulus [Pa] (> 0).
    nu : float
        Poisson's ratio [-] (in (-1, 0.5)).
    parameters : tuple of Parameter, optional
        Provenance of ``E`` and ``nu`` (records named ``"E"`` and ``"nu"``); not compared
        and not in the repr.
    """

    name: str
    E: float
    nu: float
    parameters: Parameters = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.E > 0.0:
            raise ValueError(f"{self.name}: Young's modulus must be > 0, got {self.E!r}")
        if not -1.0 < self.nu < 0.5:
            raise ValueError(f"{self.name}: Poisson's ratio must be in (-1, 0.5), got {self.nu!r}")

    @property
    def shear_modulus(self) -> float:
        """G = mu = E / (2 (1 + nu)) [Pa]."""
        return self.E / (2.0 * (1.0 + self.nu))

    @property
    def bulk_modulus(self) -> float:
        """K = E / (3 (1 - 2 nu)) [Pa]."""
        return self.E / (3.0 * (1.0 - 2.0 * self.nu))

    @property
    def G(self) -> float:
        """Shear modulus [Pa] (:attr:`shear_modulus`)."""
        return self.shear_modulus

    @property
    def K(self) -> float:
        """Bulk modulus [Pa] (:attr:`bulk_modulus`)."""
        return self.bulk_modulus

    @property
    def lame_lambda(self) -> float:
        """Lamé's first parameter lambda = E nu / ((1 + nu)(1 - 2 nu)) [Pa]."""
        return self.E * self.nu / ((1.0 + self.nu) * (1.0 - 2.0 * self.nu))

    @property
    def plane_strain_modulus(self) -> float:
        """E' = E / (1 - nu^2) [Pa]."""
        return self.E / (1.0 - self.nu**2)

    def mandel_stiffness(self) -> np.ndarray:
        """The 6x6 stiffness ``C`` in Mandel notation: ``stress = C @ strain`` [Pa]."""
        return mandel_stiffness(self.lame_lambda, self.shear_modulus)


def mandel_stiffness(lmbda: float, mu: float) -> np.ndarray:
    """Isotropic Mandel stiffness ``lambda 1 (x) 1 + 2 mu I`` (6x6, float64) [Pa] from the Lamé
    parameters lambda, mu [Pa]."""
    C = 2.0 * mu * np.eye(6)
    C[:3, :3] += lmbda
    return C


__all__ = ["ElasticMaterial", "mandel_stiffness"]
