"""The GraphQL surface: strawberry types, inputs, payloads; ``schema.py`` assembles them."""
