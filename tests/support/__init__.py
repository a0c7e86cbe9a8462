"""Support code for the tests and benchmarks: the local platform server and its fakes."""
