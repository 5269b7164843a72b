"""The `oms` command: tokens and CSV imports go through the same domain paths as the API."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import node, positions


def oms(database, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMS_DATABASE_URL": database.database_url}
    return subprocess.run([sys.executable, "-m", "oms.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


async def test_token_create_prints_a_working_secret(api, database):
    done = oms(database, "token", "create", "--name", "ops", "--scope", "admin")
    assert done.returncode == 0, done.stderr
    secret = done.stdout.strip().splitlines()[-1]
    assert (await api("{ apiTokens { name } }", token=secret))["apiTokens"][-1] == {"name": "ops"}


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
