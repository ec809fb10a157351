"""Alembic environment: runs on the connection handed in by ``store.migrate``.

Kvitt drives Alembic from code (``kvitt db upgrade``, the tests), always passing
an open connection in ``config.attributes["connection"]``, so migrations run the
same way inside or outside an event loop and against SQLite or PostgreSQL.
"""

from alembic import context

from store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `kvitt db upgrade`, not the alembic command.")

context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
