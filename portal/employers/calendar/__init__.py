"""The regional prao calendar. Routes are on the employers blueprint."""
