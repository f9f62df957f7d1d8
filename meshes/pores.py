"""Seeded random arrays of interfacial pores in a 3-D box cell.

``pore_count`` equal pores of circular footprint (diameter ``d``) are placed at random in the
``width x depth`` interface of a box cell, none overlapping another or a side. The diameter
follows from the target contact fraction ``f``: the pores cover ``1 - f`` of the interface,

    N pi d^2 / 4 = (1 - f) W D   =>   d = sqrt(4 (1 - f) W D / (N pi)),

so ``f`` is exact (up to the polygonal footprint of the mesh; listed voids, which the random
pores keep clear of, take contact on top of it). Pores keep a clearance of
``CLEARANCE`` x d from each other and from the sides, so that Li/electrolyte contact remains
between them and the mesh can resolve it. Placement is random sequential addition (rejection
sampling) with ``numpy.random.default_rng(seed)``: the same seed gives the same array on every
rank and machine.
"""

from __future__ import annotations

import math

import numpy as np

from ssbx.meshes.spec import CellGeometrySpec, VoidSpec

CLEARANCE = 0.1
"""Smallest gap between two pore footprints, or a footprint and a side, per diameter."""
MAX_TRIES = 20_000
"""Random positions tried for each pore before the array is declared too dense."""


def pore_diameter(width: float, depth: float, count: int, contact_fraction: float) -> float:
    """Footprint diameter [m] of ``count`` equal pores that leave ``contact_fraction`` of a
    ``width x depth`` interface [m] in contact."""
    return math.sqrt(4.0 * (1.0 - contact_fraction) * width * depth / (count * math.pi))


def random_pore_array(width: float, depth: float, count: int, contact_fraction: float, *,
                      aspect: float, shape: str = "ellipse", seed: int = 0,
                      avoid: tuple[VoidSpec, ...] = ()) -> tuple[VoidSpec, ...]:
    """``count`` non-overlapping pores in ``[0, width] x [0, depth]`` [m] covering
    ``1 - contact_fraction`` of it; depth into the Li = ``aspect`` x diameter. ``avoid``:
    pores already there (listed voids), kept at the same clearance; the contact fraction is
    then that of the random pores alone.

    Raises ``ValueError`` when the pores do not fit (random sequential addition jams near a
    covered fraction of ~0.5 with this clearance; lower ``count`` or raise the contact fraction).
    """
    if count <= 0:
        return ()
    d = pore_diameter(width, depth, count, contact_fraction)
    r = 0.5 * d
    margin = r + CLEARANCE * d
    if 2.0 * margin > min(width, depth):
        raise ValueError(f"a pore of diameter {d * 1e6:.4g} um does not fit in the "
                         f"{width * 1e6:.4g} x {depth * 1e6:.4g} um cell with its clearance")
    rng = np.random.default_rng(seed)
    centers: list[tuple[float, float]] = []
    # (x, y, least centre distance) of every pore a new one must keep clear of
    placed = [(v.center, v.center_y, r + 0.5 * v.width + CLEARANCE * d) for v in avoid]
    for k in range(count):
        for _ in range(MAX_TRIES):
            x = rng.uniform(margin, width - margin)
            y = rng.uniform(margin, depth - margin)
            if all((x - a) ** 2 + (y - b) ** 2 >= m * m for a, b, m in placed):
                centers.append((x, y))
                placed.append((x, y, d + CLEARANCE * d))
                break
        else:
            raise ValueError(
                f"placed {k} of {count} pores of diameter {d * 1e6:.4g} um (contact fraction "
                f"{contact_fraction}) at random without overlap after {MAX_TRIES} tries: "
                "lower the count or raise the contact fraction")
    corner = 0.5 * min(aspect * d, r)
    return tuple(VoidSpec(center=x, center_y=y, width=d, height=aspect * d, shape=shape,
                          corner_radius=corner if shape == "rounded_rectangle" else 0.0)
                 for x, y in centers)


def cell_voids(geometry: CellGeometrySpec) -> tuple[VoidSpec, ...]:
    """All voids of a cell: the listed ``voids`` and, in a 3-D box, the random pore array."""
    if geometry.pore_count <= 0:
        return geometry.voids
    return geometry.voids + random_pore_array(
        geometry.width, geometry.box_depth, geometry.pore_count, geometry.pore_contact_fraction,
        aspect=geometry.pore_aspect, shape=geometry.pore_shape, seed=geometry.pore_seed,
        avoid=geometry.voids)


__all__ = ["CLEARANCE", "cell_voids", "pore_diameter", "random_pore_array"]
