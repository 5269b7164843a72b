"""The engine's allocation against a brute-force optimum on seeded random orders (bench P6)."""
from __future__ import annotations

import pytest

from bench.sourcing_optimality import measure

pytestmark = pytest.mark.no_database


def test_every_allocation_labelled_exact_is_the_brute_force_optimum():
    report = measure(seed=5, orders=150)

    assert report.mismatched_exact == []
    assert report.exact > 0 and report.split_orders > 50
    assert report.greedy.at_optimum < report.engine.orders, "the sample should defeat the greedy"
