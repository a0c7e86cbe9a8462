"""What users give the warehouse: the registry of institutions, counts imports and the targets they make.
Imports landing, domain and infra; never build or read."""
