"""The landing zone, the warehouse's input contract: records, the run writer, compaction."""
