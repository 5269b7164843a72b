"""Strawberry types, inputs and enums of the public API, and the exported SDL (schema.graphql)."""
