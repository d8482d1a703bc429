"""Delivery: composing and sending mail."""
