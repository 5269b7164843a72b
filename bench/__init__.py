"""The benchmark: `python -m bench` measures the OMS through its public API (see BENCHMARKS.md)."""
