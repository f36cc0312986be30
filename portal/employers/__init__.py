"""Employers: organisations, join requests, review; placements, catalogue and calendar below.

No Blueprint here, so pure rules such as `orgnr` and `placements.hours` import without Flask;
the blueprint is `portal.employers.blueprint.bp`.
"""
