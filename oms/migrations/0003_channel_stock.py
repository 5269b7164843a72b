from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


async def build_channel_stock(apps, schema_editor):
    """Fill the availability read model from the positions already stored."""
    from oms.availability.read_model import rebuild

    await rebuild(conn=schema_editor.client)

class Migration(migrations.Migration):
    dependencies = [('oms', '0002_rule_allow_backorder')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChannelStock',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.ForeignKeyField('oms.Channel', source_field='channel_id', db_constraint=True, to_field='id', related_name='stock', on_delete=OnDelete.CASCADE)),
                ('sku', fields.CharField(max_length=64)),
                ('available', fields.IntField(default=0)),
                ('ship_available', fields.IntField(default=0)),
                ('pickup_available', fields.IntField(default=0)),
            ],
            options={'table': 'channel_stock', 'app': 'oms', 'unique_together': (('channel', 'sku'),), 'pk_attr': 'id', 'table_description': 'The availability read model: what a channel may promise of a SKU, across its nodes.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Reservation',
            index=Index(fields=['status', 'expires_at']),
        ),
        ops.RunPython(build_channel_stock, ops.RunPython.noop),
    ]
