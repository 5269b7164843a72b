from tortoise import migrations
from tortoise.migrations import operations as ops
from oms.enums import DocumentKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('oms', '0014_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='PACKING_SLIP: PACKING_SLIP\nDELIVERY_NOTE: DELIVERY_NOTE\nINVOICE: INVOICE\nCREDIT_NOTE: CREDIT_NOTE', enum_type=DocumentKind, max_length=16)),
                ('number', fields.CharField(unique=True, max_length=100)),
                ('order', fields.ForeignKeyField('oms.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('fulfillment', fields.ForeignKeyField('oms.Fulfillment', source_field='fulfillment_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('return_', fields.ForeignKeyField('oms.Return', source_field='return_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('content', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'document', 'app': 'oms', 'indexes': [Index(fields=['order_id']), Index(fields=['fulfillment_id'])], 'pk_attr': 'id', 'table_description': 'An issued document: its number and everything printed on it, frozen at issue (`content`),'},
            bases=['Model'],
        ),
    ]
