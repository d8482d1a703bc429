"""Targets, schedule, completion rates, ranks and the composite score; builds the results."""
