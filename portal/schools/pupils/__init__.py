"""Pupils: enrolments, personal links, wishes and own placements. Routes are on the schools
blueprint."""
