"""Loading and validating learners' and BI data."""
