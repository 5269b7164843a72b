"""The `oms` command: tokens and CSV imports go through the same domain paths as the API; every
command names its database on stderr, refuses a SQLite file that is not there (unless it may
create one), and says what is wrong with its input in one line."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from oms import db
from oms.cli import main
from tests.conftest import ROOT
from tests.helpers import channel, node, positions


def oms(database, *args: str, cwd=None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "OMS_DATABASE_URL": database.database_url, **env}
    environment = {k: v for k, v in environment.items() if v}
    return subprocess.run([sys.executable, "-m", "oms.cli", *args], env=environment,
                          capture_output=True, text=True, timeout=120, cwd=cwd or ROOT)


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command says (besides naming its database)."""
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if not line.startswith("oms: database ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


async def test_token_create_prints_a_working_secret(api, database):
    done = oms(database, "token", "create", "--name", "ops", "--scope", "admin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().count("\n") == 0  # the secret alone: scripts capture stdout
    secret = done.stdout.strip().splitlines()[-1]
    assert (await api("{ apiTokens { name } }", token=secret))["apiTokens"][-1] == {"name": "ops"}
    assert done.stderr.splitlines()[0] == f"oms: database {db.describe(database)}"


async def test_scopes_may_be_given_with_commas(api, database):
    done = oms(database, "token", "create", "--name", "reader", "--scope", "orders:read,availability:read",
               "--expires", "2099-01-31")
    assert done.returncode == 0, done.stderr
    tokens = (await api("{ apiTokens { name scopes expiresAt } }"))["apiTokens"]
    reader = next(t for t in tokens if t["name"] == "reader")
    assert sorted(reader["scopes"]) == ["availability:read", "orders:read"]
    assert reader["expiresAt"].startswith("2099-01-31T00:00:00")  # UTC when no offset is given


async def test_bad_input_is_one_line_not_a_traceback(api, database):
    await channel(api, "web")
    cases = {
        ("--scope", "a,b"): "unknown scope 'a'; unknown scope 'b'",
        ("--scope", "admin", "--expires", "2020-01-01"): "expiresAt is in the past",
        ("--scope", "admin", "--node", "NOPE", "--channel", "web"): "unknown node 'NOPE'",
        ("--scope", "admin", "--channel", "nope"): "unknown channel 'nope'",
    }
    for args, said in cases.items():
        line = refusal(oms(database, "token", "create", "--name", "x", *args))
        assert said in line, (args, line)
    assert (await api("{ apiTokens { name } }"))["apiTokens"] == [{"name": "admin"}]
    assert "OMS_PORT must be an integer" in refusal(oms(database, "migrate", OMS_PORT="eight"))


@pytest.mark.parametrize(("args", "said"), [
    (("--scope", "admin", "--expires", "tomorrow"), "argument --expires: not an ISO-8601 date-time"),
    (("--scope", "admin", "--rate-limit", "many"), "argument --rate-limit: invalid int value: 'many'"),
    ((), "the following arguments are required: --scope"),
])
def test_usage_errors_are_one_line(args, said, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["token", "create", "--name", "x", *args])
    assert exited.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and said in lines[0] and lines[0].startswith("oms token create: ")


def test_a_missing_sqlite_file_is_refused_not_created(database, tmp_path):
    """Run from another folder, `oms token create` would have made a fresh ./oms.sqlite3 the
    server never reads (and the server then answered "unknown token")."""
    for command in (("token", "create", "--name", "x", "--scope", "admin"),
                    ("import-inventory", str(tmp_path / "stock.csv"))):
        done = oms(database, *command, cwd=tmp_path, OMS_DATABASE_URL="")
        line = refusal(done)
        assert line.startswith(f"oms: no database at {tmp_path / 'oms.sqlite3'}")
        assert "OMS_DATABASE_URL" in line and "oms migrate" in line
        assert f"oms: database SQLite {tmp_path / 'oms.sqlite3'}" in done.stderr
    assert list(tmp_path.iterdir()) == []
    done = oms(database, "migrate", cwd=tmp_path, OMS_DATABASE_URL="")  # may create it
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "oms.sqlite3").exists()


def test_an_unreachable_database_is_one_line(database):
    url = "postgres://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1
    assert "cannot use the database" in refusal(oms(database, "token", "create", "--name", "x",
                                                    "--scope", "admin", OMS_DATABASE_URL=url))


async def test_import_inventory_is_all_or_nothing(api, database, tmp_path):
    await node(api, "WH1")
    good = tmp_path / "good.csv"
    good.write_text("sku,node_code,on_hand,safety_stock\nA,WH1,5,1\nB,WH1,7,\n")
    done = oms(database, "import-inventory", str(good))
    assert done.returncode == 0, done.stderr
    assert (await positions(api, "A"))["WH1"]["onHand"] == 5
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,node_code,on_hand\nA,WH1,50\nC,NOPE,1\n")
    done = oms(database, "import-inventory", str(bad))
    assert done.returncode != 0 and "UNKNOWN_NODE" in done.stderr
    assert (await positions(api, "A"))["WH1"]["onHand"] == 5
