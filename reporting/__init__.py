"""reporting: a district's monthly indicator reporting, Excel in and Excel out.

The public Python API lives in the modules named for each step (config,
ingest, scoring, bulletin, mail, ...); the ``reporting`` command is a thin
click layer over them (see ``reporting.cli``).
"""

__version__ = "0.1.0"
