"""The council's quality and equity reports: indicators computed by SQL aggregation, the
council's targets, charts, exports and the suppression of small groups."""
