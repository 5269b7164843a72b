from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('oms', '0018_b2b_and_return_policy')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Carrier',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
            ],
            options={'table': 'carrier', 'app': 'oms', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShippingService',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('carrier', fields.ForeignKeyField('oms.Carrier', source_field='carrier_id', db_constraint=True, to_field='id', related_name='services', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=200)),
                ('transit_days', fields.IntField()),
                ('excluded_classes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'shipping_service', 'app': 'oms', 'pk_attr': 'id', 'table_description': 'One way a carrier delivers (standard, express...), its code unique across carriers.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShippingRate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('oms.ShippingService', source_field='service_id', db_constraint=True, to_field='id', related_name='rates', on_delete=OnDelete.CASCADE)),
                ('countries', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('max_weight_kg', fields.FloatField()),
                ('price', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('currency', fields.CharField(max_length=3)),
                ('free_above', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
            ],
            options={'table': 'shipping_rate', 'app': 'oms', 'pk_attr': 'id', 'table_description': 'A parcel price for a service to some destination countries (none: everywhere), up to a'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Fulfillment',
            name='shipping_cost',
            field=fields.DecimalField(null=True, max_digits=14, decimal_places=2),
        ),
        ops.AddField(
            model_name='Fulfillment',
            name='shipping_service_code',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Order',
            name='shipping_service_code',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Order',
            name='shipping_total',
            field=fields.DecimalField(null=True, max_digits=14, decimal_places=2),
        ),
        ops.AddField(
            model_name='Sku',
            name='name',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='Sku',
            name='shipping_class',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Sku',
            name='weight_kg',
            field=fields.FloatField(null=True),
        ),
    ]
