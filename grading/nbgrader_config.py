# nbgrader settings shared by every course that `qilab cohort init` creates.
#
# `qilab cohort init` copies this file into the course folder as nbgrader_config.py and adds the
# course's own lines (course id, course folder, exchange folder) at the end. Change the shared
# settings here, in the repository; change one course's settings in its own copy.
#
# The same file drives plain `nbgrader autograde` and `qilab cohort autograde`, so both give the
# same grades.
c = get_config()  # noqa: F821 (nbgrader provides get_config)

# Learners' notebooks are graded against the source version: locked cells, test cells and the
# kernel are restored from it, and a grade cell a learner deleted is put back (so deleting a
# test cell does not skip it).
c.OverwriteCells.add_missing_cells = True

# No cell may run for more than this many seconds; a cell that does is interrupted and marked as
# an error, so its test scores 0. `qilab cohort autograde --timeout S` overrides it.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True

# Keep feedback readable when a learner's code prints without end.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# Late work is flagged in the gradebook and the export (seconds late) but not penalised: the
# certification standard in grading/standard.yml decides what counts.
c.LateSubmissionPlugin.penalty_method = "none"

# Learners' code never sees the hidden tests in the released notebooks.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
