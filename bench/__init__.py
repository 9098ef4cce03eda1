"""Benchmarks: ``make bench`` (all) or ``python -m bench NAME``. They print figures; nothing asserts time."""
