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
}


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
