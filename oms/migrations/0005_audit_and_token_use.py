from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('oms', '0004_order_line_backordered_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('actor', fields.CharField(max_length=200)),
                ('token_id', fields.UUIDField(null=True)),
                ('action', fields.CharField(db_index=True, max_length=64)),
                ('target', fields.CharField(null=True, max_length=200)),
                ('details', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('ip', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'audit_entry', 'app': 'oms', 'pk_attr': 'id', 'table_description': 'One change made through the API by hand (configuration, stock, routing, tokens, an'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiToken',
            name='last_used_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
