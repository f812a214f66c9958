"""The programme's records and reports: ``qilab programme``.

The faculty's database of who was trained (pseudonymously), what they learnt, the projects
they run and whether those projects improved, and the reports the programme owes its board
and funders. SQLite by default, PostgreSQL by URL (:mod:`qilab.programme.db`).
"""
