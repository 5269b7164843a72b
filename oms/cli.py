"""`oms`: serve, migrate, seed, tokens, schema export, inventory import.

Every command that opens a database names it on stderr first (stdout stays for what a
script captures, such as a token's secret). Only `serve`, `migrate` and `seed` may create
a SQLite file; the others refuse a missing one, since a token made in the wrong folder
would go to a new file the server never reads. A refusal is one line, not a traceback.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import asyncpg
from tortoise.exceptions import DBConnectionError

from oms import db, telemetry
from oms.config import ConfigError, Settings
from oms.errors import DomainError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"
UNREACHABLE = (DBConnectionError, ConnectionError, socket.gaierror, asyncpg.PostgresConnectionError,
               asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InvalidCatalogNameError)
"What the database answers when it cannot be used at all (not there, or not for us)."
CREATES, EXISTING = "creates", "existing"
"How a command uses the database: may create it (a SQLite file), or needs it to exist."


class Refused(Exception):
    """A command refused, said in one line."""


class Parser(argparse.ArgumentParser):
    """argparse, its usage errors in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _run(settings: Settings, work: Callable[[], Awaitable[object]]) -> object:
    async def main() -> object:
        await db.migrate(settings)
        await db.close_db()
        await db.init_db(settings)
        try:
            return await work()
        finally:
            await db.close_db()

    return asyncio.run(main())


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    async def main() -> None:
        try:
            await db.migrate(settings)
        finally:
            await db.close_db()

    asyncio.run(main())
    print(f"migrated {db.describe(settings)}")


def cmd_seed(args: argparse.Namespace, settings: Settings) -> None:
    from oms.demo import seed_demo

    secret = _run(settings, seed_demo)
    print(f"demo data loaded. admin token (shown once):\n  {secret}")


def cmd_token(args: argparse.Namespace, settings: Settings) -> None:
    from oms.auth import NewToken, create_token
    from oms.uow import unit_of_work

    scopes = [scope.strip() for given in args.scope for scope in given.split(",") if scope.strip()]
    spec = NewToken(
        name=args.name, scopes=scopes, channels=args.channel or [], nodes=args.node or [],
        customer_ref=args.customer_ref, expires_at=args.expires,
        rate_limit=args.rate_limit, max_connections=args.max_connections,
        company_code=args.company,
    )

    async def create() -> str:
        async with unit_of_work(actor="cli") as uow:
            _, secret = await create_token(uow, None, spec)
        return secret

    print(_run(settings, create))


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> None:
    from oms.app import load_api_factory

    schema = load_api_factory("resolvers.api:build_schema")()
    text = schema.as_str().rstrip() + "\n"
    Path(args.output).write_text(text)
    print(f"wrote {args.output}")


def cmd_import_inventory(args: argparse.Namespace, settings: Settings) -> None:
    from tqdm import tqdm

    from oms.inventory_import import ImportProblems, count_records, import_file
    from oms.uow import UnitOfWork, run_in_unit_of_work

    path = Path(args.file)
    if not path.is_file():
        raise Refused(f"{path}: no such file")
    bar = tqdm(total=count_records(path), desc="importing", unit="rec")

    async def work(uow: UnitOfWork) -> int:
        bar.reset()
        return await import_file(uow, path, args.batch, bar.update)

    async def imported() -> int:
        done = await run_in_unit_of_work(f"import {path.name}", work)
        await db.analyze(["inventory_position", "channel_stock", "stock_ledger"])
        return done

    try:
        done = _run(settings, imported)
    except ImportProblems as exc:
        bar.close()
        print("\n".join(exc.lines()), file=sys.stderr)
        sys.exit("nothing was written")
    bar.close()
    print(f"synced {done} records (one transaction)")


def cmd_import_skus(args: argparse.Namespace, settings: Settings) -> None:
    from tqdm import tqdm

    from oms.inventory_import import ImportProblems, count_records
    from oms.shipping.sku_import import import_skus
    from oms.uow import UnitOfWork, run_in_unit_of_work

    path = Path(args.file)
    if not path.is_file():
        raise Refused(f"{path}: no such file")
    bar = tqdm(total=count_records(path), desc="importing", unit="sku")

    async def work(uow: UnitOfWork) -> int:
        bar.reset()
        return await import_skus(uow, path, args.batch, bar.update)

    try:
        done = _run(settings, lambda: run_in_unit_of_work(f"import {path.name}", work))
    except ImportProblems as exc:
        bar.close()
        print("\n".join(exc.lines()), file=sys.stderr)
        sys.exit("nothing was written")
    bar.close()
    print(f"upserted {done} SKUs (one transaction)")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    if args.workers > 1 and not settings.redis_url:
        # Each worker is a process of its own: without Redis their events would not meet.
        raise SystemExit("oms serve --workers N needs OMS_REDIS_URL (and PostgreSQL): "
                         "subscribers on one worker must hear changes served by another")
    if args.demo:
        from oms.demo import seed_demo

        secret = _run(settings, seed_demo)
        os.environ["OMS_GRAPHIQL_TOKEN"] = str(secret)
        print(f"\n  demo admin token: {secret}")
    else:
        cmd_migrate(args, settings)
    host, port = args.host or settings.host, args.port or settings.port
    if settings.metrics_port == port:
        raise Refused(f"OMS_METRICS_PORT {port} is the API's port: choose another or unset it")
    print(f"\n  GraphiQL:  http://{host}:{port}/graphql", flush=True)
    print(f"  dashboard: http://{host}:{port}/dashboard (paste a token with orders:read or admin)",
          flush=True)
    with metrics_shared(args.workers, settings):
        if settings.metrics:
            metrics_port = settings.metrics_port or port
            if settings.metrics_port:  # this process serves every worker's figures
                telemetry.serve_on_port(host, settings.metrics_port)
            print(f"  metrics:   http://{host}:{metrics_port}/metrics\n", flush=True)
        uvicorn.run("oms.app:create_app", factory=True, host=host, port=port,
                    workers=args.workers, log_level="info", access_log=False,
                    log_config=log_config(), ws_max_size=settings.max_body_bytes,
                    # Subscription messages are small JSON: compressing them cost most of a
                    # fan-out's CPU and a zlib context per socket (~100 KB each at 10,000).
                    ws_per_message_deflate=False)


def metrics_shared(workers: int, settings: Settings) -> AbstractContextManager[object]:
    """Several workers count into files of a directory they share (see `oms.telemetry`)."""
    if workers > 1 and settings.metrics:
        return telemetry.shared_between_workers()
    return contextlib.nullcontext()


def moment(text: str) -> datetime:
    """An ISO-8601 date-time from the command line; without an offset, UTC."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 date-time: {text!r} (e.g. 2030-01-31 or 2030-01-31T18:00+01:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus ours: `oms.requests` writes one JSON line per request."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["line"] = {"format": "%(message)s"}
    config["handlers"]["requests"] = {"class": "logging.StreamHandler", "formatter": "line",
                                      "stream": "ext://sys.stdout"}
    config["loggers"]["oms"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["oms.requests"] = {"handlers": ["requests"], "level": "INFO",
                                         "propagate": False}
    return config


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="oms", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(database=None)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the GraphQL server (migrates first)")
    serve.add_argument("--demo", action="store_true", help="load demo data and print a token")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve, database=CREATES)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate,
                                                                             database=CREATES)
    seed = sub.add_parser("seed", help="load data")
    seed.add_argument("--demo", action="store_true", required=True)
    seed.set_defaults(func=cmd_seed, database=CREATES)
    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="create a token and print its secret")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", action="append", required=True,
                        help="repeat it, or separate scopes with commas")
    create.add_argument("--channel", action="append")
    create.add_argument("--node", action="append")
    create.add_argument("--customer-ref")
    create.add_argument("--company", help="a company's token (B2B): its orders only")
    create.add_argument("--expires", type=moment, help="ISO-8601 date-time (UTC unless it says)")
    create.add_argument("--rate-limit", type=int, help="requests a minute (0 = no limit)")
    create.add_argument("--max-connections", type=int, help="open websockets (0 = no limit)")
    create.set_defaults(func=cmd_token, database=EXISTING)
    export = sub.add_parser("export-schema", help="write the SDL")
    export.add_argument("--output", default=str(SCHEMA_PATH))
    export.set_defaults(func=cmd_export_schema)
    imp = sub.add_parser("import-inventory", help="sync absolute levels from a CSV file")
    imp.add_argument("file", help="CSV with columns sku,node_code,on_hand[,safety_stock]")
    imp.add_argument("--batch", type=int, default=5000, help="records per chunk")
    imp.set_defaults(func=cmd_import_inventory, database=EXISTING)
    skus = sub.add_parser("import-skus", help="upsert SKU attributes from a CSV file")
    skus.add_argument("file", help="CSV with columns sku[,name,weight_kg,shipping_class]")
    skus.add_argument("--batch", type=int, default=5000, help="SKUs per chunk")
    skus.set_defaults(func=cmd_import_skus, database=EXISTING)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.database:
            announce_database(settings, may_create=args.database == CREATES)
        args.func(args, settings)
    except (Refused, ConfigError, DomainError) as exc:
        sys.exit(f"oms: {exc}")
    except UNREACHABLE as exc:
        sys.exit(f"oms: cannot use the database: {exc}")
    except OSError as exc:  # a file, a port
        sys.exit(f"oms: {exc}")


def announce_database(settings: Settings, *, may_create: bool) -> None:
    """Say which database this command uses; refuse a SQLite file that is not there unless
    the command may create it."""
    print(f"oms: database {db.describe(settings)}", file=sys.stderr, flush=True)
    path = db.sqlite_file(settings)
    if not may_create and path is not None and not path.exists():
        raise Refused(f"no database at {path}: set OMS_DATABASE_URL to the server's database "
                      "(e.g. sqlite:///path/to/oms.sqlite3), or run `oms migrate` to create this one")


if __name__ == "__main__":
    main()
