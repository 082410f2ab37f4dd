"""The model-based sampler behind ``BayesianParameterSampling`` (private).

Modules, bottom up: ``_transform`` (search space ↔ unit feature space), ``_gp`` (the
Gaussian process and its hyperparameter fit), ``_acquisition`` (log expected improvement
and its maximisation over the mixed space), ``_sampler`` (the algorithm: initial design,
data preparation, pending trials, batches, duplicates).
"""

from hypersweep.sampling._bayes._sampler import initial_design_size, suggest

__all__ = ["initial_design_size", "suggest"]
