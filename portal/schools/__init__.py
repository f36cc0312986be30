"""Schools: municipalities, schools, periods; pupils and imports below.

No Blueprint here, so pure rules such as `periods` and `imports.reading` import without Flask;
the blueprint is `portal.schools.blueprint.bp`.
"""
