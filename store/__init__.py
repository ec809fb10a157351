"""The SQL store: tables, repositories and the unit of work, for SQLite and PostgreSQL.

SQLite (a file in the data folder, WAL, foreign keys on) is the embedded
default; PostgreSQL is chosen by URL. The schema is made by Alembic migrations
only: the app refuses to start on a database that is not at the head revision.
"""
