"""Fixtures shared by the engine tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def one_torch_thread():
    """Run torch single-threaded in a test (the tiny encoder gains nothing from threads on shared CPUs)."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
