"""Indexes the placement path asks for: a node's open fulfillments (backlog), its
fulfillments today (capacity), and a cart hold's lines."""
from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('oms', '0005_audit_and_token_use')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Fulfillment',
            index=Index(fields=['node_id', 'status']),
        ),
        ops.AddIndex(
            model_name='Fulfillment',
            index=Index(fields=['node_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='ReservationLine',
            index=Index(fields=['reservation_id']),
        ),
    ]
