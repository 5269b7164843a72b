from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [('oms', '0019_shipping')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='StockLedgerEntry',
            index=Index(fields=['sku', 'at']),
        ),
    ]
