"""Validation rules, one module per family; each declares the issue codes it may raise."""
