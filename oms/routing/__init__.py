"""Sourcing meets the database: routing rules as stored and edited, and network snapshots.

The engine in `oms.sourcing` stays pure; this package loads what it needs.
"""
