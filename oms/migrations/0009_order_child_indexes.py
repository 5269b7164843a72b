"""Indexes on the foreign keys by which an order's rows are read: its lines, fulfillments
(and their lines), history, sourcing decisions and returns (and their lines). Every order
read and the KPIs (`orderMetrics`) join from a window of orders to these rows; without an
index PostgreSQL scanned each whole table."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('oms', '0008_token_limits')]

    initial = False

    operations = [
        ops.AddIndex(model_name='OrderLine', index=Index(fields=['order_id'])),
        ops.AddIndex(model_name='Fulfillment', index=Index(fields=['order_id'])),
        ops.AddIndex(model_name='FulfillmentLine', index=Index(fields=['fulfillment_id'])),
        ops.AddIndex(model_name='OrderEvent', index=Index(fields=['order_id'])),
        ops.AddIndex(model_name='SourcingDecisionRecord', index=Index(fields=['order_id'])),
        ops.AddIndex(model_name='Return', index=Index(fields=['order_id'])),
        ops.AddIndex(model_name='ReturnLine', index=Index(fields=['return_id'])),
    ]
