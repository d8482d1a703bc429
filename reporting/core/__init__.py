"""The bottom layer: periods, plain models, errors, the issue and message catalogues, text and cell helpers.

Nothing here reads files or knows the workspace."""
