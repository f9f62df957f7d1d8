"""A graded tensor-product triangle mesh of the electrolyte rectangle (numpy only), shared by
the plain-dolfinx and scikit-fem peers so that both solve on the very same mesh.

The spacing along each axis follows the size field of the ssbx mesh builder: it grows linearly
with the distance d to the nearest void edge, h(d) = h_min + (h_max - h_min) min(d / d_g, 1),
d_g the grading distance. Along x the void edges are at x_a and x_b; along y the edges lie on
y = 0. Nodes are placed where the integral of 1/h reaches whole numbers, interval by interval,
so that x_a and x_b are nodes.
"""

from __future__ import annotations

import itertools

import numpy as np


def graded_nodes(length: float, edges: list[float], h_min: float, h_max: float,
                 grading_distance: float, samples: int = 20001) -> np.ndarray:
    """Node coordinates on [0, length] [m] graded towards ``edges`` (which become nodes)."""
    breaks = sorted({0.0, float(length), *(float(e) for e in edges)})
    nodes = [0.0]
    for a, b in itertools.pairwise(breaks):
        s = np.linspace(a, b, samples)
        d = np.min(np.abs(s[:, None] - np.asarray(edges, dtype=float)[None, :]), axis=1)
        h = h_min + (h_max - h_min) * np.minimum(d / grading_distance, 1.0)
        density = np.concatenate([[0.0], np.cumsum(0.5 * (1 / h[1:] + 1 / h[:-1]) * np.diff(s))])
        n = max(1, int(np.ceil(density[-1])))
        nodes.extend(np.interp(np.linspace(0.0, density[-1], n + 1)[1:], density, s))
    out = np.asarray(nodes)
    out[-1] = length
    return out


def rectangle_mesh(width: float, height: float, void_start: float, void_end: float,
                   h_min: float, h_max: float, grading_distance: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Points (2, N) [m] and triangles (3, M) of the graded rectangle [0, width] x [0, height],
    each rectangle split along alternating diagonals."""
    x = graded_nodes(width, [void_start, void_end], h_min, h_max, grading_distance)
    y = graded_nodes(height, [0.0], h_min, h_max, grading_distance)
    nx, ny = x.size, y.size
    X, Y = np.meshgrid(x, y, indexing="ij")
    points = np.vstack([X.ravel(), Y.ravel()])
    idx = np.arange(nx * ny).reshape(nx, ny)
    i, j = np.meshgrid(np.arange(nx - 1), np.arange(ny - 1), indexing="ij")
    i, j = i.ravel(), j.ravel()
    a, b, c, d = idx[i, j], idx[i + 1, j], idx[i + 1, j + 1], idx[i, j + 1]
    flip = ((i + j) % 2 == 0)[:, None]
    t1 = np.where(flip, np.column_stack([a, b, c]), np.column_stack([a, b, d]))
    t2 = np.where(flip, np.column_stack([a, c, d]), np.column_stack([b, c, d]))
    return points, np.ascontiguousarray(np.vstack([t1, t2]).T, dtype=np.int64)
