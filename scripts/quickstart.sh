#!/usr/bin/env bash
# The main job: set up the machine, build swtc, export ResNet-18, compile it for
# the host and for the Sunway SW26010 (run on the athread emulator), run both,
# and check them against swtc's reference interpreter and ONNX Runtime.
#
#   bash scripts/quickstart.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="$(nproc 2>/dev/null || echo 2)"

bash scripts/setup.sh
echo "quickstart: configuring and building swtc (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$JOBS" --target swtc swtc_models
echo "quickstart: ResNet-18 (exported by scripts/export_models.py, seeded random weights) on host and sw26010"
/usr/bin/python3 scripts/swtc_vs_ort.py --swtc build/tools/swtc/swtc \
  --model build/models/resnet18.onnx --targets host,sw26010 \
  --work build/quickstart --repeat 3
