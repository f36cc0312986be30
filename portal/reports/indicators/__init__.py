"""One module per group of council indicators: each function takes a Scope and returns a Table."""
