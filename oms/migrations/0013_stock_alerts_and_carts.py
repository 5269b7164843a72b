# Reorder policies and inbound stock on the positions (stock alerts, replenishment), and the
# customer of a cart hold (abandoned carts).
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('oms', '0012_webhooks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InventoryPosition',
            name='inbound',
            field=fields.IntField(default=0, db_default=0),  # raw inserts and existing rows: 0
        ),
        ops.AddField(
            model_name='InventoryPosition',
            name='lead_time_days',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='InventoryPosition',
            name='reorder_point',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='InventoryPosition',
            name='target_level',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Reservation',
            name='customer_email',
            field=fields.CharField(null=True, max_length=320),
        ),
    ]
