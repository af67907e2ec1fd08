"""Intake: read, validate and record every file that arrives in the landing area."""
