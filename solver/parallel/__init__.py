"""Parallel and HPC plumbing: sweeps on MPI sub-communicators, Slurm scripts, the MPI abort
hook and the JIT/numba caches shared by many processes."""
