"""Recurring orders: schedules (`service`), when their runs fall (`recurrence`), what each
run places (`templates`), and the job that places due runs exactly once (`runner`)."""
