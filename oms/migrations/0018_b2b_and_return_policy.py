from tortoise import migrations
from tortoise.migrations import operations as ops
from decimal import Decimal
from oms.enums import PaymentTerms
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('oms', '0017_order_schedules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Company',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('vat_number', fields.CharField(null=True, max_length=32)),
                ('payment_terms', fields.CharEnumField(default=PaymentTerms.PREPAID, description='PREPAID: PREPAID\nNET_30: NET_30\nNET_60: NET_60', enum_type=PaymentTerms, max_length=16)),
                ('credit_limit', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
                ('credit_used', fields.DecimalField(default=Decimal('0.00'), max_digits=14, decimal_places=2)),
                ('currency', fields.CharField(max_length=3)),
                ('channels', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'company', 'app': 'oms', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiToken',
            name='company_code',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Channel',
            name='return_window_days',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Order',
            name='company',
            field=fields.ForeignKeyField('oms.Company', source_field='company_id', null=True, db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Order',
            name='on_account',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Order',
            name='placed_by',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Order',
            name='purchase_order_number',
            field=fields.CharField(null=True, max_length=100),
        ),
    ]
