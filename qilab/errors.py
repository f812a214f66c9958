"""Errors and warnings that qilab raises for bad or doubtful input."""
from __future__ import annotations


class QIDataError(ValueError):
    """Input that qilab cannot use, with a message saying where and how to fix it.

    The message always names the row, column or field at fault.

    >>> raise QIDataError("Column 'value' has text in row 4 ('n/a'): enter a number or leave it blank.")
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: Column 'value' has text in row 4 ('n/a'): enter a number or leave it blank.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.field = field


class QIWarning(UserWarning):
    """Something a learner should know about their data, though qilab can still go on.

    For example: periods were sorted, rows were dropped (and which), or a rule needs more points
    than there are and so cannot fire.
    """
