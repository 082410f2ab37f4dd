"""Bad input, fuzzed: every public constructor and every reader of user data is called
with random nested data (Hypothesis). Whatever happens, the only exceptions that may
escape are :class:`HypersweepError` subclasses with a message naming what was wrong —
never a bare KeyError, TypeError, AttributeError, OverflowError or ValueError.

Arguments are drawn per parameter from a mix of junk (any nesting of None, bools, huge
ints, NaN/inf, strings with NUL or surrogates, bytes, sets, objects...) and valid
values, so the fuzzing reaches past the first check into the later ones. Calls Python
itself would reject (unknown keyword, too many positionals) are not made: that is a
programming error, not bad data.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hypersweep as hs
from hypersweep.config import spec_from_yaml_data
from hypersweep.policy import policy_from_json, policy_from_v2
from hypersweep.sampling import sampling_from_json
from hypersweep.space import SearchSpace, expression_from_data

FUZZ = settings(max_examples=int(__import__("os").environ.get("HYPERSWEEP_FUZZ_EXAMPLES", 150)),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# -- junk --------------------------------------------------------------------------------
WORDS = ["", " ", "-", "--", "0", "1e400", "nan", "inf", "choice", "uniform", "quniform",
         "loguniform", "normal", "randint", "random", "grid", "bayesian", "sobol", "bandit",
         "median_stopping", "truncation_selection", "asha", "maximize", "MINIMIZE", "local",
         "ray", "type", "values", "min_value", "max_value", "q", "mu", "sigma", "upper",
         "space", "seed", "rule", "slack_factor", "slackAmount", "policyType",
         "evaluation_interval", "delay_evaluation", "truncation_percentage",
         "${{search_space.x}}", "x\x00y", "\ud800", "λ", "a\nb", "python train.py"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([10**400, -(10**400), 2**63]),
    st.floats(), st.text(max_size=12), st.sampled_from(WORDS), st.binary(max_size=8),
    st.complex_numbers(max_magnitude=10), st.decimals(allow_nan=True), st.fractions(),
    st.just(object()), st.just(len), st.just(range(3)), st.just(range(0)),
    st.just(np.float64("nan")), st.just(np.int64(3)), st.just(np.arange(3)),
    st.just(Decimal("1e999")), st.just(Fraction(1, 3)), st.just(...), st.just(frozenset({1})))

junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner), st.sets(st.integers(), max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(WORDS), st.text(max_size=6), st.integers(),
                                  st.none()), inner, max_size=4)),
    max_leaves=10)


def expressions() -> st.SearchStrategy:
    return st.sampled_from([hs.uniform(0, 1), hs.choice(1, 2), hs.quniform(0, 10, 1),
                            hs.loguniform(-3, 0), hs.randint(4)])


VALID: dict[str, list[Any]] = {
    "parameter_space": [{"x": hs.uniform(0, 1)}, {"--lr": hs.choice(1, 2)}],
    "run_config": [hs.ScriptRunConfig(".", "train.py")],
    "hyperparameter_sampling": [hs.RandomParameterSampling({"x": hs.uniform(0, 1)}, seed=1),
                                hs.GridParameterSampling({"x": hs.choice(1, 2)})],
    "primary_metric_name": ["acc"], "primary_metric_goal": ["maximize"],
    "max_total_runs": [1, 10], "max_concurrent_runs": [2], "seed": [0, 7],
    "slack_factor": [0.1], "slack_amount": [0.2], "truncation_percentage": [20],
    "evaluation_interval": [1], "delay_evaluation": [0], "source_directory": ["."],
    "script": ["train.py"], "arguments": [["--epochs", 3]], "name": ["exp"],
    "workspace": [hs.Workspace("/tmp/hypersweep-fuzz-never-created")],
}


def values_for(name: str) -> st.SearchStrategy:
    valid = VALID.get(name)
    return st.one_of(junk, expressions(), st.sampled_from(valid)) if valid else st.one_of(
        junk, expressions())


@st.composite
def calls(draw, func) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for ``func`` that bind to its signature."""
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind is not p.VAR_KEYWORD]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            args += draw(st.lists(values_for(p.name), max_size=4))
        elif draw(st.booleans()):
            if p.kind is p.POSITIONAL_OR_KEYWORD and len(args) == params.index(p) and \
                    draw(st.booleans()):
                args.append(draw(values_for(p.name)))
            elif p.kind is not p.POSITIONAL_ONLY:
                kwargs[p.name] = draw(values_for(p.name))
    try:
        inspect.signature(func).bind(*args, **kwargs)
    except TypeError:
        assume(False)
    return args, kwargs


def check(func, *args: Any, **kwargs: Any) -> Any:
    """Call; the only exception allowed is a HypersweepError with a readable message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return func(*args, **kwargs)
        except hs.HypersweepError as exc:
            text = str(exc)
            assert len(text) >= 10 and " " in text, repr(text)  # a sentence, not a bare key
            assert len(text) < 5000, text[:200]
            return None


# -- every public constructor --------------------------------------------------------------
CONSTRUCTORS = [hs.choice, hs.randint, hs.uniform, hs.quniform, hs.loguniform, hs.qloguniform,
                hs.normal, hs.qnormal, hs.lognormal, hs.qlognormal,
                hs.RandomParameterSampling, hs.GridParameterSampling,
                hs.BayesianParameterSampling, hs.BanditPolicy, hs.MedianStoppingPolicy,
                hs.TruncationSelectionPolicy, hs.AsyncHyperBandPolicy, hs.NoTerminationPolicy,
                hs.HyperDriveConfig, hs.ScriptRunConfig, hs.Environment, hs.Workspace,
                hs.Experiment, hs.SearchSpace, hs.PrimaryMetricGoal.parse]


@pytest.mark.parametrize("constructor", CONSTRUCTORS, ids=lambda c: c.__qualname__)
@FUZZ
@given(data=st.data())
def test_public_constructors_raise_only_hypersweep_errors(constructor, data):
    args, kwargs = data.draw(calls(constructor))
    check(constructor, *args, **kwargs)


# -- readers of user data --------------------------------------------------------------------
KINDS = ["choice", "randint", "uniform", "quniform", "loguniform", "qloguniform", "normal",
         "qnormal", "lognormal", "qlognormal", "Uniform", "beta"]


@FUZZ
@given(st.one_of(junk, st.tuples(st.sampled_from(KINDS), junk),
                 st.tuples(st.sampled_from(KINDS), st.lists(junk, max_size=4)),
                 st.builds(lambda k, v: {"type": k, **v}, st.sampled_from(KINDS),
                           st.dictionaries(st.sampled_from(WORDS), junk, max_size=4))))
def test_expression_from_data(data):
    if isinstance(data, tuple):
        data = list(data)
    check(expression_from_data, data)


SAMPLING_TYPES = ["random", "grid", "bayesian", "Random", None, 3]


@FUZZ
@given(st.sampled_from(SAMPLING_TYPES), st.one_of(junk, st.just({"x": ["uniform", [0, 1]]})),
       st.dictionaries(st.sampled_from(["seed", "rule", "properties", "allow_all_expressions",
                                        "bogus"]), junk, max_size=3), junk)
def test_sampling_from_json(kind, space, options, raw):
    check(sampling_from_json, {"type": kind, "space": space, **options})
    check(sampling_from_json, raw)


POLICY_TYPES = ["bandit", "median_stopping", "truncation_selection", "asha", "none",
                "Bandit", "MedianStopping", "banditpolicy", None, 1]
POLICY_KEYS = ["slack_factor", "slack_amount", "slackFactor", "evaluation_interval",
               "evaluationInterval", "delay_evaluation", "truncation_percentage",
               "exclude_finished_jobs", "min_interval", "reduction_factor", "max_interval",
               "policyType", "type", "bogus"]


@FUZZ
@given(st.sampled_from(POLICY_TYPES),
       st.dictionaries(st.sampled_from(POLICY_KEYS), st.one_of(junk, st.integers(0, 100),
                                                                st.floats(0, 2)), max_size=4),
       junk)
def test_policy_readers(kind, options, raw):
    for reader in (policy_from_json, policy_from_v2):
        check(reader, {"type": kind, **options})
        check(reader, raw)


VALID_YAML: dict[str, Any] = {
    "$schema": "https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json",
    "type": "sweep", "experiment_name": "fuzz",
    "trial": {"command": "python train.py --lr ${{search_space.lr}} --e ${{inputs.epochs}}",
              "code": ".", "environment_variables": {"A": "1"}},
    "inputs": {"epochs": 3},
    "search_space": {"lr": {"type": "loguniform", "min_value": -6, "max_value": -1},
                     "bs": {"type": "choice", "values": [16, 32]}},
    "sampling_algorithm": {"type": "random", "seed": 1},
    "objective": {"goal": "maximize", "primary_metric": "acc"},
    "limits": {"max_total_trials": 4, "max_concurrent_trials": 2, "timeout": 600,
               "trial_timeout": 60},
    "early_termination": {"type": "bandit", "slack_factor": 0.1},
    "compute": "local",
}


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    return out


@st.composite
def mutated_yaml(draw) -> Any:
    """The valid sweep YAML with a few random edits: a value replaced by junk, a key
    deleted, or an unknown key added, at any depth."""
    data = copy.deepcopy(VALID_YAML)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if not path:
            data = draw(junk) if action == "replace" else data
            continue
        if action == "replace":
            parent[path[-1]] = draw(junk)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.sampled_from([*WORDS, "sampling", "limit"]))] = draw(junk)
        if not isinstance(data, dict):
            break
    return data


@FUZZ
@given(mutated_yaml())
def test_yaml_loader(data):
    check(spec_from_yaml_data, data, base_dir=".")


@FUZZ
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                 st.sampled_from([b"trial: [", b"{a: *b}", b"- - -", b"\xff\xfe", b"[" * 5000,
                                  b"!!python/object:os.system ls", b"a: !!binary AAAA",
                                  b"&a [*a]", b"? [1]\n: 2", b"limits: {timeout: .inf}"])))
def test_yaml_files_of_any_bytes(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("yaml") / "sweep.yml"
    path.write_bytes(content)
    from hypersweep.config import load_sweep_yaml

    check(load_sweep_yaml, path)


def test_the_valid_yaml_is_valid():
    spec, name = spec_from_yaml_data(copy.deepcopy(VALID_YAML), base_dir=".")
    assert name == "fuzz" and spec.max_total_runs == 4


# -- unknown YAML keys: the nearest valid one, at every level ---------------------------------
TYPOS = [
    ((), "serch_space", "search_space"),
    ((), "sampling_algorthm", "sampling_algorithm"),
    (("trial",), "comand", "command"),
    (("trial",), "environment_variable", "environment_variables"),
    (("objective",), "primary_metrc", "primary_metric"),
    (("limits",), "max_total_trail", "max_total_trials"),
    (("limits",), "trial_timout", "trial_timeout"),
    (("sampling_algorithm",), "sed", "seed"),
    (("early_termination",), "slack_facter", "slack_factor"),
    (("search_space", "lr"), "min_valeu", "min_value"),
]


@pytest.mark.parametrize(("where", "typo", "meant"), TYPOS, ids=[t[1] for t in TYPOS])
def test_unknown_yaml_keys_name_the_nearest_valid_key(where, typo, meant):
    data = copy.deepcopy(VALID_YAML)
    target = data
    for key in where:
        target = target[key]
    target[typo] = target.pop(meant, 1)
    with pytest.raises(hs.HypersweepError) as info:
        spec_from_yaml_data(data, base_dir=".")
    assert repr(meant) in str(info.value) and typo in str(info.value), str(info.value)


# -- hyperparameter names: checked before they become flags and environment variables -----
NAME_ALPHABET = st.characters(codec="utf-8")


@settings(max_examples=400)
@given(st.text(NAME_ALPHABET, min_size=0, max_size=12))
def test_accepted_names_are_safe_flags_and_environment_variables(name):
    try:
        space = SearchSpace({name: hs.uniform(0, 1)})
    except hs.HypersweepError:
        return
    import re

    assert re.fullmatch(r"-{0,2}[A-Za-z_][A-Za-z0-9_.\-]*", name), name
    env = SearchSpace.env_name(name)
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env), env
    flag = SearchSpace.flag_of(name)
    assert flag.startswith("-") and flag.isprintable() and " " not in flag
    assert list(space) == [name]


@given(st.lists(st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,5}", fullmatch=True), min_size=2,
                max_size=5, unique=True))
def test_two_names_never_share_an_environment_variable(names):
    try:
        SearchSpace(dict.fromkeys(names, hs.uniform(0, 1)))
    except hs.SearchSpaceError:
        return
    envs = [SearchSpace.env_name(n) for n in names]
    assert len(set(envs)) == len(envs), names


@pytest.mark.parametrize("make", [lambda: hs.uniform(0, 10**400), lambda: hs.normal(10**400, 1),
                                  lambda: hs.randint(10**400), lambda: hs.quniform(0, 1, 10**400),
                                  lambda: hs.choice(10**400)])
def test_huge_integers_are_refused_or_sampled(make):
    """An int beyond the float range is refused with a clear error, or the expression it
    builds can actually be sampled (no OverflowError later, in the controller)."""
    result = check(make)
    if result is not None:
        assert len(result.sample(np.random.default_rng(0), 5)) == 5


@pytest.mark.parametrize("path", ["", "  ", "a\0b", "\ud800", "/tmp/x\udfff"])
def test_a_workspace_path_no_file_can_have_is_refused_clearly(path):
    # a lone surrogate cannot be encoded as a file name (Python's UnicodeEncodeError
    # otherwise escapes from deep inside pathlib)
    with pytest.raises(hs.ConfigurationError, match="workspace must be"):
        hs.Workspace(path)
