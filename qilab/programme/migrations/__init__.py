"""Alembic migrations of the programme database (run by :func:`qilab.programme.db.upgrade`)."""
