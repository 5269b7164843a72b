from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# A channel's total of a SKU sums every node it sees, each position up to 2**31 - 1: it
# overflowed the 32-bit columns on PostgreSQL (found by the fuzzer). SQLite's INT columns
# already hold 64-bit integers, and Tortoise's SQLite table rebuild for AlterField would
# drop the (channel, sku) unique constraint: there only the state changes.


class AlterFieldOnPostgres(ops.AlterField):
    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and state_editor.client.capabilities.dialect == "postgres":
            await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('oms', '0009_order_child_indexes')]

    initial = False

    operations = [
        AlterFieldOnPostgres(model_name='ChannelStock', name=name, field=fields.BigIntField(default=0))
        for name in ('available', 'ship_available', 'pickup_available')
    ]
