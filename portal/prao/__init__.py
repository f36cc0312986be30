"""Assignments and the quality-assured prao process that follows each one."""
