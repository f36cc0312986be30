"""Placements (praoplatser), their offers of seats per week, the hours rules for minors,
next term in one action and the employer's dashboard. Routes are on the employers blueprint."""
