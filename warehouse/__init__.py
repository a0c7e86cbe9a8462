"""The warehouse, in floors from the bottom: infra, domain, landing, inputs, build, read.
A floor imports only the floors below it (import-linter's layers contract in pyproject.toml)."""
