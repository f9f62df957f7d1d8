"""Kernel throughput: quadrature points per second per core of the Li constitutive update.

Measured (``ssbx bench run kernel_throughput [--quick]``), on one core of rank 0 of the
communicator (the other ranks wait), after a warm-up call (compilation, or loading the numba
cache, is not timed):

- the numba power-law return map (:func:`ssbx.physics.viscoplastic_kernels.power_law_update`,
  Masias 2019 preset at 298 K),
- the numba Anand update (:func:`~ssbx.physics.viscoplastic_kernels.anand_update`, Narayan &
  Anand 2018 at 298 K),
- the NumPy vectorised power-law update (:func:`~ssbx.physics.viscoplastic_kernels.
  power_law_update_numpy`, same maths, Newton sweeps over all unconverged points),

on 2e5 random plastic points (quick: 2e4): strains ~N(0, 2e-4), deviatoric plastic strains,
time step 1 s, so the returns range from mild to stiff (equivalent trial stresses of ~0.1-3 MPa).
Each timing is the best of several repetitions (least disturbed by other load).

Memory-bandwidth bound: the bytes each point must move, counted from the kernel signature
(float64: power law reads strain 48 + eps_p_old 48 + p_old 8 = 104 B and writes stress 48 +
tangent 288 + eps_p_new 48 + p_new 8 = 392 B, 496 B in all; Anand adds S_old and S_new, 512 B),
divided into a measured STREAM-like copy bandwidth of this machine (``numpy.copyto`` of a
256 MiB float64 array, best of 10, counted as 2 x 256 MiB moved per copy, the STREAM convention
that ignores write-allocate traffic) gives the most points per second a kernel could reach if it
did no arithmetic. On a virtual machine that shares its host the copy bandwidth changes from run
to run (14-27 GB/s on the machine of the committed results), so the bound is indicative; every
sample is kept in ``result.json``.

Asserted: numba beats NumPy (speed-up > 1 for the same power-law update; tolerance: the
speed-up must exceed 1, i.e. the check passes for any speed-up >= 1 — timings vary with the
machine and its load, so only the direction is asserted), the two implementations agree to
1e-12 relative, and no local Newton fails. Throughputs and the bandwidth fraction are reported,
not asserted.
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import numpy as np

from ssbx.benchmarks.framework import (
    Check,
    DirectBenchmark,
    Outcome,
    on_root,
    pyplot,
    register,
    save_figure,
    say,
)
from ssbx.benchmarks.workers import load_average

FULL_POINTS = 200_000
QUICK_POINTS = 20_000
FULL_REPEATS = 7
QUICK_REPEATS = 3
NUMPY_REPEATS_FULL = 3
NUMPY_REPEATS_QUICK = 2
COPY_BYTES = 256 * 2**20
COPY_REPEATS = 10
TEMPERATURE = 298.0
DT = 1.0
STRAIN_SCALE = 2.0e-4
AGREEMENT_TOL = 1.0e-12
SPEEDUP_MIN = 1.0

BYTES_POWER_LAW = {"read": 48 + 48 + 8, "written": 48 + 288 + 48 + 8}
BYTES_ANAND = {"read": 48 + 48 + 8 + 8, "written": 48 + 288 + 48 + 8 + 8}

COLUMNS = ["kernel", "implementation", "points", "repeats", "best_time_s", "median_time_s",
           "points_per_second", "ns_per_point", "bytes_per_point", "bandwidth_bound_points_per_s",
           "fraction_of_bound", "speedup_vs_numpy", "failed_points"]


def copy_bandwidth_samples(nbytes: int = COPY_BYTES, repeats: int = COPY_REPEATS) -> list[float]:
    """STREAM-like copy bandwidths [B/s] of ``repeats`` ``numpy.copyto`` of ``nbytes``, each
    counted as ``2 nbytes`` moved (read + write)."""
    a = np.ones(nbytes // 8)
    b = np.empty_like(a)
    np.copyto(b, a)  # touch the pages
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(b, a)
        samples.append(2.0 * nbytes / (time.perf_counter() - t0))
    return samples


def copy_bandwidth(nbytes: int = COPY_BYTES, repeats: int = COPY_REPEATS) -> float:
    """The best of :func:`copy_bandwidth_samples` [B/s]."""
    return max(copy_bandwidth_samples(nbytes, repeats))


def random_plastic_points(npts: int, seed: int = 2024) -> dict[str, np.ndarray]:
    """Strains and internal variables of ``npts`` random points (Mandel, float64)."""
    rng = np.random.default_rng(seed)
    strain = rng.normal(size=(npts, 6)) * STRAIN_SCALE
    eps_p = rng.normal(size=(npts, 6)) * 0.3 * STRAIN_SCALE
    eps_p[:, :3] -= eps_p[:, :3].sum(axis=1, keepdims=True) / 3.0
    return {"strain": strain, "eps_p": np.ascontiguousarray(eps_p), "p": np.zeros(npts),
            "S": rng.uniform(0.8e6, 1.6e6, npts)}


def _outputs(npts: int) -> list[np.ndarray]:
    return [np.empty((npts, 6)), np.empty((npts, 6, 6)), np.empty((npts, 6)), np.empty(npts)]


def _time(fn: Any, repeats: int) -> tuple[float, float, Any]:
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times)), result


def measure(npts: int, repeats: int, numpy_repeats: int) -> dict[str, Any]:
    """Time the three implementations on ``npts`` points; agreement and failure counts."""
    from ssbx.physics import viscoplastic_kernels as vk
    from ssbx.physics.creep_laws import LI_ELASTIC, MASIAS_2019, NARAYAN_ANAND_2018

    E, nu = LI_ELASTIC
    pts = random_plastic_points(npts)
    A_eff, n, sigma_y = MASIAS_2019.kernel_args(TEMPERATURE)
    pl_args = (pts["strain"], pts["eps_p"], pts["p"], DT, E, nu, A_eff, n, sigma_y)
    na = NARAYAN_ANAND_2018
    an_args = (pts["strain"], pts["eps_p"], pts["p"], pts["S"], DT, na.E, na.nu,
               *na.kernel_args(TEMPERATURE))
    out_nb, out_np, out_an = _outputs(npts), _outputs(npts), [*_outputs(npts), np.empty(npts)]

    vk.warm_up_kernels()
    vk.power_law_update(*pl_args, *out_nb)  # warm caches and pages
    vk.anand_update(*an_args, *out_an)

    t_nb, med_nb, f_nb = _time(lambda: vk.power_law_update(*pl_args, *out_nb), repeats)
    t_an, med_an, f_an = _time(lambda: vk.anand_update(*an_args, *out_an), repeats)
    t_np, med_np, f_np = _time(lambda: vk.power_law_update_numpy(*pl_args, *out_np),
                               numpy_repeats)
    agreement = max(float(np.max(np.abs(x - y)) / np.max(np.abs(x)))
                    for x, y in zip(out_nb, out_np, strict=True))
    dp = out_nb[3] - pts["p"]
    q_tr = np.sqrt(1.5) * 2.0 * (E / (2.0 * (1.0 + nu))) * _dev_norm(pts["strain"] - pts["eps_p"])
    return {
        "power_law_numba": (t_nb, med_nb, int(f_nb)),
        "anand_numba": (t_an, med_an, int(f_an)),
        "power_law_numpy": (t_np, med_np, int(f_np)),
        "agreement": agreement,
        "plastic_fraction": float(np.mean(dp > 0.0)),
        "q_trial_MPa_percentiles": [float(x) for x in np.percentile(q_tr, [5, 50, 95]) / 1e6],
        "stress_drop_fraction_median": float(np.median(
            (out_nb[3] - pts["p"]) * 3.0 * E / (2.0 * (1.0 + nu)) / q_tr)),
    }


def _dev_norm(e: np.ndarray) -> np.ndarray:
    d = e.copy()
    d[:, :3] -= d[:, :3].sum(axis=1, keepdims=True) / 3.0
    return np.sqrt(np.einsum("ij,ij->i", d, d))


def build_rows(npts: int, repeats: int, numpy_repeats: int, m: dict[str, Any],
               bandwidth: float) -> list[dict[str, Any]]:
    """One table row per kernel and implementation: times [s], points per second, bandwidth
    bound and speed-up over NumPy (``m``: timings of :func:`measure`; ``bandwidth`` [B/s])."""
    t_np = m["power_law_numpy"][0]
    rows = []
    for key, kernel, impl, nbytes, reps in (
            ("power_law_numba", "power law (Masias 2019)", "numba", BYTES_POWER_LAW, repeats),
            ("anand_numba", "Anand (Narayan & Anand 2018)", "numba", BYTES_ANAND, repeats),
            ("power_law_numpy", "power law (Masias 2019)", "numpy", BYTES_POWER_LAW,
             numpy_repeats)):
        best, median, failed = m[key]
        total = nbytes["read"] + nbytes["written"]
        bound = bandwidth / total
        rate = npts / best
        rows.append({
            "kernel": kernel, "implementation": impl, "points": npts, "repeats": reps,
            "best_time_s": best, "median_time_s": median, "points_per_second": rate,
            "ns_per_point": 1e9 * best / npts, "bytes_per_point": total,
            "bandwidth_bound_points_per_s": bound, "fraction_of_bound": rate / bound,
            "speedup_vs_numpy": t_np / best if key.startswith("power_law") else float("nan"),
            "failed_points": failed,
        })
    return rows


def markdown(rows: list[dict[str, Any]], checks: list[Check], machine: dict[str, Any],
             bandwidth: float, quick: bool) -> str:
    """The Markdown report (``kernel_throughput.md``): set-up, machine, table and checks."""
    lines = [
        "# Kernel throughput: Li constitutive update per quadrature point",
        "",
        f"{rows[0]['points']} random plastic points{' (quick)' if quick else ''}, dt = {DT:g} s, "
        f"{TEMPERATURE:g} K; best of the repetitions; one core (NUMBA_NUM_THREADS="
        f"{os.environ.get('NUMBA_NUM_THREADS', 'unset')}). Bandwidth bound = measured copy "
        f"bandwidth {bandwidth / 1e9:.2f} GB/s (numpy.copyto of {COPY_BYTES / 2**20:.0f} MiB, "
        "counted as read + write) / bytes moved per point.",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()),
        "",
        "| kernel | implementation | points/s | ns/point | bytes/point | bandwidth bound "
        "[points/s] | fraction of bound | speed-up vs NumPy |",
        "|:---|:---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        sp = r["speedup_vs_numpy"]
        lines.append(
            f"| {r['kernel']} | {r['implementation']} | {r['points_per_second']:.3e} | "
            f"{r['ns_per_point']:.0f} | {r['bytes_per_point']} | "
            f"{r['bandwidth_bound_points_per_s']:.3e} | {r['fraction_of_bound']:.3f} | "
            f"{'–' if sp != sp else f'{sp:.1f}'} |")
    lines += ["", "Checks:", "", *(c.markdown(".4g") for c in checks)]
    return "\n".join(lines) + "\n"


@register
class KernelThroughput(DirectBenchmark):
    """Benchmark ``kernel_throughput``: quadrature points per second of the Li constitutive
    kernels, numba vs NumPy, against a memory-bandwidth bound."""

    name = "kernel_throughput"
    title = "Li constitutive kernels: quadrature points per second per core (numba vs NumPy)"
    source = (
        "self-consistency / performance measurement of ssbx.physics.viscoplastic_kernels "
        "(power law after Masias et al., J. Mater. Sci. 54 (2019) 2585; Anand model of Narayan "
        "& Anand, Extreme Mech. Lett. 24 (2018) 21)"
    )
    reference = (
        "the NumPy vectorised implementation of the same power-law return map, and a "
        "memory-bandwidth bound: bytes moved per point (496 B power law, 512 B Anand, counted "
        "from the kernel signature) / measured STREAM-like copy bandwidth"
    )
    metric = (
        "speed-up of the numba power-law kernel over the NumPy version (same points, same "
        "maths); reported: points/s per core of both numba kernels and the fraction of the "
        "bandwidth bound"
    )
    tolerance = (
        f"speed-up >= {SPEEDUP_MIN:g} (numba must not be slower than NumPy; timings depend on "
        f"the machine, only the direction is asserted); numba = NumPy to {AGREEMENT_TOL:g} "
        "relative; no local Newton failure"
    )


    def compute(self, comm: MPI.Comm, console: Any, quick: bool, out_dir: Path) -> Outcome:
        """Measure the copy bandwidth and time the three kernels on rank 0 (the other ranks
        wait); check the speed-up, the numba/NumPy agreement and the local Newton failures."""
        from ssbx.physics import viscoplastic_kernels as vk

        load_start = load_average()
        vk.compile_kernels(comm)
        npts = QUICK_POINTS if quick else FULL_POINTS
        repeats = QUICK_REPEATS if quick else FULL_REPEATS
        numpy_repeats = NUMPY_REPEATS_QUICK if quick else NUMPY_REPEATS_FULL

        def measure_on_root() -> tuple[dict[str, Any], float]:
            samples = copy_bandwidth_samples()
            bandwidth = max(samples)
            say(comm, console, f"  copy bandwidth {bandwidth / 1e9:.2f} GB/s (best of "
                               f"{len(samples)}, median {np.median(samples) / 1e9:.2f})")
            m = measure(npts, repeats, numpy_repeats)
            m["copy_bandwidth_samples_GB_s"] = [x / 1e9 for x in samples]
            return m, bandwidth

        result = on_root(comm, measure_on_root)
        if result is None:
            return Outcome(rows=[], checks=[])
        m, bandwidth = result
        rows = build_rows(npts, repeats, numpy_repeats, m, bandwidth)
        for r in rows:
            say(comm, console, f"  {r['kernel']}, {r['implementation']}: "
                               f"{r['points_per_second']:.3e} points/s "
                               f"({r['ns_per_point']:.0f} ns/point, "
                               f"{100 * r['fraction_of_bound']:.1f} % of the bandwidth bound)")
        speedup = rows[0]["speedup_vs_numpy"]
        failed = sum(r["failed_points"] for r in rows)
        checks = [
            Check("numba_speedup_vs_numpy",
                  "NumPy time / numba time of the same power-law update (best of the "
                  "repetitions); must be >= 1", speedup, SPEEDUP_MIN, "min"),
            Check("numba_numpy_agreement",
                  "largest relative difference numba vs NumPy over stress, tangent, plastic "
                  "strain and p (max abs difference / max abs value, per array)",
                  m["agreement"], AGREEMENT_TOL, "max"),
            Check("local_newton_failures",
                  "points whose local Newton did not converge, all three runs", float(failed),
                  0.0, "max"),
        ]
        machine = {
            "CPU": _cpu_model(),
            "cores": os.cpu_count(),
            "platform": platform.platform(terse=True),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "numba": _numba_version(),
            "load average (1 min) at start/end": f"{load_start:.2f}/{load_average():.2f}",
        }
        findings = {
            "machine": machine,
            "copy_bandwidth_GB_s": bandwidth / 1e9,
            "copy_bandwidth_samples_GB_s": m["copy_bandwidth_samples_GB_s"],
            "points": npts,
            "plastic_fraction": m["plastic_fraction"],
            "q_trial_MPa_percentiles_5_50_95": m["q_trial_MPa_percentiles"],
            "stress_drop_fraction_median": m["stress_drop_fraction_median"],
            "points_per_second": {f"{r['kernel']} [{r['implementation']}]":
                                  r["points_per_second"] for r in rows},
            "bandwidth_bound_points_per_second": {
                "power_law": rows[0]["bandwidth_bound_points_per_s"],
                "anand": rows[1]["bandwidth_bound_points_per_s"]},
            "bytes_per_point": {"power_law": BYTES_POWER_LAW, "anand": BYTES_ANAND},
        }
        md = markdown(rows, checks, machine, bandwidth, quick)
        return Outcome(rows=rows, checks=checks, columns=COLUMNS, findings=findings,
                       extra_files={f"{self.name}.md": md},
                       plot_data={"bandwidth": bandwidth})

    def plot(self, outcome: Outcome, path: Path, quick: bool) -> None:
        """Bar chart of the points per second of each kernel with the bandwidth bounds (log)."""
        plt = pyplot()
        rows = outcome.rows
        fig, ax = plt.subplots(figsize=(8.5, 5.2))
        labels = [f"{r['kernel']}\n{r['implementation']}" for r in rows]
        values = [r["points_per_second"] for r in rows]
        colors = ["tab:blue", "tab:green", "tab:orange"]
        bars = ax.bar(range(len(rows)), values, color=colors, width=0.6)
        for b, r in zip(bars, rows, strict=True):
            ax.annotate(f"{r['points_per_second']:.2e}/s\n{r['ns_per_point']:.0f} ns/pt",
                        (b.get_x() + b.get_width() / 2, b.get_height()),
                        textcoords="offset points", xytext=(0, 4), ha="center", fontsize=8.5)
        ax.axhline(rows[0]["bandwidth_bound_points_per_s"], color="tab:red", ls="--", lw=1.2,
                   label=f"bandwidth bound, power law ({rows[0]['bytes_per_point']} B/point)")
        ax.axhline(rows[1]["bandwidth_bound_points_per_s"], color="tab:purple", ls=":", lw=1.2,
                   label=f"bandwidth bound, Anand ({rows[1]['bytes_per_point']} B/point)")
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)), labels, fontsize=9)
        ax.set_ylabel("quadrature points per second (one core)")
        top = max(max(values), rows[0]["bandwidth_bound_points_per_s"])
        ax.set_ylim(min(values) / 3.0, top * 4.0)
        ax.grid(True, axis="y", which="both", alpha=0.25)
        ax.legend(fontsize=8.5, loc="upper right")
        head = outcome.checks[0]
        status = "PASS" if all(c.passed for c in outcome.checks) else "FAIL"
        bw = outcome.plot_data.get("bandwidth", float("nan"))
        fig.suptitle(
            f"Li constitutive kernels, {rows[0]['points']} random plastic points"
            f"{' (quick)' if quick else ''} — {status}\n"
            f"numba / NumPy speed-up {head.value:.1f} (must be >= {head.tolerance:g}); "
            f"copy bandwidth {bw / 1e9:.1f} GB/s", fontsize=10.5)
        fig.tight_layout(rect=(0, 0, 1, 0.92))
        save_figure(fig, path)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"




def _numba_version() -> str:
    import numba

    return numba.__version__


__all__ = [
    "KernelThroughput",
    "copy_bandwidth",
    "copy_bandwidth_samples",
    "measure",
    "random_plastic_points",
]
