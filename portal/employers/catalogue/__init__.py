"""The public catalogue of placements and its Swedish search. Routes are on the employers
blueprint."""
