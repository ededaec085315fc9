"""The police feed import benchmark (docs/benchmarks.md)."""
