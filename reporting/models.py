"""Reporting reads the other apps' records; it keeps no case data of its own yet."""
