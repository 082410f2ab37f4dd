"""Benchmark of the Bayesian sampler against its peers (see run.py)."""
