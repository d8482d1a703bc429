"""reporting: a district's monthly indicator reporting, Excel in and Excel out.

The package is laid out by the flow, one folder a stage, imports pointing
down only (checked by import-linter, see pyproject.toml):
core <- workspace <- io <- ingest <- score <- render <- deliver <- jobs, demo <- cli.
The ``reporting`` command (``reporting.cli``) is a thin click layer over them.
"""

__version__ = "0.1.0"
