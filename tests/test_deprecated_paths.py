"""The old import paths of the modules moved in issue 12 still import, warn DeprecationWarning,
and are the new modules themselves (so every name, private ones too, stays importable)."""

import importlib
import sys

import pytest

from vsg_pyro._deprecated import moved

# old path -> (new module, the old module's __all__)
MOVED = {
    "vsg_pyro.solvers.lp": ("vsg_pyro.reference", [
        "CorrelatedEquilibriumLP", "MatrixGameSolution", "ShapleySolution",
        "max_welfare_correlated_equilibrium", "solve_matrix_game", "shapley_value_iteration",
        "check_zero_sum"]),
    "vsg_pyro.play": ("vsg_pyro.opponent.play", [
        "PlayRecord", "simulate_play", "ReplayBuffer", "action_counts"]),
    "vsg_pyro.opponent_inference": ("vsg_pyro.opponent.inference", [
        "RewardPosterior", "PointEstimate", "opponent_inputs", "infer_reward_nuts",
        "infer_reward_svi", "reward_point_estimate", "posterior_to_inference_data"]),
    "vsg_pyro.opponent_modelling": ("vsg_pyro.opponent.replay_model", [
        "ReplayOpponentModel", "opponent_kl", "METHODS"]),
    "vsg_pyro.reward_inference_run": ("vsg_pyro.opponent.experiment", [
        "RewardInferenceRun", "infer_opponent_reward", "INFERENCE_METHODS", "OTHERS"]),
    "vsg_pyro.mai": ("vsg_pyro.continuous.mai", [
        "MAIConfig", "MAIAgent", "MAIResult", "train_mai", "deterministic_actions"]),
    "vsg_pyro.episode_loop": ("vsg_pyro.continuous.episode_loop", ["run_episodes"]),
    "vsg_pyro.transition_buffer": ("vsg_pyro.continuous.transition_buffer", [
        "Batch", "TransitionBuffer"]),
    "vsg_pyro.train": ("vsg_pyro.continuous.yaml_runner", [
        "ALGOS", "load_train_config", "train_from_config", "_check_types"]),
    "vsg_pyro.continuous_baselines": ("vsg_pyro.continuous.baselines", [
        "BASELINES", "BaselineConfig", "train_baseline"]),
    # the solver core
    "vsg_pyro.joint": ("vsg_pyro.core.joint", [
        "agent_view", "joint_axis", "product_of_marginals", "sum_others", "executed_marginal"]),
    "vsg_pyro.schedules": ("vsg_pyro.core.schedules", [
        "constant_beta", "geometric_beta", "linear_beta"]),
    "vsg_pyro.solvers.soft_dp": ("vsg_pyro.core.soft_dp", [
        "FAMILIES", "soft_evaluate", "soft_best_response", "uniform_log_prior"]),
    "vsg_pyro.solvers.step_control": ("vsg_pyro.core.step_control", ["StepSizeController"]),
    "vsg_pyro.solvers.vpg": ("vsg_pyro.equilibria.nash.exact", [
        "VPGState", "VPGResult", "vpg_init", "vpg_step", "solve_vpg", "executed_policies",
        "exact_opponent_models", "vpg_step_size"]),
    "vsg_pyro.solvers.zero_sum": ("vsg_pyro.equilibria.zero_sum.response", [
        "zero_sum_response", "zero_sum_step_size"]),
    "vsg_pyro.solvers.correlated": ("vsg_pyro.equilibria.correlated.exact", [
        "CorrelatedState", "correlated_init", "correlated_targets", "correlated_step",
        "solve_correlated_exact", "state_change"]),
    "vsg_pyro.solvers.mean_field": ("vsg_pyro.equilibria.mean_field.exact", [
        "MeanFieldResult", "soft_q", "relative_entropy_step", "solve_mean_field_exact"]),
    "vsg_pyro.decentralized": ("vsg_pyro.equilibria.nash.svi", ["DecentralizedNashSVI"]),
    "vsg_pyro.signals": ("vsg_pyro.equilibria.correlated.signals", [
        "SIGNALS", "SignalStructure", "induced_joint"]),
    "vsg_pyro.elbo": ("vsg_pyro.infer.elbo", ["EnumeratedGuideELBO"]),
    "vsg_pyro.optim": ("vsg_pyro.infer.natural_gradient", [
        "TabularNaturalGradient", "natural_gradient", "set_learning_rate"]),
    "vsg_pyro.guide_tables": ("vsg_pyro.infer.guide_tables", ["GuideTables", "guide_tables"]),
}

# old modules that re-export names from new places (old path -> new homes of its names)
REEXPORTED = {
    "vsg_pyro.equilibrium": {"solve": "vsg_pyro.equilibria", "SolveResult": "vsg_pyro.equilibria"
                             ".results.Solution", "CONCEPTS": "vsg_pyro.equilibria.solve"},
    "vsg_pyro.correlated_svi": {"solve_correlated": "vsg_pyro.equilibria.correlated.solve",
                                "DecentralizedCorrelatedSVI":
                                    "vsg_pyro.equilibria.correlated.svi"},
    "vsg_pyro.mean_field_svi": {"solve_mean_field": "vsg_pyro.equilibria.mean_field.solve",
                                "svi_policy_step": "vsg_pyro.equilibria.mean_field.svi"},
    "vsg_pyro.solvers": {"solve_vpg": "vsg_pyro.equilibria.nash.exact",
                         "soft_evaluate": "vsg_pyro.core.soft_dp"},
}


def _resolve(path: str, name: str):
    """``path`` is a module holding ``name``, or ``module.attribute``."""
    try:
        return getattr(importlib.import_module(path), name)
    except ModuleNotFoundError:
        module, _, attr = path.rpartition(".")
        return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("old", sorted(REEXPORTED))
def test_reexporting_old_modules_warn_and_give_the_new_objects(old):
    for mod in [m for m in sys.modules if m == old or m.startswith(old + ".")]:
        sys.modules.pop(mod)
    with pytest.warns(DeprecationWarning, match=old):
        module = importlib.import_module(old)
    for name, home in REEXPORTED[old].items():
        assert getattr(module, name) is _resolve(home, name), name


def test_solve_result_alias_warns():
    import vsg_pyro
    from vsg_pyro.equilibria.results import Solution

    with pytest.warns(DeprecationWarning, match="SolveResult is now vsg_pyro.Solution"):
        assert vsg_pyro.SolveResult is Solution


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_path_warns_and_is_the_new_module(old):
    new, names = MOVED[old]
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {new}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
    assert sys.modules[old] is module
    parent, _, child = old.rpartition(".")
    assert getattr(importlib.import_module(parent), child) is module
    assert [name for name in names if not hasattr(module, name)] == []


def test_renamed_buffers_keep_their_old_names():
    from vsg_pyro.continuous.transition_buffer import ContinuousTransitionBuffer, TransitionBatch
    from vsg_pyro.opponent.play import PlayRecordBuffer

    with pytest.warns(DeprecationWarning):
        sys.modules.pop("vsg_pyro.play", None)
        from vsg_pyro.play import ReplayBuffer
    with pytest.warns(DeprecationWarning):
        sys.modules.pop("vsg_pyro.transition_buffer", None)
        from vsg_pyro.transition_buffer import Batch, TransitionBuffer
    assert ReplayBuffer is PlayRecordBuffer
    assert (TransitionBuffer, Batch) == (ContinuousTransitionBuffer, TransitionBatch)


def test_the_warning_points_at_the_importing_line():
    sys.modules.pop("vsg_pyro.episode_loop", None)
    with pytest.warns(DeprecationWarning, match="the old path goes in the next release") as record:
        import vsg_pyro.episode_loop  # noqa: F401
    assert [w.filename for w in record] == [__file__]


def test_moved_aliases_any_module_name():
    with pytest.warns(DeprecationWarning, match="vsg_pyro._old_name_in_a_test moved to "
                                                "vsg_pyro.reference.minimax"):
        moved("vsg_pyro._old_name_in_a_test", "vsg_pyro.reference.minimax")
    try:
        assert sys.modules["vsg_pyro._old_name_in_a_test"] is importlib.import_module(
            "vsg_pyro.reference.minimax")
    finally:
        del sys.modules["vsg_pyro._old_name_in_a_test"]
