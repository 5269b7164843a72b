"""Order Management System: the domain and its infrastructure (no GraphQL here)."""
