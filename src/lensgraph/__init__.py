"""Lensgraph: one typed GraphQL API for photo businesses."""

__version__ = "0.1.0"
