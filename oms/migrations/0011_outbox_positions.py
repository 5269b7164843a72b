from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Outbox positions: the commit order of events, a cursor that orderEvents(after:) replays from.

class Migration(migrations.Migration):
    dependencies = [('oms', '0010_channel_stock_bigint')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboxSequence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_position', fields.BigIntField(default=0)),
            ],
            options={'table': 'outbox_sequence', 'app': 'oms', 'pk_attr': 'id', 'table_description': 'The last outbox position handed out (one row).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxEvent',
            name='position',
            field=fields.BigIntField(null=True, unique=True),
        ),
    ]
