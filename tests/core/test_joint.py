"""The flattened joint-action layout (vsg_pyro.core.joint.JointIndex).

Independent truth: the joint actions enumerated by itertools.product (C order, the last
agent's action fastest, as ``reshape`` flattens ``(A_1, ..., A_N)``), and the product of
marginals built by broadcasting.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from vsg_pyro.core.joint import JointIndex


@pytest.mark.parametrize("counts", [(3,), (2, 3), (2, 3, 4)])
def test_joint_index_matches_the_enumerated_joint_actions(counts):
    index = JointIndex(counts)
    starts = np.cumsum([0, *counts])[:-1]
    for j, joint in enumerate(itertools.product(*[range(a) for a in counts])):
        expected = np.zeros(sum(counts))
        expected[starts + np.array(joint)] = 1.0
        np.testing.assert_array_equal(index.onehot[j], expected)
        np.testing.assert_array_equal(index.own[:, j], starts + np.array(joint))
    np.testing.assert_array_equal(index.agent, np.repeat(np.arange(len(counts)), counts))
    # log of the product of marginals, and each agent's own factor removed
    rng = np.random.default_rng(0)
    pis = [rng.dirichlet(np.ones(a)) for a in counts]
    logs = np.log(np.concatenate(pis))[None]  # (1, A)
    joint = pis[0]
    for p in pis[1:]:
        joint = np.multiply.outer(joint, p)
    np.testing.assert_allclose(np.exp(logs @ index.onehot.T)[0], joint.reshape(-1), rtol=1e-14)
    others = np.exp(logs @ index.onehot.T - logs[:, index.own])[0]  # (N, J)
    for i in range(len(counts)):
        np.testing.assert_allclose(others[i] * pis[i][index.own[i] - starts[i]],
                                   joint.reshape(-1), rtol=1e-14)


def test_joint_index_refuses_empty_counts():
    with pytest.raises(ValueError, match="counts"):
        JointIndex(())
    with pytest.raises(ValueError, match="counts"):
        JointIndex((2, 0))
