"""Running a cohort: nbgrader pipeline, certificates, learner register, reach and impact."""
