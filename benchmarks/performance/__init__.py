"""Performance measurements: DOFs, Newton iterations, assembly and solve times, parallel
scaling and throughput, each worker a process of its own (:mod:`ssbx.benchmarks.workers`)."""
