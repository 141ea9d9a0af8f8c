"""DistContext: single-process behaviour, and real 2-process Gloo collectives and DDP on CPU."""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
import torch
from torch import nn

from mtl_studio.core.errors import TrainingError
from mtl_studio.core.distributed import DistContext, init_distributed, resolve_device, unwrap_model


def _ctx(rank: int, world: int) -> DistContext:
    # Sharding is pure arithmetic on rank/world_size: no process group needed to test it.
    return DistContext(rank=rank, world_size=world, local_rank=rank, device=torch.device("cpu"),
                       backend="gloo")


# ---- single process ------------------------------------------------------------------------------

def test_single_process_context_is_identity(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    ctx = init_distributed("cpu")
    assert (ctx.rank, ctx.world_size, ctx.backend) == (0, 1, None)
    assert ctx.is_main and not ctx.is_distributed
    assert ctx.device == torch.device("cpu")
    assert ctx.shard_batch([5, 6, 7]) == [5, 6, 7]
    t = torch.tensor([1.0, 2.0])
    assert ctx.all_reduce_sum(t) is t and t.tolist() == [1.0, 2.0]
    grads = [torch.ones(2, 2)]
    ctx.all_reduce_mean_(grads)
    assert grads[0].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert ctx.any_flag(True) and not ctx.any_flag(False)
    assert ctx.broadcast_object({"run": "r1"}) == {"run": "r1"}
    assert ctx.all_gather_object(3) == [3]
    assert ctx.mean_divisor(4) == 4.0
    model = nn.Linear(2, 2)
    assert ctx.wrap_model(model) is model and unwrap_model(model) is model
    ctx.barrier()
    ctx.close()
    ctx.close()


def test_torchrun_with_one_process_needs_no_process_group(monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    monkeypatch.setenv("LOCAL_RANK", "0")
    ctx = init_distributed("auto")
    assert not ctx.is_distributed and ctx.is_main


def test_shards_are_contiguous_cover_the_batch_and_differ_by_at_most_one():
    for n in range(0, 12):
        for world in (1, 2, 3, 4):
            shards = [_ctx(r, world).shard_batch(list(range(n))) for r in range(world)]
            assert sum(shards, []) == list(range(n)), (n, world, shards)
            sizes = [len(s) for s in shards]
            assert max(sizes) - min(sizes) <= 1


def test_batch_smaller_than_world_gives_a_placeholder_to_empty_ranks():
    batch = [42]
    assert _ctx(0, 2).shard_or_placeholder(batch) == ([42], False)
    assert _ctx(1, 2).shard_batch(batch) == []
    assert _ctx(1, 2).shard_or_placeholder(batch) == ([42], True)
    assert _ctx(1, 2).shard_or_placeholder([]) == ([], False)


def test_missing_devices_raise_a_clear_training_error():
    if not torch.cuda.is_available():
        with pytest.raises(TrainingError, match="no CUDA device is visible; available: cpu"):
            resolve_device("cuda")
        with pytest.raises(TrainingError, match="cuda:3"):
            resolve_device("cuda:3")
    if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        with pytest.raises(TrainingError, match="mps"):
            resolve_device("mps")
    with pytest.raises(TrainingError, match="unknown device"):
        resolve_device("tpu")
    assert resolve_device("CPU") == torch.device("cpu")
    # Under torchrun, MPS is never picked automatically (it has no process-group backend).
    assert resolve_device("auto", distributed=True).type in ("cpu", "cuda")


# ---- two processes, Gloo ---------------------------------------------------------------------

STEPS = [list(range(0, 7)), list(range(7, 12)), [12], list(range(13, 16))]  # uneven; one batch of 1


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.randn(16, 5, generator=g, dtype=torch.float64), torch.randn(16, 3, generator=g,
                                                                               dtype=torch.float64)


def _train(ctx: DistContext, *, wrap: bool) -> nn.Module:
    """A linear model trained with AdamW on STEPS; each rank sees only its shard of every batch."""
    torch.manual_seed(1)
    model = nn.Linear(5, 3).double()
    net = ctx.wrap_model(model) if wrap else model
    opt = torch.optim.AdamW(model.parameters(), lr=0.05)
    x, y = _data()
    for global_batch in STEPS:
        idx, placeholder = ctx.shard_or_placeholder(global_batch)
        count = 0 if placeholder else len(idx)
        opt.zero_grad()
        err = (net(x[idx]) - y[idx]).pow(2).sum(1)  # per-item loss
        local_sum = err.sum() * (0.0 if placeholder else 1.0)
        loss = local_sum / ctx.mean_divisor(count)
        loss.backward()
        if not wrap:  # the manual path of PCGrad/GradNorm: average gradients by hand
            ctx.all_reduce_mean_([p.grad for p in model.parameters()])
        opt.step()
    return model


def _worker(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    ctx = init_distributed("cpu")
    try:
        res: dict = {"rank": ctx.rank, "world": ctx.world_size, "backend": ctx.backend,
                     "is_main": ctx.is_main}
        res["shard"] = ctx.shard_batch(list(range(5)))
        res["sum"] = ctx.all_reduce_sum(torch.tensor([float(rank + 1), 10.0])).tolist()
        ts = [torch.full((2,), float(rank)), torch.full((1, 2), 2.0 * rank)]
        ctx.all_reduce_mean_(ts)
        res["mean"] = [t.flatten().tolist() for t in ts]
        res["any_rank1"] = ctx.any_flag(rank == 1)
        res["any_none"] = ctx.any_flag(False)
        res["bcast"] = ctx.broadcast_object(f"run-from-{rank}")
        res["gather"] = ctx.all_gather_object(rank * 10)
        res["divisor"] = ctx.mean_divisor(3 if rank == 0 else 1)
        m = nn.Linear(2, 2)
        with torch.no_grad():
            m.weight.fill_(float(rank))
        ctx.broadcast_module_(m)
        res["broadcast_module"] = m.weight.flatten().tolist()
        res["ddp"] = [p.detach().flatten().tolist() for p in _train(ctx, wrap=True).parameters()]
        res["manual"] = [p.detach().flatten().tolist() for p in _train(ctx, wrap=False).parameters()]
        ctx.barrier()
        Path(out, f"rank{rank}.json").write_text(json.dumps(res))
    finally:
        ctx.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_rank_results(tmp_path_factory) -> list[dict]:
    import torch.multiprocessing as mp

    out = tmp_path_factory.mktemp("dist")
    mp.spawn(_worker, args=(2, _free_port(), str(out)), nprocs=2, join=True)
    return [json.loads((out / f"rank{r}.json").read_text()) for r in range(2)]


def test_two_ranks_join_a_gloo_group(two_rank_results):
    r0, r1 = two_rank_results
    assert (r0["backend"], r0["world"], r0["is_main"], r1["is_main"]) == ("gloo", 2, True, False)
    assert r0["shard"] == [0, 1, 2] and r1["shard"] == [3, 4]


def test_two_rank_collectives(two_rank_results):
    for r in two_rank_results:
        assert r["sum"] == [3.0, 20.0]
        assert r["mean"] == [[0.5, 0.5], [1.0, 1.0]]
        assert r["any_rank1"] is True and r["any_none"] is False
        assert r["bcast"] == "run-from-0"
        assert r["gather"] == [0, 10]
        assert r["divisor"] == 2.0  # (3 + 1) items / 2 ranks
        assert r["broadcast_module"] == [0.0] * 4


def test_ddp_on_two_ranks_matches_one_process_with_the_full_batch(two_rank_results):
    single = [p.detach().flatten().tolist() for p in _train(DistContext(), wrap=False).parameters()]
    before = [p.detach().flatten().tolist() for p in (torch.manual_seed(1), nn.Linear(5, 3).double())[1]
              .parameters()]
    assert single != before  # training moved the weights, so the comparison below means something
    for r in two_rank_results:
        for key in ("ddp", "manual"):
            for got, want in zip(r[key], single):
                assert got == pytest.approx(want, abs=1e-6), key
