"""Sensitive-data detection and redaction: pure functions over text and DataFrames."""
