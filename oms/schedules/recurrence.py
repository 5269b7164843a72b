"""When the runs of a schedule fall: pure date arithmetic, no database.

Run n falls at `start + n * every * interval`, always counted from `start` (never from
the previous run), so a month-end start keeps to month ends: Jan 31, Feb 28 (29 in a leap
year), Mar 31, Apr 30.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from oms.enums import ScheduleInterval

SHORTEST = {ScheduleInterval.DAY: timedelta(days=1), ScheduleInterval.WEEK: timedelta(days=7),
            ScheduleInterval.MONTH: timedelta(days=31)}
"At most this long per step: an estimate of how many runs fit never overshoots."


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` `months` later, on the same day of the month or that month's last day."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Recurrence:
    start: datetime
    every: int
    interval: ScheduleInterval

    def at(self, index: int) -> datetime:
        """When run `index` falls (run 0 at `start`)."""
        steps = self.every * index
        if self.interval is ScheduleInterval.MONTH:
            return add_months(self.start, steps)
        return self.start + SHORTEST[self.interval] * steps

    def first_after(self, moment: datetime) -> int:
        """The index of the first run falling after `moment`."""
        if moment < self.start:
            return 0
        index = max(0, int((moment - self.start) / (SHORTEST[self.interval] * self.every)) - 1)
        while self.at(index) <= moment:
            index += 1
        return index

    def first_from(self, moment: datetime) -> int:
        """The index of the first run falling at `moment` or later."""
        return self.first_after(moment - timedelta(microseconds=1))
