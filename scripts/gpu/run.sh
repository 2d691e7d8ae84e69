#!/bin/sh
# GPU check through WebGPU: the adapter, the adm-256 h-space bench and the paper preset's
# training step, as one JSON document on stdout (progress on stderr). Installs nothing and
# reaches no network: run it in a checkout where `npm ci && npm run build` has been done
# (on this machine or copied with node_modules), on a machine with a GPU and a Vulkan
# (Linux), Metal (macOS) or D3D12 (Windows) driver. Extra arguments go to run.mjs, e.g.
#   sh scripts/gpu/run.sh --allow-software   # also on lavapipe / SwiftShader
set -eu
cd "$(dirname "$0")/../.."
for f in node_modules/webgpu packages/backends/dist packages/ddpm-hspace/dist packages/diffli2d/dist; do
  if [ ! -e "$f" ]; then
    echo "scripts/gpu/run.sh: $f is missing; run npm ci && npm run build first" >&2
    exit 2
  fi
done
node --version >&2
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true; fi
exec node scripts/gpu/run.mjs "$@"
