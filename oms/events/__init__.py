"""Events: topics recorded by changes, the outbox relay, and the pub/sub brokers."""
