import pyro
import pytest
import torch


@pytest.fixture(autouse=True)
def _threads_and_a_clean_param_store():
    """One thread, and a fresh Pyro param store per test (no test sees another's parameters)."""
    torch.set_num_threads(1)
    pyro.clear_param_store()
    yield
