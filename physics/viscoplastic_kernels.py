"""Quadrature-point constitutive update of Li: backward-Euler radial return (numba kernels).

Conventions
-----------
Small strain, additive split ``eps = eps_e + eps_p``, isotropic elasticity (``E``, ``nu``;
``K = E/(3(1-2nu))``, ``G = E/(2(1+nu))``), J2 flow with a deviatoric (volume-preserving) plastic
strain. Symmetric tensors are Mandel 6-vectors::

    [a_xx, a_yy, a_zz, sqrt2 a_xy, sqrt2 a_yz, sqrt2 a_xz]

for strains and stresses alike, so that ``sigma : eps`` is the dot product and the tangent is a
plain 6x6 matrix (``dsigma = C deps``). In axisymmetry the FE code stores r, z, theta in slots
0, 1, 2; the kernels only use invariants and do not care.

Return map (all laws)
---------------------
Trial state: ``s_tr = 2G dev(eps - eps_p_old)``, ``q_tr = sqrt(3/2) |s_tr|``, flow direction
``N = (3/2) s_tr / q_tr = sqrt(3/2) nhat`` (``nhat = s_tr/|s_tr|``). With the increment ``dp`` of
the equivalent plastic strain: ``eps_p_new = eps_p_old + dp N``, ``s = theta s_tr``,
``q = q_tr - 3G dp``, ``theta = 1 - 3G dp / q_tr``, ``sigma = K tr(eps - eps_p_old) 1 + s``
(``= K tr(eps) 1 + s`` for a deviatoric ``eps_p_old``).

- Power law: ``dp = dt A_eff <q_tr - 3G dp - sigma_y>^n``. With the stress drop ``u = 3G dp``,
  ``y0 = q_tr - sigma_y`` and ``c = 3G dt A_eff``: ``F(u) = u - c (y0 - u)^n = 0`` on
  ``0 < u < y0``. ``F`` is increasing and concave (``n >= 1``), so Newton started left of the root
  (``F < 0``) climbs to it monotonically. The start ``u0 = y0 - min(y0, (y0/c)^(1/n))`` has
  ``F(u0) < 0`` and is already close to the root in the stiff limit (``c y0^(n-1) >> 1``, where
  ``u0`` equals the root to leading order), so the stiff n = 6.56 case converges in a few
  iterations; a bracket ``[lo, hi]`` with bisection guards against round-off.
- Power law + linear (diffusional) flow, ``p_dot = A_eff <q - sigma_y>^n + L_eff q``:
  ``F(u) = u - c <y0 - u>^n - c_L (q_tr - u) = 0`` with ``c_L = 3G dt L_eff``, increasing and
  concave on ``[0, q_tr)``; Newton from the larger of the two single-branch roots (both lie
  left of the root), with a bracket (:func:`power_law_linear_update`).
- Anand: unknowns ``u = 3G dp`` and ``S``; residuals
  ``R1 = u - P``, ``P = 3G dt A_eff ((q_tr - u)/S)^(1/m)`` (flow rule) and
  ``R2 = S - S_old - h0 dp |x|^a sign(x)``, ``x = 1 - S/S*``,
  ``S* = S_tilde (dp/(dt A_eff))^n_sat`` (backward-Euler hardening). Newton on the 2x2 system
  with ``S`` eliminated exactly at every iterate: ``R2(S) = 0`` is monotone in ``S`` and its root
  lies between ``S_old`` and ``S*`` (safeguarded inner Newton). The outer equation is the flow
  rule in log form, ``L(u) = ln u - ln(3G dt A_eff) - (1/m) ln((q_tr - u)/S(u)) = 0``, which is
  increasing from -inf (u -> 0) to +inf (u -> q_tr) and nearly linear in ``ln u`` for small
  steps and in ``ln(q_tr - u)`` for large ones: a log-space iteration that stays fast when ``S``
  changes a lot within the step (the power form with exponent 1/m = 6.7 crawled there). Its
  Newton slope includes ``dS/du = -(dR2/du)/(dR2/dS)``; a bracket on ``u`` with bisection
  keeps it safe.

Consistent (algorithmic) tangent
--------------------------------
``C = K 1(x)1 + 2G theta I_dev + 2G (1 - theta - beta) nhat(x)nhat`` with
``beta = 3G d(dp)/d(q_tr) = du/dq_tr``; ``I_dev = I - 1(x)1/3`` (Mandel: ``I`` is the 6x6
identity). Derivation: ``s = theta(q_tr) s_tr`` gives ``ds/deps = 2G theta I_dev +
s_tr (x) dtheta/deps`` and ``dq_tr/deps = 2G N``; with ``s_tr = (2/3) q_tr N`` and
``N (x) N = (3/2) nhat (x) nhat`` the second term is ``2G (3G dp/q_tr - du/dq_tr) nhat(x)nhat``.
Written with ``theta' = 3G dp/q_tr = 1 - theta`` and ``theta_bar = beta`` this is the familiar
``K 1(x)1 + 2G (1 - theta') I_dev + 2G (theta' - theta_bar) nhat(x)nhat``.

- Power law (implicit function theorem on ``F(u; y0) = 0``):
  ``beta = c n y^(n-1) / (1 + c n y^(n-1))``, ``y = y0 - u``; with the linear branch
  ``beta = (c n y^(n-1) + c_L) / (1 + c_L + c n y^(n-1))``.
- Anand (implicit function theorem on ``R(u, S; q_tr) = 0``): ``J [du, dS] = -[dR1/dq_tr, 0]``, so
  ``beta = -(dR1/dq_tr) J_SS / det J`` with ``dR1/dq_tr = -(1/m) P/(q_tr - u)``,
  ``P = 3G dt A_eff ((q_tr-u)/S)^(1/m)``, ``J_uu = 1 + (1/m) P/(q_tr - u)``,
  ``J_uS = (1/m) P/S``, ``J_Su = -(h0 phi(x) + h0 a |x|^(a-1) (S/S*) n_sat) / (3G)``,
  ``J_SS = 1 + h0 dp a |x|^(a-1) / S*``.

Elastic points (``dt <= 0``, ``q_tr = 0``, ``q_tr <= sigma_y`` or ``dp`` underflowing to 0) keep
the old plastic state and get the elastic tangent ``K 1(x)1 + 2G I_dev``.

Every kernel returns the number of points whose local Newton did not reach its tolerance
(relative ``NEWTON_RTOL`` on ``dp``, at most ``NEWTON_MAXIT`` iterations); those points keep
the last iterate.

numba, caching and MPI
----------------------
The kernels are ``@njit(cache=True, fastmath=False)`` in this file (caching needs a real ``.py``
file); ``dt`` and the material scalars must be Python/NumPy floats and the arrays float64
C-contiguous (other types compile another specialisation). The compiled machine code is cached in
``NUMBA_CACHE_DIR`` (the Makefile sets ``.cache/numba``; without it, ``__pycache__`` next to this
file), keyed on this file's path and modification time and on the CPU. The first call in a fresh
cache compiles (a few seconds per kernel and process). Under ``mpirun`` several ranks compiling at
the same time all write the same cache files, which can race (a rank may read a half-written
index). :func:`compile_kernels` avoids that: rank 0 of the communicator it is given compiles and
writes the cache, a barrier follows, then the other ranks load from the cache. Call it once,
collectively, before the first update (pass the solver's communicator, not ``COMM_WORLD``). Set
``NUMBA_NUM_THREADS=1`` under MPI: the kernels are serial (no ``parallel=True``).

No per-point allocation and no Python loop over points: each kernel loops over the points in
compiled code and keeps the per-point state in scalars (one 6-vector scratch array per call).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

NEWTON_RTOL = 1.0e-12
"""Relative tolerance on the plastic-strain increment (last Newton correction)."""
NEWTON_MAXIT = 50
"""Most local Newton iterations per point (outer and, for Anand, inner)."""
_INNER_RTOL = 1.0e-14
_SQRT32 = math.sqrt(1.5)


# --------------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------------
@njit(cache=True, fastmath=False)
def _moduli(E: float, nu: float) -> tuple[float, float]:
    return E / (3.0 * (1.0 - 2.0 * nu)), E / (2.0 * (1.0 + nu))


@njit(cache=True, fastmath=False)
def _trial(strain, eps_p_old, i, G, s_tr):
    """Deviatoric trial stress into ``s_tr``; returns (trace of the trial elastic strain
    ``eps - eps_p_old``, |s_tr|)."""
    e0 = strain[i, 0] - eps_p_old[i, 0]
    e1 = strain[i, 1] - eps_p_old[i, 1]
    e2 = strain[i, 2] - eps_p_old[i, 2]
    tr_e = e0 + e1 + e2
    third = tr_e / 3.0
    s_tr[0] = 2.0 * G * (e0 - third)
    s_tr[1] = 2.0 * G * (e1 - third)
    s_tr[2] = 2.0 * G * (e2 - third)
    for k in range(3, 6):
        s_tr[k] = 2.0 * G * (strain[i, k] - eps_p_old[i, k])
    norm2 = 0.0
    for k in range(6):
        norm2 += s_tr[k] * s_tr[k]
    return tr_e, math.sqrt(norm2)


@njit(cache=True, fastmath=False)
def _finish(i, K, G, tr_eps, s_tr, norm_s, dp, theta, gamma,
            eps_p_old, stress, tangent, eps_p_new):
    """Stress ``K tr(eps) 1 + theta s_tr``, plastic strain and the tangent
    ``K 1(x)1 + 2G theta I_dev + 2G gamma nhat(x)nhat`` (``nhat`` = 0 where ``norm_s`` = 0).
    Overwrites ``s_tr`` with ``nhat``."""
    p_vol = K * tr_eps
    inv = 1.0 / norm_s if norm_s > 0.0 else 0.0
    for k in range(6):
        stress[i, k] = theta * s_tr[k]
        s_tr[k] *= inv
        eps_p_new[i, k] = eps_p_old[i, k] + dp * _SQRT32 * s_tr[k]
    for k in range(3):
        stress[i, k] += p_vol
    two_g = 2.0 * G
    two_g_gamma = two_g * gamma
    for a in range(6):
        ga = two_g_gamma * s_tr[a]
        for b in range(6):
            tangent[i, a, b] = ga * s_tr[b]
    for a in range(6):
        tangent[i, a, a] += two_g * theta
    block = K - two_g * theta / 3.0
    for a in range(3):
        for b in range(3):
            tangent[i, a, b] += block


@njit(cache=True, fastmath=False)
def _norton_return(y0, c, n):
    """Root ``u`` of ``u = c (y0 - u)^n`` on ``[0, y0)`` (``y0 > 0``, ``c > 0``, ``n >= 1``).

    Start: ``u = 0`` when ``ya = (y0/c)^(1/n) >= y0`` (mild step, root below ~0.22 y0);
    otherwise one Newton step of ``h(z) = n z + ln c - ln(y0 - e^z)`` (``z = ln y``, convex and
    increasing, so the step from ``ya`` stays right of the root in ``y``, i.e. left of it in
    ``u``) from ``z = ln ya``. Then Newton on ``F(u) = u - c (y0 - u)^n`` (concave, increasing)
    with a bracket. Returns ``(u, du/dy0, converged)``; at the root ``c y^n = u``, so
    ``du/dy0 = g/(1 + g)`` with ``g = n c y^(n-1) = n u / y``.
    """
    ya = (y0 / c) ** (1.0 / n)
    if ya < y0:
        r = ya / y0
        h = -math.log1p(-r)
        y1 = ya * math.exp(-h / (n + r / (1.0 - r)))
        u = y0 - y1
    else:
        u = 0.0
    lo = 0.0
    hi = y0
    converged = False
    for _ in range(NEWTON_MAXIT):
        y = y0 - u
        cyn = c * y**n
        f = u - cyn
        if f == 0.0:
            converged = True
            break
        if f < 0.0:
            lo = u
        else:
            hi = u
        df = 1.0 + (n * cyn / y if y > 0.0 else 0.0)
        du = -f / df
        u_new = u + du
        if abs(du) <= NEWTON_RTOL * abs(u_new):
            if lo <= u_new <= hi:
                u = u_new
            converged = True
            break
        if not (lo < u_new < hi):
            u_new = 0.5 * (lo + hi)
        u = u_new
    y = y0 - u
    if y > 0.0:
        g = n * u / y
        beta = g / (1.0 + g)
    else:
        beta = 1.0
    return u, beta, converged


# --------------------------------------------------------------------------------------------
# power-law creep
# --------------------------------------------------------------------------------------------
@njit(cache=True, fastmath=False)
def power_law_update(strain, eps_p_old, p_old, dt, E, nu, A_eff, n, sigma_y,
                     stress, tangent, eps_p_new, p_new):
    """Backward-Euler return map of J2 power-law creep
    ``p_dot = A_eff <sigma_eq - sigma_y>^n`` at ``N`` points, in place.

    strain, eps_p_old: (N, 6) Mandel; p_old: (N,); dt [s] (``dt = 0``: elastic response with the
    elastic tangent); E [Pa], nu; A_eff = A exp(-Q/RT) [1/(s Pa^n)]; n >= 1; sigma_y [Pa].
    Outputs: stress (N, 6), tangent (N, 6, 6) (consistent), eps_p_new (N, 6), p_new (N,).
    Returns the number of points whose local Newton did not converge. The same code as
    :func:`power_law_linear_update` without the linear branch (``L_eff = 0``).
    """
    return power_law_linear_update(strain, eps_p_old, p_old, dt, E, nu, A_eff, n, sigma_y,
                                   0.0, stress, tangent, eps_p_new, p_new)


@njit(cache=True, fastmath=False)
def _norton_linear_return(q_tr, sigma_y, c, n, cl):
    """Root ``u`` of ``F(u) = u - c <q_tr - sigma_y - u>^n - cl (q_tr - u) = 0`` on
    ``[0, q_tr)`` (``q_tr > 0``, ``c >= 0``, ``n >= 1``, ``cl > 0``): the power law in parallel
    with a linear (diffusional) law.

    ``F`` is increasing (``F' = 1 + cl + g``, ``g = n c y^(n-1)``, ``y = q_tr - sigma_y - u``)
    and concave (``F'`` falls with ``u`` and is continuous at ``y = 0`` for ``n > 1``), so
    Newton started left of the root climbs to it monotonically. Both single-branch roots are
    below the root (dropping a positive rate lowers ``u``): the linear one
    ``cl q_tr / (1 + cl)`` and the power-law one of :func:`_norton_return`; the start is the
    larger. A bracket with bisection guards against round-off. Returns
    ``(u, du/dq_tr, converged)`` with ``du/dq_tr = (g + cl) / (1 + cl + g)`` (implicit
    function theorem; ``dy0/dq_tr = 1``).
    """
    y0 = q_tr - sigma_y
    u = cl * q_tr / (1.0 + cl)
    if c > 0.0 and y0 > 0.0:
        u_n, _, _ = _norton_return(y0, c, n)
        if u_n > u:
            u = u_n
    lo = 0.0
    hi = q_tr
    converged = False
    for _ in range(NEWTON_MAXIT):
        y = y0 - u
        if c > 0.0 and y > 0.0:
            cyn = c * y**n
            g = n * cyn / y
        else:
            cyn = 0.0
            g = 0.0
        f = u - cyn - cl * (q_tr - u)
        if f == 0.0:
            converged = True
            break
        if f < 0.0:
            lo = u
        else:
            hi = u
        du = -f / (1.0 + cl + g)
        u_new = u + du
        if abs(du) <= NEWTON_RTOL * abs(u_new):
            if lo <= u_new <= hi:
                u = u_new
            converged = True
            break
        if not (lo < u_new < hi):
            u_new = 0.5 * (lo + hi)
        u = u_new
    y = y0 - u
    g = n * c * y ** (n - 1.0) if (c > 0.0 and y > 0.0) else 0.0
    beta = (g + cl) / (1.0 + cl + g)
    return u, beta, converged


@njit(cache=True, fastmath=False)
def power_law_linear_update(strain, eps_p_old, p_old, dt, E, nu, A_eff, n, sigma_y, L_eff,
                            stress, tangent, eps_p_new, p_new):
    """Backward-Euler return map of J2 power-law creep in parallel with linear (diffusional)
    flow, ``p_dot = A_eff <sigma_eq - sigma_y>^n + L_eff sigma_eq``, at ``N`` points, in place.

    Arguments as :func:`power_law_update` plus L_eff [1/(s Pa)] >= 0 (e.g.
    :meth:`ssbx.physics.creep_laws.SizeDependentLiCreep.kernel_args`). With ``u = 3G dp``:
    ``u = c <q_tr - sigma_y - u>^n + c_L (q_tr - u)``, ``c = 3G dt A_eff``,
    ``c_L = 3G dt L_eff`` (:func:`_norton_linear_return`); the consistent tangent has
    ``beta = du/dq_tr = (g + c_L)/(1 + c_L + g)``, ``g = n c y^(n-1)``. The linear branch has no
    threshold: it flows below ``sigma_y``. ``L_eff = 0`` is :func:`power_law_update`: the power
    law alone through :func:`_norton_return`. Returns the number of points
    whose local Newton did not converge.
    """
    K, G = _moduli(E, nu)
    s_tr = np.empty(6)
    failed = 0
    for i in range(strain.shape[0]):
        tr_eps, norm_s = _trial(strain, eps_p_old, i, G, s_tr)
        q_tr = _SQRT32 * norm_s
        dp = 0.0
        theta = 1.0
        gamma = 0.0
        if L_eff > 0.0:
            if dt > 0.0 and q_tr > 0.0:
                u, beta, ok = _norton_linear_return(
                    q_tr, sigma_y, 3.0 * G * dt * A_eff, n, 3.0 * G * dt * L_eff)
                if not ok:
                    failed += 1
                if u > 0.0:
                    dp = u / (3.0 * G)
                    theta = 1.0 - u / q_tr
                    gamma = u / q_tr - beta
        elif dt > 0.0 and A_eff > 0.0 and q_tr > sigma_y and q_tr > 0.0:
            u, beta, ok = _norton_return(q_tr - sigma_y, 3.0 * G * dt * A_eff, n)
            if not ok:
                failed += 1
            if u > 0.0:
                dp = u / (3.0 * G)
                theta = 1.0 - u / q_tr
                gamma = u / q_tr - beta
        p_new[i] = p_old[i] + dp
        _finish(i, K, G, tr_eps, s_tr, norm_s, dp, theta, gamma,
                eps_p_old, stress, tangent, eps_p_new)
    return failed


# --------------------------------------------------------------------------------------------
# Anand model
# --------------------------------------------------------------------------------------------
@njit(cache=True, fastmath=False)
def _phi(x, a):
    """``(|x|^a sign(x), a |x|^(a-1))`` with the common exponents a = 2 and a = 1 unrolled."""
    ax = abs(x)
    if a == 2.0:
        pa = ax * ax
        dphi = 2.0 * ax
    elif a == 1.0:
        pa = ax
        dphi = 1.0
    else:
        pa = ax**a
        dphi = a * ax ** (a - 1.0)
    return (pa if x >= 0.0 else -pa), dphi


@njit(cache=True, fastmath=False)
def _anand_hardening(u, S_old, S_guess, G3, dtA, h0, S_tilde, n_sat, a):
    """Backward-Euler flow resistance at ``u = 3G dp > 0``: root of
    ``R2(S) = S - S_old - h0 dp |x|^a sign(x)``, ``x = 1 - S/S*`` (increasing in ``S``, root
    between ``S_old`` and ``S*``). Returns ``(S, dR2/du, dR2/dS, converged)``."""
    dp = u / G3
    s_star = S_tilde * (dp / dtA) ** n_sat
    lo = min(S_old, s_star)
    hi = max(S_old, s_star)
    S = S_guess if lo <= S_guess <= hi else S_old
    converged = False
    for _ in range(NEWTON_MAXIT):
        phi, dphi = _phi(1.0 - S / s_star, a)
        r = S - S_old - h0 * dp * phi
        if r == 0.0 or lo == hi:
            converged = True
            break
        if r < 0.0:
            lo = S
        else:
            hi = S
        dS = -r / (1.0 + h0 * dp * dphi / s_star)
        S_new = S + dS
        if abs(dS) <= _INNER_RTOL * abs(S_new):
            if lo <= S_new <= hi:
                S = S_new
            converged = True
            break
        if not (lo < S_new < hi):
            S_new = 0.5 * (lo + hi)
        S = S_new
    phi, dphi = _phi(1.0 - S / s_star, a)
    j_su = -(h0 * phi + h0 * dphi * (S / s_star) * n_sat) / G3
    j_ss = 1.0 + h0 * dp * dphi / s_star
    return S, j_su, j_ss, converged


@njit(cache=True, fastmath=False)
def _anand_log_residual(u, q_tr, S_old, S_guess, G3, log_c0, dtA, inv_m, h0, S_tilde, n_sat, a):
    """Flow rule in log form at ``0 < u < q_tr`` with ``S = S(u)`` from the hardening law:
    ``L = ln(u) - ln(c0) - (1/m) ln((q_tr - u)/S)`` and its total derivative
    ``dL/du = 1/u + (1/m)/(q_tr - u) + (1/m) (dS/du)/S``. Returns
    ``(L, dL/du, S, dR2/du, dR2/dS, inner ok)``."""
    y = q_tr - u
    S, j_su, j_ss, ok = _anand_hardening(u, S_old, S_guess, G3, dtA, h0, S_tilde, n_sat, a)
    L = math.log(u) - log_c0 - inv_m * math.log(y / S)
    dL = 1.0 / u + inv_m / y - inv_m * (j_su / j_ss) / S
    return L, dL, S, j_su, j_ss, ok


@njit(cache=True, fastmath=False)
def anand_update(strain, eps_p_old, p_old, S_old, dt, E, nu, A_eff, m, h0, S_tilde, n_sat, a,
                 stress, tangent, eps_p_new, p_new, S_new):
    """Backward-Euler update of the Anand model (Narayan & Anand 2018) at ``N`` points, in place.

    ``nu_p = A_eff (sigma_bar/S)^(1/m)``, ``S_dot = h0 |1 - S/S*|^a sign(1 - S/S*) nu_p``,
    ``S* = S_tilde (nu_p/A_eff)^n_sat``. strain, eps_p_old: (N, 6) Mandel; p_old, S_old: (N,)
    [-, Pa]; dt [s] (``dt = 0``: elastic); E [Pa], nu; A_eff = A exp(-Q/RT) [1/s]; m; h0 [Pa];
    S_tilde [Pa]; n_sat; a >= 1. Outputs: stress (N, 6), tangent (N, 6, 6) (consistent),
    eps_p_new (N, 6), p_new (N,), S_new (N,) [Pa]. Returns the number of points whose local
    Newton (outer or inner) did not converge.
    """
    K, G = _moduli(E, nu)
    G3 = 3.0 * G
    inv_m = 1.0 / m
    s_tr = np.empty(6)
    failed = 0
    for i in range(strain.shape[0]):
        tr_eps, norm_s = _trial(strain, eps_p_old, i, G, s_tr)
        q_tr = _SQRT32 * norm_s
        S0 = S_old[i]
        dp = 0.0
        S = S0
        theta = 1.0
        gamma = 0.0
        if dt > 0.0 and A_eff > 0.0 and q_tr > 0.0:
            dtA = dt * A_eff
            c0 = G3 * dtA
            log_c0 = math.log(c0)
            # start with S frozen at S_old: explicit estimate (mild steps) or the stiff-limit
            # power-law estimate (large steps), whichever applies
            u_mild = c0 * (q_tr / S0) ** inv_m
            u_stiff = q_tr - S0 * (q_tr / c0) ** m
            u = max(u_stiff, min(u_mild, 0.5 * q_tr))
            if not (0.0 < u < q_tr):
                u = 0.5 * q_tr
            lo = 0.0
            hi = q_tr
            ok_all = False
            L, dL, S, j_su, j_ss, ok_in = _anand_log_residual(
                u, q_tr, S0, S0, G3, log_c0, dtA, inv_m, h0, S_tilde, n_sat, a)
            for _ in range(NEWTON_MAXIT):
                if L == 0.0:
                    ok_all = True
                    break
                if L < 0.0:
                    lo = u
                else:
                    hi = u
                du = -L / dL if dL > 0.0 else 0.5 * (lo + hi) - u
                u_new = u + du
                if abs(du) <= NEWTON_RTOL * abs(u_new):
                    # converged: accept the last correction (S, J change by O(du/u) <= rtol)
                    if lo < u_new < hi:
                        u = u_new
                    ok_all = True
                    break
                if not (lo < u_new < hi):
                    u_new = 0.5 * (lo + hi)
                u = u_new
                L, dL, S, j_su, j_ss, ok_in = _anand_log_residual(
                    u, q_tr, S0, S, G3, log_c0, dtA, inv_m, h0, S_tilde, n_sat, a)
            if not (ok_all and ok_in):
                failed += 1
            dp = u / G3
            # consistent tangent: implicit function theorem on R1 = u - P(u, S; q_tr) = 0,
            # R2(u, S) = 0 (see the module docstring); at the root P = u
            y = q_tr - u
            j_uu = 1.0 + inv_m * u / y
            j_us = inv_m * u / S
            det = j_uu * j_ss - j_us * j_su
            beta = (inv_m * u / y) * j_ss / det
            theta = 1.0 - u / q_tr
            gamma = u / q_tr - beta
        p_new[i] = p_old[i] + dp
        S_new[i] = S
        _finish(i, K, G, tr_eps, s_tr, norm_s, dp, theta, gamma,
                eps_p_old, stress, tangent, eps_p_new)
    return failed


# --------------------------------------------------------------------------------------------
# NumPy reference of the power-law update (throughput comparison)
# --------------------------------------------------------------------------------------------
def power_law_update_numpy(strain: np.ndarray, eps_p_old: np.ndarray, p_old: np.ndarray,
                           dt: float, E: float, nu: float, A_eff: float, n: float,
                           sigma_y: float, stress: np.ndarray, tangent: np.ndarray,
                           eps_p_new: np.ndarray, p_new: np.ndarray) -> int:
    """The same maths as :func:`power_law_update`, vectorised over all points with NumPy: the
    Newton iteration runs on the not yet converged points until all converge (at most
    ``NEWTON_MAXIT`` sweeps). Same arguments and return value."""
    K = E / (3.0 * (1.0 - 2.0 * nu))
    G = E / (2.0 * (1.0 + nu))
    e = strain - eps_p_old
    tr_eps = e[:, 0] + e[:, 1] + e[:, 2]
    third = tr_eps / 3.0
    s_tr = 2.0 * G * e
    for k in range(3):
        s_tr[:, k] = 2.0 * G * (e[:, k] - third)
    norm_s = np.sqrt(np.einsum("ij,ij->i", s_tr, s_tr))
    q_tr = _SQRT32 * norm_s

    npts = strain.shape[0]
    u = np.zeros(npts)
    beta = np.zeros(npts)
    failed = 0
    if dt > 0.0 and A_eff > 0.0:
        act = np.nonzero((q_tr > sigma_y) & (q_tr > 0.0))[0]
        y0 = q_tr[act] - sigma_y
        c = 3.0 * G * dt * A_eff
        ya = (y0 / c) ** (1.0 / n)
        stiff = ya < y0
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(stiff, ya / y0, 0.5)
            h = -np.log1p(-r)
            y1 = ya * np.exp(-h / (n + r / (1.0 - r)))
        ua = np.where(stiff, y0 - y1, 0.0)
        lo = np.zeros_like(ua)
        hi = y0.copy()
        todo = np.arange(act.size)
        for _ in range(NEWTON_MAXIT):
            if todo.size == 0:
                break
            uu = ua[todo]
            y = y0[todo] - uu
            cyn = c * y**n
            f = uu - cyn
            zero = f == 0.0
            lo[todo] = np.where(f < 0.0, uu, lo[todo])
            hi[todo] = np.where(f > 0.0, uu, hi[todo])
            with np.errstate(divide="ignore", invalid="ignore"):
                df = 1.0 + np.where(y > 0.0, n * cyn / y, 0.0)
            du = -f / df
            u_new = uu + du
            l_, h_ = lo[todo], hi[todo]
            done = np.abs(du) <= NEWTON_RTOL * np.abs(u_new)
            inside = (l_ <= u_new) & (u_new <= h_)
            strict = (l_ < u_new) & (u_new < h_)
            ua[todo] = np.where(zero, uu,
                                np.where(done, np.where(inside, u_new, uu),
                                         np.where(strict, u_new, 0.5 * (l_ + h_))))
            todo = todo[~(zero | done)]
        failed = int(todo.size)
        y = y0 - ua
        with np.errstate(divide="ignore", invalid="ignore"):
            g = n * ua / y
            b = np.where(y > 0.0, g / (1.0 + g), 1.0)
        u[act] = ua
        beta[act] = b

    plastic = u > 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        dp = np.where(plastic, u / (3.0 * G), 0.0)
        theta = np.where(plastic, 1.0 - u / q_tr, 1.0)
        gamma = np.where(plastic, u / q_tr - beta, 0.0)
        inv = np.where(norm_s > 0.0, 1.0 / norm_s, 0.0)
    nhat = s_tr * inv[:, None]
    stress[:] = theta[:, None] * s_tr
    stress[:, :3] += (K * tr_eps)[:, None]
    eps_p_new[:] = eps_p_old + (dp * _SQRT32)[:, None] * nhat
    p_new[:] = p_old + dp
    two_g = 2.0 * G
    tangent[:] = (two_g * gamma)[:, None, None] * nhat[:, :, None] * nhat[:, None, :]
    diag = np.arange(6)
    tangent[:, diag, diag] += (two_g * theta)[:, None]
    tangent[:, :3, :3] += (K - two_g * theta / 3.0)[:, None, None]
    return failed


# --------------------------------------------------------------------------------------------
# compilation
# --------------------------------------------------------------------------------------------
def warm_up_kernels() -> None:
    """Compile (or load from the cache) the kernels on a one-point input with the production
    argument types (float64 C-contiguous arrays, float scalars)."""
    strain = np.zeros((1, 6))
    strain[0, 0] = 1.0e-3
    zeros6 = np.zeros((1, 6))
    one = np.zeros(1)
    out6 = np.empty((1, 6))
    out66 = np.empty((1, 6, 6))
    out6b = np.empty((1, 6))
    out1 = np.empty(1)
    power_law_update(strain, zeros6, one, 1.0, 7.8e9, 0.38, 1.0e-40, 6.56, 0.0,
                     out6, out66, out6b, out1)
    power_law_linear_update(strain, zeros6, one, 1.0, 7.8e9, 0.38, 1.0e-40, 6.56, 0.0, 1.0e-9,
                            out6, out66, out6b, out1)
    S = np.full(1, 1.0e6)
    out1b = np.empty(1)
    anand_update(strain, zeros6, one, S, 1.0, 7.8e9, 0.38, 1.0e-2, 0.15, 1.0e7, 2.0e6, 0.05,
                 2.0, out6, out66, out6b, out1, out1b)


def compile_kernels(comm: Any) -> None:
    """Compile the kernels without racing on the numba cache (collective on ``comm``).

    Rank 0 compiles first and writes ``NUMBA_CACHE_DIR``; after a barrier the other ranks load
    the cached code. ``comm`` is an ``mpi4py`` communicator (the solver's, never assumed to be
    ``COMM_WORLD``); anything with ``rank`` and ``Barrier()`` works.
    """
    if comm.rank == 0:
        warm_up_kernels()
    comm.Barrier()
    if comm.rank != 0:
        warm_up_kernels()
    comm.Barrier()


__all__ = [
    "NEWTON_MAXIT",
    "NEWTON_RTOL",
    "anand_update",
    "compile_kernels",
    "power_law_linear_update",
    "power_law_update",
    "power_law_update_numpy",
    "warm_up_kernels",
]
