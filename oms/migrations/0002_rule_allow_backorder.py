from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('oms', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='RoutingRule',
            name='allow_backorder',
            field=fields.BooleanField(default=True),
        ),
    ]
