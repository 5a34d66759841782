"""Stored submissions read back as composition's Source (sources.stored)."""
