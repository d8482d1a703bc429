"""Whole jobs over the layers below (compile a period); the CLI and the Python API call these."""
