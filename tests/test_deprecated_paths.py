"""The old import paths of the modules moved in issue 12 still import, warn DeprecationWarning,
and are the new modules themselves (so every name, private ones too, stays importable)."""

import importlib
import sys

import pytest
import torch

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
    "vsg_pyro.solvers.zero_sum": ("vsg_pyro.equilibria.zero_sum.response", [
        "zero_sum_response", "zero_sum_step_size"]),
    "vsg_pyro.solvers.mean_field": ("vsg_pyro.equilibria.mean_field.exact", [
        "MeanFieldResult", "soft_q", "relative_entropy_step", "solve_mean_field_exact"]),
    "vsg_pyro.signals": ("vsg_pyro.equilibria.correlated.signals", [
        "SIGNALS", "SignalStructure", "induced_joint"]),
    "vsg_pyro.elbo": ("vsg_pyro.infer.elbo", ["EnumeratedGuideELBO"]),
    "vsg_pyro.optim": ("vsg_pyro.infer.natural_gradient", [
        "TabularNaturalGradient", "natural_gradient", "set_learning_rate"]),
    "vsg_pyro.guide_tables": ("vsg_pyro.infer.guide_tables", ["GuideTables", "guide_tables"]),
}

# old modules that are no aliases: they re-export, or wrap the old signatures
LEGACY = ["vsg_pyro.equilibrium", "vsg_pyro.correlated_svi", "vsg_pyro.mean_field_svi",
          "vsg_pyro.solvers", "vsg_pyro.solvers.vpg", "vsg_pyro.solvers.correlated",
          "vsg_pyro.decentralized"]
OLD_ALL = {  # each old module's __all__ before issue 12 (git show e748687:<path>)
    "vsg_pyro.equilibrium": ["SolveResult", "solve", "CONCEPTS", "METHODS", "OPTIMIZERS"],
    "vsg_pyro.correlated_svi": ["DecentralizedCorrelatedSVI", "solve_correlated"],
    "vsg_pyro.mean_field_svi": ["svi_policy_step", "solve_mean_field"],
    "vsg_pyro.solvers": ["FAMILIES", "Family", "SoftBestResponse", "SoftEvaluation",
                         "soft_best_response", "soft_evaluate", "uniform_log_prior", "VPGResult",
                         "VPGState", "executed_policies", "exact_opponent_models", "solve_vpg",
                         "vpg_init", "vpg_step", "vpg_step_size"],
    "vsg_pyro.solvers.vpg": ["VPGState", "VPGResult", "vpg_step_size", "vpg_init",
                             "executed_policies", "exact_opponent_models", "vpg_step",
                             "solve_vpg"],
    "vsg_pyro.solvers.correlated": [
        "CorrelatedState", "CorrelatedTargets", "CorrelatedResult", "MediatorSettings",
        "incentive_features", "recommendation_indicator", "max_obedience_margin",
        "obedience_margin", "project_signal", "default_mediator", "correlated_init",
        "executed_signal_policies", "correlated_targets", "correlated_step", "state_change",
        "largest_change", "log_prior_rows", "solve_correlated_exact"],
    "vsg_pyro.decentralized": ["ExternalOpponentModel", "DecentralizedNashSVI", "game_rows",
                               "DRIVER_OPPONENT_MODES"],
}


def _fresh(old):
    for mod in [m for m in sys.modules if m == old or m.startswith(old + ".")]:
        sys.modules.pop(mod)
    with pytest.warns(DeprecationWarning, match=old):
        return importlib.import_module(old)


@pytest.mark.parametrize("old", LEGACY)
def test_legacy_modules_warn_and_keep_their_names(old):
    module = _fresh(old)
    assert [name for name in OLD_ALL[old] if not hasattr(module, name)] == []


def test_old_solve_signature_gives_the_new_results():
    from vsg_pyro import solve

    old = _fresh("vsg_pyro.equilibrium")
    a = old.solve("chicken", "nash", "factorized", "exact", 2.0, steps=50, init=None)
    b = solve("chicken", "nash", "exact", family="factorized", beta=2.0, steps=50)
    assert all(torch.equal(x, y) for x, y in zip(a.policies, b.policies, strict=True))
    a = old.solve("chicken", concept="correlated", method="exact", steps=10,
                  correlated_options={"signal_size": 4, "warmup": 2})
    b = solve("chicken", concept="correlated", method="exact", steps=10, warmup=2)
    assert torch.equal(a.joint, b.joint)
    a = old.solve("chicken", method="svi", steps=5, lr=0.05)  # the old default lr: accepted
    assert a.iterations == 5


def test_old_concept_functions_keep_their_signatures_and_callbacks():
    from vsg_pyro.equilibria import correlated, mean_field

    cs = _fresh("vsg_pyro.correlated_svi")
    a = cs.solve_correlated("chicken", "private", 4, "factorized", "exact", 1.0, steps=10)
    b = correlated.solve("chicken", "exact", steps=10)
    assert torch.equal(a.joint, b.joint)
    ms = _fresh("vsg_pyro.mean_field_svi")
    seen = []
    a = ms.solve_mean_field("rps_mfg", "exact", 0.5, 20, optimistic=True, target=-1.0,
                            callback=lambda k, entry: seen.append((k, entry)))
    b = mean_field.solve("rps_mfg", "exact", beta=0.5, steps=20, optimistic=True, target=-1.0)
    assert torch.equal(a.policies[0], b.policies[0])
    assert [k for k, _ in seen] == list(range(1, 21))
    assert set(seen[0][1]) == {"iteration", "exploitability", "beta", "seconds"}


def test_old_driver_and_vpg_signatures():
    from vsg_pyro.equilibria.nash.vpg_run import solve_vpg as new_solve_vpg
    from vsg_pyro.equilibria.zero_sum import ZeroSumOpponent
    from vsg_pyro.games import get_game

    game = get_game("biased_rock_paper_scissors")
    vpg = _fresh("vsg_pyro.solvers.vpg")
    a = vpg.solve_vpg(game, beta=5.0, alpha=0.05, max_iter=30, opponent_response="zero_sum",
                      adaptive_step=False)
    b = new_solve_vpg(game, beta=5.0, alpha=0.05, max_iter=30, opponent=ZeroSumOpponent(),
                      adaptive_step=False)
    assert all(torch.equal(x, y) for x, y in zip(a.policies, b.policies, strict=True))
    state = vpg.vpg_init(game)
    assert vpg.vpg_step(game, state, 1.0, 0.5, None, "exact")[0].iteration == 1
    with pytest.raises(ValueError, match="opponent_response"):
        vpg.vpg_step(game, state, 1.0, 0.5, None, "psychic")
    dec = _fresh("vsg_pyro.decentralized")
    assert dec.game_rows(game) == game.row_shape
    with pytest.raises(ValueError, match="external_opponent_model"):
        dec.DecentralizedNashSVI(game, [None, None], [None, None], "external")


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
