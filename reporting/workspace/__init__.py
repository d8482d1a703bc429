"""The workspace: configuration, targets, paths, atomic writes and the lock, published results."""
