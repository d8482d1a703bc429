"""Sample and synthetic workspaces for the demo, tests and benchmarks; not used by a real compile."""
