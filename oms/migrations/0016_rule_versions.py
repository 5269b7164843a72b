from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import dumps, loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields


RULE_COLUMNS = ("id", "name", "rank", "active", "channels", "delivery_methods", "effective_from",
                "effective_to", "split_policy", "max_splits", "prefer_node_types", "weights",
                "respect_capacity", "allow_backorder", "updated_at")
JSON_COLUMNS = {"channels", "delivery_methods", "prefer_node_types", "weights"}


async def version_existing_rules(apps, schema_editor):
    """Version 1 of every rule already stored, so each has a history and decisions name it
    (plain SQL: the models are not usable while migrating)."""
    from oms.db import is_postgres, placeholders

    client = schema_editor.client
    columns = ", ".join(f'"{c}"' for c in RULE_COLUMNS)
    _, rows = await client.execute_query(f'SELECT {columns} FROM "routing_rule"')
    marks = placeholders(client, 3)
    if is_postgres(client):
        marks[1] = f"CAST({marks[1]} AS jsonb)"
    sql = ('INSERT INTO "routing_rule_version" ("rule_id", "version", "rule", "deleted", '
           f'"changed_at") VALUES ({marks[0]}, 1, {marks[1]}, FALSE, {marks[2]})')
    for row in rows:
        values = dict(zip(RULE_COLUMNS, tuple(row), strict=True))
        await client.execute_query(sql, [values["id"], dumps(_record(values)).decode(),
                                         values["updated_at"]])


def _record(values):
    """The rule as `Rule.to_record` has it."""
    from oms.sourcing.model import Weights

    data = {c: loads(v) if c in JSON_COLUMNS and isinstance(v, (str, bytes)) else v
            for c, v in values.items() if c != "updated_at"}
    for moment in ("effective_from", "effective_to"):
        if data[moment] is not None and not isinstance(data[moment], str):
            data[moment] = data[moment].isoformat()
    return {**data, "id": str(data["id"]), "active": bool(data["active"]),
            "respect_capacity": bool(data["respect_capacity"]),
            "allow_backorder": bool(data["allow_backorder"]), "split_policy": str(data["split_policy"]),
            "weights": Weights.from_mapping(data["weights"]).to_mapping(), "version": 1}


class Migration(migrations.Migration):
    dependencies = [('oms', '0015_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RoutingRuleVersion',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rule_id', fields.UUIDField()),
                ('version', fields.IntField()),
                ('rule', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('deleted', fields.BooleanField(default=False)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('changed_by', fields.CharField(null=True, max_length=200)),
            ],
            options={'table': 'routing_rule_version', 'app': 'oms', 'unique_together': (('rule_id', 'version'),), 'pk_attr': 'id', 'table_description': 'One saved state of a rule, written with every create, update, delete and restore.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='RoutingRule',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.RunPython(version_existing_rules, ops.RunPython.noop),
    ]
