"""Workspaces, experiments and runs: HyperDrive's Python API over the store.

Kept import-light on purpose: ``Run`` is what training scripts import, so the modules
here load the store and the configuration only when a method needs them. The public names
are re-exported from the package root (``from hypersweep import Experiment``).
"""
