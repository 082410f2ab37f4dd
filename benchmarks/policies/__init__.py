"""Early-termination benchmark: compute saved versus quality lost (see run.py)."""
