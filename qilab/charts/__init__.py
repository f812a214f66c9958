"""Run charts, control charts and their rules."""
