"""The void map a stripping run left behind: the intervals of the interface without Li contact,
read from its run folder's ``interface_profiles.csv`` (:mod:`ssbx.runs.stripping`).

A crack case places its electrolyte over that interface (``crack.void_map``): the voids become
interface segments without contact (:class:`ssbx.meshes.crack_geometry.CrackSpec` ``voids``),
in the crack mesh's coordinates (x centred on the cell: ``x - width/2`` for a planar stripping
cell ``0 <= x <= width``).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

PROFILES = "interface_profiles.csv"


def void_intervals(folder: str | Path, *, time: float | None = None,
                   centre: float | None = None) -> tuple[tuple[float, float], ...]:
    """The x-intervals [m] without contact in the interface profile of the stripping run in
    ``folder``: the last profile recorded at or before ``time`` [s] (``None``: the last one).

    A node without contact makes its interval reach halfway to its neighbours (the profile's
    resolution); intervals are shifted by ``-centre`` (default: half the profile's width, so
    that the cell's middle is ``x = 0``). Raises ``FileNotFoundError`` without the file and
    ``ValueError`` if it has no profile (at or before ``time``).
    """
    path = Path(folder) / PROFILES
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"{path}: no interface profile")
    times = sorted({float(r["time_s"]) for r in rows})
    chosen = [t for t in times if time is None or t <= time * (1 + 1e-12)]
    if not chosen:
        raise ValueError(f"{path}: no profile at or before t = {time} s (first: {times[0]} s)")
    when = chosen[-1]
    profile = [r for r in rows if float(r["time_s"]) == when]
    last_step = max(int(r["time_step"]) for r in profile)
    profile = sorted((r for r in profile if int(r["time_step"]) == last_step),
                     key=lambda r: float(r["x_m"]))
    x = [float(r["x_m"]) for r in profile]
    off = [float(r["contact"]) < 0.5 for r in profile]
    shift = 0.5 * (x[0] + x[-1]) if centre is None else centre
    intervals: list[tuple[float, float]] = []
    k = 0
    while k < len(x):
        if not off[k]:
            k += 1
            continue
        start = k
        while k + 1 < len(x) and off[k + 1]:
            k += 1
        left = x[start] if start == 0 else 0.5 * (x[start - 1] + x[start])
        right = x[k] if k == len(x) - 1 else 0.5 * (x[k] + x[k + 1])
        intervals.append((left - shift, right - shift))
        k += 1
    return tuple(intervals)


def void_fraction(intervals: tuple[tuple[float, float], ...], width: float, *,
                  axisymmetric: bool = False) -> float:
    """Fraction of the interface the intervals cover: of its ``width`` [m] (planar), or of its
    area ``pi width^2`` with r-intervals (axisymmetric)."""
    if axisymmetric:
        return math.fsum(b * b - a * a for a, b in intervals) / (width * width)
    return math.fsum(b - a for a, b in intervals) / width


__all__ = ["PROFILES", "void_fraction", "void_intervals"]
