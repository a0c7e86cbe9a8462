"""Fixtures for the practices tests: the collector tests' local server, client and paths."""

from tests.collectors.conftest import client, env, paths, sleeps  # noqa: F401 (fixtures)
