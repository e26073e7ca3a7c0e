"""Questionnaires as data: the schema of the YAML files, the loader and the reference check."""
