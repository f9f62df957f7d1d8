#!/bin/bash
# Weak scaling of the 3-D current problem (ssbx bench scaling_3d).
# A job of p ranks runs 3 log2(p) levels above level 5 (the DOFs double
# per level): about the level-5 DOFs per rank. Every 3 of those levels are
# one refinement after meshing (8x the cells, on every rank); the rest are Gmsh's.
set -euo pipefail
ACCOUNT=${ACCOUNT:?set ACCOUNT}; PARTITION=${PARTITION:?set PARTITION}

sbatch --account=$ACCOUNT --partition=$PARTITION --ntasks=64 --time=01:00:00 --job-name=ssbx-s3d-64 --wrap="srun --mpi=pmi2 python -m ssbx.benchmarks.entry performance.scaling_3d --worker --level 5 --refinements 6 --json scaling_3d_np64.json"
sbatch --account=$ACCOUNT --partition=$PARTITION --ntasks=128 --time=01:00:00 --job-name=ssbx-s3d-128 --wrap="srun --mpi=pmi2 python -m ssbx.benchmarks.entry performance.scaling_3d --worker --level 5 --refinements 7 --json scaling_3d_np128.json"
sbatch --account=$ACCOUNT --partition=$PARTITION --ntasks=256 --time=01:00:00 --job-name=ssbx-s3d-256 --wrap="srun --mpi=pmi2 python -m ssbx.benchmarks.entry performance.scaling_3d --worker --level 5 --refinements 8 --json scaling_3d_np256.json"
sbatch --account=$ACCOUNT --partition=$PARTITION --ntasks=512 --time=01:00:00 --job-name=ssbx-s3d-512 --wrap="srun --mpi=pmi2 python -m ssbx.benchmarks.entry performance.scaling_3d --worker --level 5 --refinements 9 --json scaling_3d_np512.json"
sbatch --account=$ACCOUNT --partition=$PARTITION --ntasks=1024 --time=01:00:00 --job-name=ssbx-s3d-1024 --wrap="srun --mpi=pmi2 python -m ssbx.benchmarks.entry performance.scaling_3d --worker --level 5 --refinements 10 --json scaling_3d_np1024.json"
