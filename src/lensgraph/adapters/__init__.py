"""The outside world: crypto, mail, rate limits, storage, payments, pubsub."""
