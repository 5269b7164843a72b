"""Settings from the environment (12-factor). Read once at start-up; bad values fail loudly."""
from __future__ import annotations

import os
from dataclasses import dataclass


class ConfigError(RuntimeError):
    pass


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _optional_int(name: str) -> int | None:
    return _int(name, 0) or None


def _flag(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("on", "off", "true", "false", "1", "0"):
        raise ConfigError(f"{name} must be on or off, got {raw!r}")
    return raw in ("on", "true", "1")


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://./oms.sqlite3"
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    db_pool_min: int = 2
    db_pool_max: int = 20
    "Seconds to connect, and for one statement's answer: past them a request fails, never hangs."
    db_connect_timeout_seconds: int = 5
    db_command_timeout_seconds: int = 10
    reservation_sweep_seconds: int = 2
    relay_poll_seconds: int = 1
    "Redis pub/sub channel of this deployment (pub/sub ignores Redis database numbers)."
    events_channel: str = "oms:events"
    "Query limits (refused before execution with QUERY_TOO_COMPLEX) and the request body cap."
    max_depth: int = 12
    max_aliases: int = 30
    max_cost: int = 50_000
    max_tokens: int = 3_000
    max_query_chars: int = 30_000
    max_body_bytes: int = 2_000_000
    "Websockets: seconds to send connection_init, open subscriptions per connection."
    ws_init_timeout_seconds: int = 3
    max_subscriptions_per_connection: int = 20
    "Rate limits (0 = none): requests a minute per token (unless the token sets its own), per"
    "client address without a token, and open websockets per token."
    rate_limit_per_minute: int = 6_000
    anonymous_rate_limit_per_minute: int = 300
    max_connections_per_token: int = 100
    "Browser origins allowed to call the API (CORS) and open websockets, besides the server's own."
    allowed_origins: tuple[str, ...] = ()
    "development (introspection and GraphiQL for all) or production (both off unless enabled)."
    env: str = "development"
    introspection: bool = True
    graphiql: bool = True
    "Prometheus /metrics (unauthenticated), on the API's port unless a port of its own is set."
    metrics: bool = True
    metrics_port: int | None = None
    "Webhooks (`oms.webhooks`): private/loopback destinations allowed (tests, on-premise"
    "receivers); seconds a receiver has to answer; the retry schedule (first delay, doubling,"
    "and attempts in all); failed attempts in a row that deactivate an endpoint; deliveries"
    "one process sends at once; how often a process looks for due deliveries."
    webhook_allow_private: bool = False
    webhook_timeout_seconds: float = 10.0
    webhook_retry_base_seconds: float = 30.0
    webhook_max_attempts: int = 14
    webhook_max_failures: int = 20
    webhook_max_in_flight: int = 16
    webhook_poll_seconds: float = 1.0
    "Customer notifications: SMTP server (unset: recorded, not sent), sender address, the"
    "notifier factory (module:callable), the sender loop's poll and retries, pickup reminders."
    smtp_url: str | None = None
    smtp_from: str = "OMS <no-reply@localhost>"
    notifier: str | None = None
    notify_poll_seconds: float = 5.0
    notify_max_attempts: int = 8
    notify_retry_seconds: float = 30.0
    pickup_reminder_hours: float = 24.0
    pickup_reminder_sweep_seconds: float = 300.0
    "Recurring orders: how often a process looks for due runs, and what it does with runs"
    "missed while no scheduler ran (all: place each; latest: only the most recent)."
    schedule_sweep_seconds: float = 30.0
    schedule_catch_up: str = "all"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get("OMS_ENV") or cls.env
        settings = cls(
            database_url=os.environ.get("OMS_DATABASE_URL") or cls.database_url,
            redis_url=os.environ.get("OMS_REDIS_URL") or None,
            host=os.environ.get("OMS_HOST") or cls.host,
            port=_int("OMS_PORT", cls.port),
            db_pool_min=_int("OMS_DB_POOL_MIN", cls.db_pool_min),
            db_pool_max=_int("OMS_DB_POOL_MAX", cls.db_pool_max),
            db_connect_timeout_seconds=_int("OMS_DB_CONNECT_TIMEOUT_SECONDS",
                                            cls.db_connect_timeout_seconds),
            db_command_timeout_seconds=_int("OMS_DB_COMMAND_TIMEOUT_SECONDS",
                                            cls.db_command_timeout_seconds),
            reservation_sweep_seconds=_int("OMS_RESERVATION_SWEEP_SECONDS", 2),
            relay_poll_seconds=_int("OMS_RELAY_POLL_SECONDS", 1),
            events_channel=os.environ.get("OMS_EVENTS_CHANNEL") or cls.events_channel,
            max_depth=_int("OMS_MAX_DEPTH", cls.max_depth),
            max_aliases=_int("OMS_MAX_ALIASES", cls.max_aliases),
            max_cost=_int("OMS_MAX_COST", cls.max_cost),
            max_tokens=_int("OMS_MAX_TOKENS", cls.max_tokens),
            max_query_chars=_int("OMS_MAX_QUERY_CHARS", cls.max_query_chars),
            max_body_bytes=_int("OMS_MAX_BODY_BYTES", cls.max_body_bytes),
            ws_init_timeout_seconds=_int("OMS_WS_INIT_TIMEOUT_SECONDS", cls.ws_init_timeout_seconds),
            max_subscriptions_per_connection=_int("OMS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
                                                  cls.max_subscriptions_per_connection),
            rate_limit_per_minute=_int("OMS_RATE_LIMIT_PER_MINUTE", cls.rate_limit_per_minute),
            anonymous_rate_limit_per_minute=_int("OMS_ANONYMOUS_RATE_LIMIT_PER_MINUTE",
                                                 cls.anonymous_rate_limit_per_minute),
            max_connections_per_token=_int("OMS_MAX_CONNECTIONS_PER_TOKEN",
                                           cls.max_connections_per_token),
            allowed_origins=tuple(o.strip().rstrip("/") for o in
                                  os.environ.get("OMS_ALLOWED_ORIGINS", "").split(",") if o.strip()),
            env=env,
            introspection=_flag("OMS_INTROSPECTION", env != "production"),
            graphiql=_flag("OMS_GRAPHIQL", env != "production"),
            metrics=_flag("OMS_METRICS", cls.metrics),
            metrics_port=_optional_int("OMS_METRICS_PORT"),
            webhook_allow_private=_flag("OMS_WEBHOOK_ALLOW_PRIVATE", cls.webhook_allow_private),
            webhook_timeout_seconds=_float("OMS_WEBHOOK_TIMEOUT_SECONDS",
                                           cls.webhook_timeout_seconds),
            webhook_retry_base_seconds=_float("OMS_WEBHOOK_RETRY_BASE_SECONDS",
                                              cls.webhook_retry_base_seconds),
            webhook_max_attempts=_int("OMS_WEBHOOK_MAX_ATTEMPTS", cls.webhook_max_attempts),
            webhook_max_failures=_int("OMS_WEBHOOK_MAX_FAILURES", cls.webhook_max_failures),
            webhook_max_in_flight=_int("OMS_WEBHOOK_MAX_IN_FLIGHT", cls.webhook_max_in_flight),
            webhook_poll_seconds=_float("OMS_WEBHOOK_POLL_SECONDS", cls.webhook_poll_seconds),
            smtp_url=os.environ.get("OMS_SMTP_URL") or None,
            smtp_from=os.environ.get("OMS_SMTP_FROM") or cls.smtp_from,
            notifier=os.environ.get("OMS_NOTIFIER") or None,
            notify_poll_seconds=_float("OMS_NOTIFY_POLL_SECONDS", cls.notify_poll_seconds),
            notify_max_attempts=_int("OMS_NOTIFY_MAX_ATTEMPTS", cls.notify_max_attempts),
            notify_retry_seconds=_float("OMS_NOTIFY_RETRY_SECONDS", cls.notify_retry_seconds),
            pickup_reminder_hours=_float("OMS_PICKUP_REMINDER_HOURS", cls.pickup_reminder_hours),
            pickup_reminder_sweep_seconds=_float("OMS_PICKUP_REMINDER_SWEEP_SECONDS",
                                                 cls.pickup_reminder_sweep_seconds),
            schedule_sweep_seconds=_float("OMS_SCHEDULE_SWEEP_SECONDS", cls.schedule_sweep_seconds),
            schedule_catch_up=os.environ.get("OMS_SCHEDULE_CATCH_UP") or cls.schedule_catch_up,
        )
        settings.validate()
        return settings

    @property
    def production(self) -> bool:
        return self.env == "production"

    def validate(self) -> None:
        if self.env not in ("development", "production"):
            raise ConfigError(f"OMS_ENV must be development or production, got {self.env!r}")
        scheme = self.database_url.split("://", 1)[0]
        if scheme not in ("sqlite", "postgres", "postgresql", "asyncpg"):
            raise ConfigError(f"OMS_DATABASE_URL: unsupported scheme {scheme!r}")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError(f"OMS_REDIS_URL must be a redis:// URL, got {self.redis_url!r}")
        if self.db_pool_min < 1 or self.db_pool_max < self.db_pool_min:
            raise ConfigError("OMS_DB_POOL_MIN/MAX: need 1 <= min <= max")
        for name in ("db_connect_timeout_seconds", "db_command_timeout_seconds", "max_depth",
                     "max_aliases", "max_cost", "max_tokens", "max_query_chars", "max_body_bytes",
                     "ws_init_timeout_seconds", "max_subscriptions_per_connection",
                     "webhook_max_attempts", "webhook_max_failures", "webhook_max_in_flight"):
            if getattr(self, name) < 1:
                raise ConfigError(f"OMS_{name.upper()} must be at least 1")
        for name in ("webhook_timeout_seconds", "webhook_retry_base_seconds",
                     "webhook_poll_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"OMS_{name.upper()} must be more than 0")
        if self.metrics_port is not None and not 0 < self.metrics_port < 65536:
            raise ConfigError(f"OMS_METRICS_PORT must be a port number, got {self.metrics_port}")
        if self.metrics_port == self.port:
            raise ConfigError("OMS_METRICS_PORT must differ from OMS_PORT (unset it to serve "
                              "/metrics on the API's port)")
        self._validate_notifications()
        if self.schedule_catch_up not in ("all", "latest"):
            raise ConfigError(f"OMS_SCHEDULE_CATCH_UP must be all or latest, got "
                              f"{self.schedule_catch_up!r}")
        if self.schedule_sweep_seconds <= 0:
            raise ConfigError("OMS_SCHEDULE_SWEEP_SECONDS must be more than 0")
        for name in ("rate_limit_per_minute", "anonymous_rate_limit_per_minute",
                     "max_connections_per_token"):
            if getattr(self, name) < 0:
                raise ConfigError(f"OMS_{name.upper()} must be 0 (no limit) or more")

    def _validate_notifications(self) -> None:
        from oms.notifications.email import check_smtp_url

        problem = check_smtp_url(self.smtp_url) if self.smtp_url else None
        if problem:
            raise ConfigError(f"OMS_SMTP_URL: {problem}")
        if "@" not in self.smtp_from:
            raise ConfigError(f"OMS_SMTP_FROM must hold an e-mail address, got {self.smtp_from!r}")
        if self.notifier is not None and ":" not in self.notifier:
            raise ConfigError(f"OMS_NOTIFIER must be module:callable, got {self.notifier!r}")
        if self.notify_max_attempts < 1:
            raise ConfigError("OMS_NOTIFY_MAX_ATTEMPTS must be at least 1")
        for name in ("notify_poll_seconds", "notify_retry_seconds", "pickup_reminder_hours",
                     "pickup_reminder_sweep_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"OMS_{name.upper()} must be more than 0")

    @property
    def is_postgres(self) -> bool:
        return not self.database_url.startswith("sqlite")
