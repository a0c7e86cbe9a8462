"""The landing zone, the warehouse's input contract: records, the run writer, the catalogue of runs, compaction, quarantine.
Imports domain and infra only."""
