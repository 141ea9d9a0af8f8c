"""At the end of a joint run, the average of the weights of its best epochs can beat any one of them.

One shared encoder is picked at one epoch, but the tasks of a project peak at different epochs and a dev
split of a few hundred documents moves a point or two from one epoch to the next: on CoNLL-2003 2,000
(NER only) + FPB 1,000 (sentiment only) the run's best mean epoch was the one where sentiment's dev
score happened to be high, with NER 1.4 points under its own best epoch two epochs later (README "Joint
runs with the default settings"). The epochs of one fine-tuning run lie in one low-loss basin, so their
weights can be averaged (checkpoint averaging, Vaswani et al. 2017; SWA, Izmailov et al. 2018); which of
them to average is chosen as the greedy soup of Wortsman et al. 2022 ("Model soups: averaging weights of
multiple fine-tuned models improves accuracy without increasing inference time"): the ingredients in
order of their dev score, each one kept in the average when the average's dev score does not drop.

`EpochShelf` keeps the candidate epochs' weights on disk in the run folder while the run trains (the
run's best `keep_top` epochs by its selection score and each task's own best epoch: a handful of files
whatever the number of epochs), `greedy_soup` picks the average, `load_average` loads one into a model.
The trainer uses the soup as the run's best model only when it scores higher on dev than the best epoch.

Opt-in (`TrainConfig.weight_soup`, `--weight-soup`): on CoNLL-2003 2,000 + FPB 1,000 over 4 seeds the soup
was used on 3 and raised their dev score by 0.1-0.5 points, but not their test scores (NER +0.0,
sentiment -0.3 on the mean, within one seed's noise on 482 sentences; README "Joint runs with the
default settings"), so the default keeps the best epoch.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

KEEP_TOP = 3  # the run's best epochs by its score kept as ingredients, besides each task's best epoch


@dataclass
class Ingredient:
    """One epoch's weights on the shelf: its dev selection score and each task's dev figure."""

    epoch: int  # 1-based
    score: float
    task_scores: dict[str, float] = field(default_factory=dict)


@dataclass
class EpochShelf:
    """The epochs whose weights may go into the soup; the files live in `folder` (epoch-N.safetensors)."""

    folder: Path
    keep_top: int = KEEP_TOP
    kept: list[Ingredient] = field(default_factory=list)

    def path(self, epoch: int) -> Path:
        return self.folder / f"epoch-{epoch}.safetensors"

    def offer(self, ingredient: Ingredient, model: torch.nn.Module) -> bool:
        """Keep this epoch's weights if it is among the best `keep_top` by score or a task's best so far,
        and drop the files of epochs that no longer are; True when it was kept."""
        wanted = self._wanted([*self.kept, ingredient])
        if ingredient.epoch not in wanted:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        _save_atomically(model, self.path(ingredient.epoch))
        self.kept = [i for i in [*self.kept, ingredient] if i.epoch in wanted]
        self.prune()
        return True

    def _wanted(self, candidates: Sequence[Ingredient]) -> set[int]:
        by_score = sorted(candidates, key=lambda i: (-i.score, i.epoch))
        wanted = {i.epoch for i in by_score[: self.keep_top]}
        for task in {t for i in candidates for t in i.task_scores}:
            scored = [i for i in candidates if task in i.task_scores]
            wanted.add(min(scored, key=lambda i: (-i.task_scores[task], i.epoch)).epoch)
        return wanted

    def prune(self) -> None:
        """Remove the files of epochs not kept (also those a resumed run's later epochs left behind)."""
        if not self.folder.is_dir():
            return
        keep = {self.path(i.epoch).name for i in self.kept}
        for f in self.folder.iterdir():
            if f.name not in keep:
                f.unlink(missing_ok=True)

    def ingredients(self) -> list[Ingredient]:
        """The kept epochs whose file is there, best score first (a greedy soup's order)."""
        return sorted((i for i in self.kept if self.path(i.epoch).is_file()), key=lambda i: (-i.score, i.epoch))

    def to_dict(self) -> dict[str, Any]:
        return {"keep_top": self.keep_top, "kept": [i.__dict__ for i in self.kept]}

    @classmethod
    def from_dict(cls, folder: Path, d: Mapping[str, Any]) -> "EpochShelf":
        return cls(folder, int(d.get("keep_top", KEEP_TOP)), [Ingredient(**i) for i in d.get("kept", [])])


@dataclass(frozen=True)
class SoupResult:
    """The chosen average: its epochs (best first) and its dev score; `tried` the averages evaluated."""

    epochs: tuple[int, ...]
    score: float
    tried: int


def greedy_soup(ingredients: Sequence[Ingredient], evaluate: Callable[[tuple[int, ...]], float | None]
                ) -> SoupResult | None:
    """Wortsman et al.'s greedy soup over `ingredients` (best score first): start from the best epoch, add
    each next one when the average of the kept epochs plus it scores at least the current average on dev
    (`evaluate(epochs)`, None when cancelled: the soup so far is returned). None without ingredients."""
    if not ingredients:
        return None
    chosen, score, tried = (ingredients[0].epoch,), ingredients[0].score, 0
    for ingredient in ingredients[1:]:
        candidate = (*chosen, ingredient.epoch)
        result = evaluate(candidate)
        tried += 1
        if result is None:
            break
        if result >= score:
            chosen, score = candidate, result
    return SoupResult(chosen, score, tried)


@torch.no_grad()
def load_average(model: torch.nn.Module, paths: Sequence[Path], device: torch.device | str) -> None:
    """Load the uniform average of the weight files `paths` into `model` (floating tensors averaged;
    integer buffers such as position ids are equal in every file and kept)."""
    from safetensors.torch import load_model

    total: dict[str, torch.Tensor] = {}
    for path in paths:
        load_model(model, str(path), strict=True, device=str(device))
        for name, value in model.state_dict().items():
            if value.is_floating_point():
                if name in total:
                    total[name] += value.float()
                else:
                    total[name] = value.float().clone()
    state = model.state_dict()
    for name, value in total.items():
        state[name].copy_(value / len(paths))


def _save_atomically(model: torch.nn.Module, path: Path) -> None:
    from safetensors.torch import save_model

    tmp = path.with_name(path.name + ".tmp")
    save_model(model, str(tmp))
    os.replace(tmp, path)
