"""The Bayesian sampler's parts: feature transform, Gaussian process, log EI.

The GP is checked against scikit-learn's GaussianProcessRegressor with the same kernel
and hyperparameters; gradients against finite differences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import norm

from hypersweep import choice, lognormal, loguniform, normal, qloguniform, quniform, randint
from hypersweep import uniform as uni
from hypersweep.sampling._bayes import _acquisition as acq
from hypersweep.sampling._bayes import _gp as gp_module
from hypersweep.sampling._bayes._gp import GaussianProcess, Hyperparameters
from hypersweep.sampling._bayes._transform import Encoder
from hypersweep.space import SearchSpace


def data(n=25, dim=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, dim))
    y = np.sin(3 * x).sum(axis=1) + 0.3 * x[:, 0] ** 2
    return x, (y - y.mean()) / y.std()


HYPER = Hyperparameters(np.array([0.3, 0.7, 1.4]), signal=1.3, noise=1e-3)
GROUPS = np.arange(3)


def test_posterior_matches_scikit_learn():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    x, y = data()
    ours = GaussianProcess(x, y, HYPER, GROUPS)
    kernel = (ConstantKernel(HYPER.signal) * Matern(HYPER.length_scales, nu=2.5)
              + WhiteKernel(HYPER.noise + gp_module._JITTER))
    ref = GaussianProcessRegressor(kernel, optimizer=None, normalize_y=False).fit(x, y)
    xs = np.random.default_rng(1).random((40, 3))
    mean, var = ours.predict(xs)
    ref_mean, ref_std = ref.predict(xs, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(var + HYPER.noise + gp_module._JITTER, ref_std**2,
                               rtol=1e-6, atol=1e-8)


def test_marginal_likelihood_matches_scikit_learn():
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    x, y = data()
    theta = HYPER.to_theta()
    dist = gp_module.group_sqdist(x, x, GROUPS, 3)
    neg_post, _ = gp_module._neg_log_posterior(theta, dist, y)
    prior, _ = gp_module._log_prior(theta, 3)
    kernel = (ConstantKernel(HYPER.signal) * Matern(HYPER.length_scales, nu=2.5)
              + WhiteKernel(HYPER.noise + gp_module._JITTER))
    ref = GaussianProcessRegressor(kernel, optimizer=None).fit(x, y)
    assert -neg_post - prior == pytest.approx(ref.log_marginal_likelihood_value_, rel=1e-8)


def test_marginal_likelihood_gradient_matches_finite_differences():
    x, y = data()
    groups = np.array([0, 1, 1])
    dist = gp_module.group_sqdist(x, x, groups, 2)
    theta = np.array([-0.8, 0.2, 0.1, math.log(1e-2)])
    grad = gp_module._neg_log_posterior(theta, dist, y)[1]
    numeric = approx_fprime(theta, lambda t: gp_module._neg_log_posterior(t, dist, y)[0],
                            1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)


def test_fit_recovers_relevant_and_irrelevant_dimensions():
    rng = np.random.default_rng(2)
    x = rng.random((40, 2))
    y = np.sin(6 * x[:, 0])  # the second column does not matter
    y = (y - y.mean()) / y.std()
    hyper = gp_module.fit_hyperparameters(x, y, np.arange(2), np.zeros(2, bool), rng)
    assert hyper.length_scales[0] < 1.0
    assert hyper.length_scales[1] > 5 * hyper.length_scales[0]
    assert hyper.noise < 1e-2


def test_predictive_gradients_match_finite_differences():
    x, y = data()
    model = GaussianProcess(x, y, HYPER, GROUPS)
    xs = np.random.default_rng(3).random((4, 3))
    _, _, dmean, dvar = model.predict_with_grad(xs)
    for i, row in enumerate(xs):
        np.testing.assert_allclose(
            dmean[i], approx_fprime(row, lambda r: model.predict(r[None])[0][0], 1e-7),
            rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(
            dvar[i], approx_fprime(row, lambda r: model.predict(r[None])[1][0], 1e-7),
            rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("best", [0.0, 2.0, 40.0])
def test_log_ei_gradient_matches_finite_differences(best):
    x, y = data()
    model = GaussianProcess(x, y, HYPER, GROUPS)
    xs = np.random.default_rng(4).random((3, 3))
    value, grad = acq.log_ei_with_grad(model, xs, best)
    np.testing.assert_allclose(value, acq.log_ei(model, xs, best))
    for i, row in enumerate(xs):
        numeric = approx_fprime(row, lambda r: acq.log_ei(model, r[None], best)[0], 1e-7)
        np.testing.assert_allclose(grad[i], numeric, rtol=1e-3, atol=1e-3 * abs(value[i]))


def test_log_h_is_exact_where_direct_evaluation_works_and_finite_beyond():
    z = np.array([-30.0, -8.0, -3.5, -2.0, 0.0, 1.5, 6.0])
    direct = np.log(norm.pdf(z) + z * norm.cdf(z))
    value, slope = acq.log_h(z)
    np.testing.assert_allclose(value[1:], direct[1:], rtol=1e-7)
    np.testing.assert_allclose(slope, np.exp(norm.logcdf(z) - value), rtol=1e-7)
    far, far_slope = acq.log_h(np.array([-1e3, -1e6, -1e9]))
    assert np.all(np.isfinite(far)) and np.all(np.diff(far) < 0)
    assert np.all(np.isfinite(far_slope))
    # the asymptote log h(z) ≈ -z²/2 - log(√(2π)) - 2 log|z|
    assert far[0] == pytest.approx(-5e5 - 0.5 * math.log(2 * math.pi) - 2 * math.log(1e3),
                                   rel=1e-9)


def test_log_expressions_are_linear_in_log_space_and_normal_ones_use_the_cdf():
    enc = Encoder(SearchSpace({"lr": loguniform(-6, -2), "w": normal(3, 2),
                               "s": lognormal(0, 1), "k": randint(4)}))
    row = enc.encode({"lr": math.exp(-5), "w": 5.0, "s": 1.0, "k": 2})
    np.testing.assert_allclose(row, [0.25, norm.cdf(1.0), 0.5, 0.625])


def test_choice_is_one_hot_with_a_shared_group():
    enc = Encoder(SearchSpace({"x": uni(0, 1), "c": choice("a", "b", "c"), "one": choice(1)}))
    assert enc.dim == 4
    assert enc.groups.tolist() == [0, 1, 1, 1]
    np.testing.assert_allclose(enc.encode({"x": 0.5, "c": "b", "one": 1}), [0.5, 0, 1, 0])
    assert enc.encode({"x": 0.5, "c": "zzz", "one": 1}) is None


def test_decode_rounds_quantised_values_and_round_trips():
    space = SearchSpace({"q": quniform(0, 10, 2), "ql": qloguniform(0, 4, 5),
                         "c": choice(16, 32, 64), "k": randint(3)})
    enc = Encoder(space)
    rows = enc.random(np.random.default_rng(5), 50)
    for params, snapped in zip(enc.decode(rows), enc.snap(rows), strict=True):
        assert all(space[k].contains(v) for k, v in params.items())
        assert enc.decode(snapped)[0] == params


def test_grid_lists_every_point_of_a_discrete_space_once():
    space = SearchSpace({"q": quniform(0, 4, 2), "c": choice("a", "b"), "k": randint(2)})
    enc = Encoder(space)
    points = enc.decode(enc.grid())
    assert len(points) == 12 == len({space.key(p) for p in points})
