from tortoise import migrations
from tortoise.migrations import operations as ops
from oms.enums import NotificationKind, NotificationStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('oms', '0013_stock_alerts_and_carts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BackInStockRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.ForeignKeyField('oms.Channel', source_field='channel_id', db_constraint=True, to_field='id', related_name='back_in_stock_requests', on_delete=OnDelete.CASCADE)),
                ('sku', fields.CharField(max_length=64)),
                ('email', fields.CharField(max_length=320)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'back_in_stock_request', 'app': 'oms', 'unique_together': (('channel', 'sku', 'email'),), 'indexes': [Index(fields=['sku'])], 'pk_attr': 'id', 'table_description': 'An email waiting for a SKU to be promisable again in a channel, deleted once told.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('oms.Order', source_field='order_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('channel', fields.ForeignKeyField('oms.Channel', source_field='channel_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='ORDER_CONFIRMED: ORDER_CONFIRMED\nSHIPPED: SHIPPED\nREADY_FOR_PICKUP: READY_FOR_PICKUP\nDELIVERED: DELIVERED\nCANCELLED: CANCELLED\nREFUNDED: REFUNDED\nBACK_IN_STOCK: BACK_IN_STOCK\nPICKUP_REMINDER: PICKUP_REMINDER', enum_type=NotificationKind, max_length=24)),
                ('recipient', fields.CharField(max_length=320)),
                ('medium', fields.CharField(default='EMAIL', max_length=16)),
                ('language', fields.CharField(max_length=8)),
                ('context', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=NotificationStatus.QUEUED, description='QUEUED: QUEUED\nSENT: SENT\nFAILED: FAILED\nRECORDED: RECORDED', enum_type=NotificationStatus, max_length=16)),
                ('subject', fields.CharField(null=True, max_length=500)),
                ('body_text', fields.TextField(null=True, unique=False)),
                ('body_html', fields.TextField(null=True, unique=False)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'oms', 'unique_together': (('order', 'kind'),), 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'One message to one recipient: created with the change it tells of (same transaction),'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Channel',
            name='language',
            field=fields.CharField(null=True, max_length=8),
        ),
    ]
