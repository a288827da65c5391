"""Placeholder until the built-in is written (issue 2)."""
