"""The build: landing zone + registry -> a new warehouse file swapped in, with its SQL (staging, marts) and migrations.
Imports inputs, landing, domain and infra; never read."""
