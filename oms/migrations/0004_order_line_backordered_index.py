from tortoise import migrations
from tortoise.migrations import operations as ops

# Stock arrivals ask "is any order waiting for these SKUs?" on every sync: a partial index
# holds only the backordered lines (few), so the answer is one small look-up (SQLite and
# PostgreSQL both index a WHERE clause).
INDEX = "order_line_backordered_sku"


class Migration(migrations.Migration):
    dependencies = [('oms', '0003_channel_stock')]

    initial = False

    operations = [
        ops.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "order_line" ("sku", "order_id") '
            'WHERE "backordered_quantity" > 0',
            reverse_sql=f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
    ]
