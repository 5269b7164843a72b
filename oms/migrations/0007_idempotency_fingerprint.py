from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('oms', '0006_placement_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Order',
            name='idempotency_fingerprint',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
