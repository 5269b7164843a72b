from tortoise import migrations
from tortoise.migrations import operations as ops
from oms.enums import ScheduleInterval, ScheduleStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('oms', '0016_rule_versions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OrderSchedule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('channel', fields.ForeignKeyField('oms.Channel', source_field='channel_id', db_constraint=True, to_field='id', related_name='schedules', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=ScheduleStatus.ACTIVE, description='ACTIVE: ACTIVE\nPAUSED: PAUSED\nCANCELLED: CANCELLED', enum_type=ScheduleStatus, max_length=16)),
                ('every', fields.IntField(default=1)),
                ('interval', fields.CharEnumField(description='DAY: DAY\nWEEK: WEEK\nMONTH: MONTH', enum_type=ScheduleInterval, max_length=8)),
                ('start_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('template', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('next_index', fields.IntField(default=0)),
                ('next_run_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_run_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=1000)),
                ('created_by', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'order_schedule', 'app': 'oms', 'indexes': [Index(fields=['status', 'next_run_at'])], 'pk_attr': 'id', 'table_description': 'An order placed every `every` `interval`s from `start_at`. Run n is due at'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduleRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('schedule', fields.ForeignKeyField('oms.OrderSchedule', source_field='schedule_id', db_constraint=True, to_field='id', related_name='runs', on_delete=OnDelete.CASCADE)),
                ('run_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('order', fields.ForeignKeyField('oms.Order', source_field='order_id', null=True, db_constraint=True, to_field='id', related_name='schedule_runs', on_delete=OnDelete.SET_NULL)),
                ('error', fields.CharField(null=True, max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'schedule_run', 'app': 'oms', 'unique_together': (('schedule_id', 'run_at'),), 'indexes': [Index(fields=['order_id'])], 'pk_attr': 'id', 'table_description': 'One run of a schedule: the order it placed, or why it placed none.'},
            bases=['Model'],
        ),
    ]
