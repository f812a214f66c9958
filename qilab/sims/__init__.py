"""Seeded simulators for the workshop games."""
