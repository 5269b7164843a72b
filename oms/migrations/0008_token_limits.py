from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('oms', '0007_idempotency_fingerprint')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ApiToken',
            name='max_connections',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='rate_limit',
            field=fields.IntField(null=True),
        ),
    ]
