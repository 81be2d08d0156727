#!/usr/bin/env bash
# Installs the peers `npm run bench` compares Keel with. Idempotent; `npm install` and CI never run it.
#   apt: python3-torch (Debian's, 1.13), python3-numpy, libopenblas0-openmp (so both use OpenBLAS, not
#        the ~6 GFLOP/s reference BLAS, and its OpenMP flavour: the pthread flavour, Debian's default
#        for libopenblas0, oversubscribes the cores against PyTorch's own OpenMP threads and makes it
#        about 2x slower), python3-threadpoolctl (to report which BLAS and threading layer is loaded)
#   npm: bench/package.json (@tensorflow/tfjs, @tensorflow/tfjs-backend-wasm, onnxruntime-node)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
apt_packages=(python3-torch python3-numpy libopenblas0-openmp python3-threadpoolctl)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench/setup.sh: installing ${missing[*]} with apt"
  "${sudo_cmd[@]}" apt-get update -qq
  for p in "${missing[@]}"; do
    candidate="$(apt-cache policy "$p" | awk '/Candidate:/ {print $2}')"
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      echo "bench/setup.sh: apt has no package $p on this system" >&2
      exit 1
    fi
  done
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "bench/setup.sh: apt packages present (${apt_packages[*]})"
fi

# Debian picks the BLAS through alternatives; point libblas/liblapack at the OpenMP flavour even when
# the pthread flavour is installed too (it would win on priority).
arch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
for lib in libblas.so.3 liblapack.so.3; do
  target="/usr/lib/$arch/openblas-openmp/$lib"
  if [ -e "$target" ]; then
    "${sudo_cmd[@]}" update-alternatives --quiet --set "$lib-$arch" "$target" || true
  fi
done
blas="$(readlink -f "$(ldconfig -p | awk '/libblas\.so\.3 /{print $NF; exit}')" 2>/dev/null || true)"
echo "bench/setup.sh: libblas.so.3 -> ${blas:-unknown}"
# What numpy and PyTorch load at run time, by threadpoolctl: the BLAS and its threading layer.
python="${KEEL_BENCH_PYTHON:-/usr/bin/python3}"
layer="$("$python" -c '
import numpy, torch
from threadpoolctl import threadpool_info
print(" ".join(sorted({i.get("threading_layer") or "-" for i in threadpool_info() if i["internal_api"] == "openblas"})))
' 2>/dev/null || echo unknown)"
echo "bench/setup.sh: OpenBLAS threading layer seen by numpy/torch: ${layer}"
case "$layer" in
  openmp) ;;
  *) echo "bench/setup.sh: warning: numpy/torch do not run on the OpenMP flavour of OpenBLAS (${layer}); PyTorch and numpy are then misconfigured peers" >&2 ;;
esac

# onnxruntime-node's install script downloads GPU libraries unless told not to; the CPU build ships
# inside the package.
echo "bench/setup.sh: npm install --prefix bench"
ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$here" --no-audit --no-fund --loglevel=error
