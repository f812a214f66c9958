"""nbgrader's submit step, keeping each submission the learner's own.

nbgrader (0.9) makes every submission's folder in the exchange's ``inbound/`` mode 0777, so
that an instructor can delete it later, relying on its unguessable name to hide it. Anyone who
learnt the name could then delete or replace the files in it. :class:`PrivateSubmit` does the
same submit and then makes the folder 0750: the learner owns it, the grader reads it through
``inbound/``'s group, nobody else may change it. deploy/local/nbgrader_config.py selects it
(``c.ExchangeFactory.submit``); install.sh and the Kubernetes image put this module where the
learners' Python finds it.
"""
from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit


class PrivateSubmit(ExchangeSubmit):
    """Submit as nbgrader does, then close the submission's folder to other learners."""

    def copy_files(self):
        super().copy_files()
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), 0o750)
