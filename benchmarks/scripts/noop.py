"""A trial that does nothing: measures pure launch overhead."""
