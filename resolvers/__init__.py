"""Query, Mutation and Subscription roots: check access, call `oms`, map to `schema` types."""
