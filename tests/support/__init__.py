"""Support code for the tests: fakes of the platforms served through localservers, and helpers."""
