#!/usr/bin/env bash
# Installs the peers `npm run bench` compares Keel with. Idempotent; `npm install` and CI never run it.
#   apt: python3-torch (Debian's, 1.13), python3-numpy, libopenblas0 (so both use OpenBLAS, not the
#        ~6 GFLOP/s reference BLAS), python3-threadpoolctl (to report which BLAS is loaded)
#   npm: bench/package.json (@tensorflow/tfjs, @tensorflow/tfjs-backend-wasm, onnxruntime-node)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
apt_packages=(python3-torch python3-numpy libopenblas0 python3-threadpoolctl)

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

# Debian picks the BLAS through alternatives; OpenBLAS outranks the reference BLAS once installed.
blas="$(readlink -f "$(ldconfig -p | awk '/libblas\.so\.3 /{print $NF; exit}')" 2>/dev/null || true)"
echo "bench/setup.sh: libblas.so.3 -> ${blas:-unknown}"
case "$blas" in
  *openblas*) ;;
  *) echo "bench/setup.sh: warning: libblas.so.3 is not OpenBLAS; numpy/torch will be slow" >&2 ;;
esac

# onnxruntime-node's install script downloads GPU libraries unless told not to; the CPU build ships
# inside the package.
echo "bench/setup.sh: npm install --prefix bench"
ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$here" --no-audit --no-fund --loglevel=error
