"""torch.distributed plumbing for training: one process, or N processes started by torchrun.

The training loop codes against one `DistContext` whatever the launch: in a single process every
collective is the identity, under torchrun they are real Gloo (CPU) or NCCL (GPU) collectives. Nothing
here is home-made parallelism: gradients are averaged by DistributedDataParallel (`wrap_model`) or, for
the gradient-surgery strategies that need per-task gradients, by `all_reduce_mean_`.

How the loop keeps "N processes == 1 process with the same global batch" (up to float noise):

1. Every rank builds the SAME global batches (same seed, same length-grouped sampler), then trains on
   `ctx.shard_batch(global_batch)`, its contiguous slice. Length grouping survives because slices of a
   length-grouped batch are still length-grouped.
2. A per-rank loss must be a *share of the global mean*, not a local mean, because DDP averages
   gradients over ranks (divides by world_size) and shards may be uneven. For each loss term written as
   `local_sum / local_count` in one process, use `local_sum / ctx.mean_divisor(local_count)`;
   `mean_divisor` is global_count / world_size, so DDP's average gives exactly global_sum / global_count.
3. A rank whose slice is empty (global batch smaller than world_size, e.g. the last batch) must STILL
   run forward and backward through the DDP model, otherwise the other ranks wait forever in the
   gradient all-reduce. `ctx.shard_or_placeholder(global_batch)` returns a one-item placeholder batch
   for that case; the loop multiplies its loss by 0 (its counts are 0, so the placeholder adds nothing).
   The same rule holds for every collective below: all ranks call them in the same order.
4. Decisions are collective: `any_flag(stop or nan or error)` once per step, so all ranks stop together.
5. Only `ctx.is_main` writes the project, the run and checkpoints; others wait at `barrier()` if they
   need the files afterwards.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Sequence, TypeVar

import torch
import torch.distributed as dist
from torch import nn

from .errors import TrainingError
from .event_channel import EventSender, forward_events  # noqa: F401  (re-exported for the CLI)

T = TypeVar("T")

# Collectives block until every rank arrives; a dead rank should not hang the others for too long.
DEFAULT_TIMEOUT = timedelta(minutes=30)


@dataclass
class DistContext:
    """Where this process sits in the job and which device it trains on."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    backend: str | None = None  # None: a single process, no process group

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes the project, the run record and checkpoints."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.backend is not None and self.world_size > 1

    # ---- data ---------------------------------------------------------------------------------

    def shard_bounds(self, n: int) -> tuple[int, int]:
        """[start, end) of this rank's contiguous share of n items; the first n % world_size ranks
        take one more item, so shares differ by at most one and may be empty when n < world_size."""
        base, extra = divmod(n, self.world_size)
        start = self.rank * base + min(self.rank, extra)
        return start, start + base + (1 if self.rank < extra else 0)

    def shard_batch(self, global_batch: Sequence[T]) -> list[T]:
        """This rank's contiguous slice of a global batch (possibly empty, see the module docstring)."""
        start, end = self.shard_bounds(len(global_batch))
        return list(global_batch[start:end])

    def shard_or_placeholder(self, global_batch: Sequence[T]) -> tuple[list[T], bool]:
        """(items, is_placeholder). When this rank's slice is empty, one item of the global batch is
        returned as a placeholder so the rank still runs forward/backward (DDP needs every rank in the
        gradient all-reduce); the loop must then scale its loss by 0 and count 0 items."""
        items = self.shard_batch(global_batch)
        if items or not global_batch:
            return items, False
        return [global_batch[0]], True

    # ---- collectives ---------------------------------------------------------------------------

    def _check_device(self, t: torch.Tensor) -> None:
        if self.backend == "nccl" and t.device.type != "cuda":
            raise ValueError("NCCL collectives need CUDA tensors; move the tensor to ctx.device first")

    def all_reduce_sum(self, t: torch.Tensor) -> torch.Tensor:
        """Sum `t` over ranks, in place; returns `t` (the identity in a single process)."""
        if self.is_distributed:
            self._check_device(t)
            dist.all_reduce(t, op=dist.ReduceOp.SUM)
        return t

    def all_reduce_mean_(self, tensors: Sequence[torch.Tensor]) -> None:
        """Average each tensor over ranks, in place, in one flat all-reduce (e.g. per-task gradients
        for PCGrad/GradNorm computed outside DDP). Every rank must pass the same shapes in the same
        order: pass zeros, not None, for a gradient a rank did not produce."""
        if not self.is_distributed or not tensors:
            return
        for t in tensors:
            self._check_device(t)
        # One flat buffer per dtype: one collective instead of one per parameter.
        by_dtype: dict[torch.dtype, list[torch.Tensor]] = {}
        for t in tensors:
            by_dtype.setdefault(t.dtype, []).append(t)
        for group in by_dtype.values():
            flat = torch.cat([t.reshape(-1) for t in group])
            dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            flat.div_(self.world_size)
            offset = 0
            for t in group:
                n = t.numel()
                t.copy_(flat[offset:offset + n].view_as(t))
                offset += n

    def sum_over_ranks(self, value: float) -> float:
        """A Python number summed over ranks (counts, loss sums for logging)."""
        if not self.is_distributed:
            return float(value)
        t = torch.tensor([float(value)], dtype=torch.float64, device=self._collective_device())
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        return float(t.item())

    def mean_divisor(self, local_count: float) -> float:
        """Divide a per-rank loss SUM by this to make DDP's gradient average equal the global mean:
        global_count / world_size (at least a tiny positive number so an all-empty term gives 0)."""
        total = self.sum_over_ranks(local_count)
        return max(total, 1e-12) / self.world_size

    def any_flag(self, flag: bool) -> bool:
        """True on every rank when it is True on any rank (stop request, NaN loss, error)."""
        if not self.is_distributed:
            return bool(flag)
        t = torch.tensor([1 if flag else 0], dtype=torch.int32, device=self._collective_device())
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def broadcast_object(self, obj: Any, src: int = 0) -> Any:
        """Rank `src`'s (picklable) object on every rank, e.g. the run id rank 0 created."""
        if not self.is_distributed:
            return obj
        box = [obj if self.rank == src else None]
        dist.broadcast_object_list(box, src=src, device=self._collective_device())
        return box[0]

    def all_gather_object(self, obj: Any) -> list[Any]:
        """Every rank's object, in rank order (e.g. per-rank predictions of a sharded evaluation)."""
        if not self.is_distributed:
            return [obj]
        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def broadcast_module_(self, module: nn.Module, src: int = 0) -> None:
        """Copy rank `src`'s parameters and buffers to all ranks (what DDP does on construction); use it
        when a model is trained without DDP and gradients are synced by hand."""
        if not self.is_distributed:
            return
        with torch.no_grad():
            for t in list(module.parameters()) + list(module.buffers()):
                dist.broadcast(t.data, src=src)

    def barrier(self) -> None:
        if self.is_distributed:
            if self.backend == "nccl":
                dist.barrier(device_ids=[self.device.index or 0])
            else:
                dist.barrier()

    def _collective_device(self) -> torch.device:
        return self.device if self.backend == "nccl" else torch.device("cpu")

    # ---- model ---------------------------------------------------------------------------------

    def wrap_model(self, model: nn.Module, *, find_unused_parameters: bool = True) -> nn.Module:
        """DistributedDataParallel around `model` (already on ctx.device), or `model` itself in a
        single process.

        find_unused_parameters defaults to True, as in Hugging Face's Trainer: pretrained encoders carry
        parameters the multi-task heads never use (BERT's pooler, for one), and DDP without it fails on
        the second step ("Expected to have finished reduction in the prior iteration"). Pass False only
        for a model where every parameter enters every loss (it saves one graph traversal per step)."""
        if not self.is_distributed:
            return model
        from torch.nn.parallel import DistributedDataParallel as DDP

        device_ids = [self.device.index or 0] if self.device.type == "cuda" else None
        return DDP(model, device_ids=device_ids, find_unused_parameters=find_unused_parameters)

    def close(self) -> None:
        """Leave the process group (safe to call twice, and in a single process)."""
        if self.backend is not None and dist.is_initialized():
            # Every rank reaches this point before the group goes away: destroying it while a peer
            # still has a Gloo operation in flight aborts that peer ("terminate called ...").
            try:
                dist.barrier()
            except Exception:  # a peer already died; still tear down our side
                pass
            dist.destroy_process_group()
        self.backend = None


def unwrap_model(model: nn.Module) -> nn.Module:
    """The plain module inside a DDP wrapper (to save, evaluate, or reach custom methods)."""
    from torch.nn.parallel import DistributedDataParallel as DDP

    return model.module if isinstance(model, DDP) else model


def _available_devices() -> list[str]:
    names = ["cpu"]
    if torch.cuda.is_available():
        names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        names.append("mps")
    return names


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def _torchrun_env() -> tuple[int, int, int] | None:
    """(rank, world_size, local_rank) from the variables torchrun sets, or None outside torchrun."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return None
    try:
        rank = int(os.environ["RANK"])
        world = int(os.environ["WORLD_SIZE"])
        local = int(os.environ.get("LOCAL_RANK", rank))
    except ValueError as e:
        raise TrainingError(f"bad torchrun environment (RANK/WORLD_SIZE/LOCAL_RANK): {e}") from e
    return rank, world, local


def resolve_device(device_pref: str, *, local_rank: int = 0, distributed: bool = False) -> torch.device:
    """The torch.device for a configured name: auto | cpu | cuda | cuda:N | mps.

    Under torchrun, "auto"/"cuda" mean cuda:LOCAL_RANK (one GPU per process); restrict the GPUs with
    CUDA_VISIBLE_DEVICES rather than cuda:N. A device that is not there is a TrainingError that lists
    what is."""
    pref = (device_pref or "auto").strip().lower()
    available = ", ".join(_available_devices())
    cuda_count = torch.cuda.device_count() if torch.cuda.is_available() else 0

    def cuda_device(index: int) -> torch.device:
        if index >= cuda_count:
            if distributed:
                raise TrainingError(
                    f"process with LOCAL_RANK {index} needs cuda:{index}, but only {cuda_count} CUDA "
                    f"device(s) are visible; start at most {cuda_count} processes per node "
                    f"(--nproc_per_node) or use --device cpu")
            raise TrainingError(f"--device cuda:{index} is not visible; available: {available}")
        return torch.device("cuda", index)

    if pref == "auto":
        if cuda_count:
            return cuda_device(local_rank)
        if _mps_available() and not distributed:
            return torch.device("mps")
        return torch.device("cpu")
    if pref == "cpu":
        return torch.device("cpu")
    if pref == "cuda" or pref.startswith("cuda:"):
        if not cuda_count:
            raise TrainingError(f"--device {pref} but no CUDA device is visible; available: {available}")
        if pref == "cuda":
            return cuda_device(local_rank)
        try:
            index = int(pref.split(":", 1)[1])
        except ValueError:
            raise TrainingError(f"--device {pref}: expected cuda:N with a number N") from None
        if distributed:
            raise TrainingError(
                f"--device {pref} under torchrun: each process uses cuda:LOCAL_RANK; pick GPUs with "
                f"CUDA_VISIBLE_DEVICES and pass --device cuda")
        return cuda_device(index)
    if pref == "mps":
        if not _mps_available():
            raise TrainingError(f"--device mps but no Apple MPS device is available; available: {available}")
        if distributed:
            raise TrainingError("--device mps supports a single process only; run without torchrun")
        return torch.device("mps")
    raise TrainingError(f"unknown device {device_pref!r}: use auto, cpu, cuda, cuda:N or mps "
                        f"(available here: {available})")


def init_distributed(device_pref: str = "auto", *, timeout: timedelta = DEFAULT_TIMEOUT) -> DistContext:
    """The context for this process: joins torchrun's process group when started by torchrun with
    WORLD_SIZE > 1 (NCCL on CUDA, Gloo on CPU), else a single-process context. Call `ctx.close()` at
    the end (also on errors)."""
    env = _torchrun_env()
    if env is None or env[1] <= 1:
        rank, world, local = (0, 1, 0) if env is None else env
        return DistContext(rank=rank, world_size=1, local_rank=local,
                           device=resolve_device(device_pref, local_rank=local), backend=None)
    rank, world, local = env
    if not dist.is_available():
        raise TrainingError("this PyTorch build has no torch.distributed; train in one process")
    device = resolve_device(device_pref, local_rank=local, distributed=True)
    backend = "nccl" if device.type == "cuda" else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        kwargs: dict[str, Any] = {"backend": backend, "timeout": timeout}
        if backend == "nccl":
            kwargs["device_id"] = device  # eager NCCL init: fail fast on a bad GPU set-up
        dist.init_process_group(**kwargs)
    return DistContext(rank=dist.get_rank(), world_size=dist.get_world_size(), local_rank=local,
                       device=device, backend=backend)
