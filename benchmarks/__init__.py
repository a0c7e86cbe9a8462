"""Benchmarks: a scale generator and timed runs of the build, the queries and the collectors."""
