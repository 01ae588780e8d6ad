"""Database triggers that refuse changes to audit rows from any client, not only Django.

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL; TRUNCATE (a
privileged, table-level operation used by test flushes and by an operator's retention purge)
stays possible. On SQLite, row DELETE stays possible at the database level because Django's
test flush uses it; the application refuses it (AuditEvent.delete, AuditEventQuerySet.delete).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update
    BEFORE UPDATE ON core_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit rows are append-only');
    END;
    """,
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS core_auditevent_no_update;"]

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit rows are append-only' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER core_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update_delete ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse_change();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
