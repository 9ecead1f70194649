"""Benchmarks that print their figures (``main.py bench ...``); never timed tests."""
