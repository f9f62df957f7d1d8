"""Flaw populations and weakest-link statistics (:mod:`ssbx.physics.flaw_statistics`) against
closed forms and seeded Monte Carlo sampling."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ssbx.physics import flaw_statistics as fs


def test_exceedance_and_rayleigh_scale():
    """S(c) = exp(-(c/c0)^m); the Rayleigh scale makes S the Gaussian maxima law
    exp(-x^2 / (2 Rq^2))."""
    assert fs.weibull_exceedance(0.0, 2e-6, 3.0) == 1.0
    assert fs.weibull_exceedance(2e-6, 2e-6, 3.0) == pytest.approx(math.exp(-1.0), rel=1e-14)
    rq = 1.1e-6
    x = np.array([0.5, 1.0, 3.0]) * rq
    assert np.allclose(fs.weibull_exceedance(x, fs.rayleigh_scale(rq), 2.0),
                       np.exp(-x ** 2 / (2 * rq ** 2)), rtol=1e-13)


def test_quantiles_invert_the_largest_flaw_law():
    """c_q solves exp(-N S(c_q)) = q; the median is c0 (ln(N/ln 2))^(1/m); the scale for a
    given median inverts it."""
    scale, m, n = 3e-6, 2.0, 2.3e8
    for q in (0.1, 0.5, 0.9):
        c_q = fs.largest_flaw_quantile(q, scale, m, n)
        assert fs.largest_flaw_cdf(c_q, scale, m, n) == pytest.approx(q, rel=1e-12)
    median = fs.median_largest_flaw(scale, m, n)
    assert median == pytest.approx(scale * math.sqrt(math.log(n / math.log(2.0))), rel=1e-14)
    assert fs.scale_for_median_largest(median, m, n) == pytest.approx(scale, rel=1e-14)
    assert fs.largest_flaw_quantile(0.1, scale, m, n) < median < fs.largest_flaw_quantile(
        0.9, scale, m, n)


def test_expected_largest_exponential_closed_form():
    """m = 1 under Poisson counts: E[C] = c0 (ln N + gamma + E1(N)) -> c0 (ln N + gamma); the
    Gumbel limit is exact there (spread c0, standard deviation pi c0 / sqrt 6)."""
    scale, n = 1e-6, 1e6
    exact = scale * (math.log(n) + fs.EULER_GAMMA)
    assert fs.expected_largest_flaw(scale, 1.0, n) == pytest.approx(exact, rel=2e-5)
    mean, std = fs.gumbel_largest_flaw(scale, 1.0, n)
    assert mean == pytest.approx(exact, rel=1e-14)
    assert std == pytest.approx(math.pi * scale / math.sqrt(6.0), rel=1e-14)


def test_gumbel_limit_approaches_the_exact_mean():
    """m = 2: the Gumbel mean approaches the exact Poisson mean as N grows (error O(1/ln N)^2
    relative)."""
    errors = []
    for n in (1e3, 1e6, 1e12):
        exact = fs.expected_largest_flaw(1.0, 2.0, n)
        errors.append(abs(fs.gumbel_largest_flaw(1.0, 2.0, n)[0] / exact - 1.0))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 2e-3


def test_monte_carlo_agrees_within_its_error():
    """The sampler's largest flaws (fixed N) agree with the weakest-link mean and median, and a
    brute-force maximum of Weibull draws agrees with the sampler."""
    rng = np.random.default_rng(20221043)
    scale, m, n, samples = 2e-6, 2.0, 10_000, 40_000
    draws = fs.sample_largest_flaws(scale, m, n, samples, rng)
    mean, err = draws.mean(), draws.std(ddof=1) / math.sqrt(samples)
    assert abs(mean - fs.expected_largest_flaw(scale, m, n)) < 4.0 * err
    # median: within 4 standard errors of a sample median (density at the median)
    median = fs.median_largest_flaw(scale, m, n)
    c = np.linspace(0.9 * median, 1.1 * median, 3)
    density = np.gradient(fs.largest_flaw_cdf(c, scale, m, n), c)[1]
    assert abs(np.median(draws) - median) < 4.0 * 0.5 / (density * math.sqrt(samples))
    # standard deviation against the exact one, E[C^2] = integral 2 c (1 - F(c)) dc
    grid = np.linspace(0.0, 3.0 * median, 200_001)
    second = np.trapezoid(2.0 * grid * (1.0 - fs.largest_flaw_cdf(grid, scale, m, n)), grid)
    exact_std = math.sqrt(second - fs.expected_largest_flaw(scale, m, n) ** 2)
    assert draws.std(ddof=1) == pytest.approx(exact_std, rel=0.02)  # ~4 standard errors
    brute = (scale * rng.weibull(m, size=(4000, 50))).max(axis=1)
    small = fs.sample_largest_flaws(scale, m, 50, 4000, rng)
    spread = math.hypot(brute.std(), small.std()) / math.sqrt(4000)
    assert abs(brute.mean() - small.mean()) < 4.0 * spread


def test_failure_current_of_the_inverse_sqrt_law():
    """With c*(i) = (a / i)^2 (the c^(-1/2) law) the P_fail = 1/2 current is a / sqrt(c_1/2)
    and P_fail rises with the current."""
    a, scale, m, n = 2e-2, 3e-6, 2.0, 1e5

    def critical(i: float) -> float:
        return (a / i) ** 2

    expected = a / math.sqrt(fs.median_largest_flaw(scale, m, n))
    assert fs.failure_current(critical, scale, m, n) == pytest.approx(expected, rel=1e-8)
    probs = [fs.failure_probability(i, critical, scale, m, n) for i in (6.1, 6.2, 6.3, 6.4)]
    assert all(b > p for p, b in itertools.pairwise(probs))
    assert 0.01 < probs[0] < 0.5 < probs[-1] < 0.99
    q90 = fs.failure_current(critical, scale, m, n, probability=0.9)
    assert q90 == pytest.approx(a / math.sqrt(fs.largest_flaw_quantile(0.1, scale, m, n)),
                                rel=1e-8)


def test_more_or_larger_flaws_fail_at_lower_current():
    """Monotonicity: a larger electrode (more flaws) or a larger scale lowers the failure
    current; the argument checks raise."""
    def critical(i: float) -> float:
        return (2e-2 / i) ** 2

    base = fs.failure_current(critical, 3e-6, 2.0, 1e5)
    assert fs.failure_current(critical, 3e-6, 2.0, 1e7) < base
    assert fs.failure_current(critical, 6e-6, 2.0, 1e5) < base
    assert fs.flaw_count(1.0 / (30e-6) ** 2, 1e-4) == pytest.approx(1e-4 / 9e-10, rel=1e-14)
    with pytest.raises(ValueError):
        fs.failure_current(critical, 3e-6, 2.0, 1e5, bracket=(1e3, 1e4))
    with pytest.raises(ValueError):
        fs.median_largest_flaw(-1.0, 2.0, 10.0)


def test_contact_spot_voids_of_the_roughness_benchmark():
    """The contact geometry of ``singh_roughness_ccd``: voids of width (1 - phi) lambda between
    spots of width phi lambda, whole voids only, the flaw's mouth (x = 0) at a spot's left edge
    (a void ends there) or at a spot's centre, never inside a void."""
    from ssbx.benchmarks.reproductions.singh_roughness_ccd import spot_voids

    width, period, phi = 600e-6, 30e-6, 0.5
    for at_edge in (True, False):
        voids = np.array(spot_voids(width, period, phi, at_edge))
        assert np.allclose(voids[:, 1] - voids[:, 0], (1 - phi) * period, rtol=1e-12)
        assert np.allclose(np.diff(voids[:, 0]), period, rtol=1e-9)
        assert voids.min() > -width / 2 and voids.max() < width / 2
        assert not np.any((voids[:, 0] < 0.0) & (voids[:, 1] > 0.0))
        nearest_left = voids[voids[:, 1] <= 1e-15, 1].max()
        assert nearest_left == pytest.approx(0.0 if at_edge else -0.5 * phi * period,
                                             abs=1e-12)
        assert len(voids) >= width / period - 2
    assert spot_voids(width, period, 1.0) == ()
