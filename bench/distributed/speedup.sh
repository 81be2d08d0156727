#!/bin/sh
# The 2-process speed-up over 1 process (1 thread each) of a seed-CNN epoch, Keel (cnn-epoch.ts
# under mpirun) beside PyTorch DDP with gloo (torch_ddp_cnn.py), contenders alternated for ROUNDS
# rounds (default 3); prints every JSON line, then the median epoch times and speed-ups. Also
# Keel's communication per step and hidden fraction. Run under the bench lock:
#   flock /tmp/keel-bench.lock sh bench/distributed/speedup.sh [rounds]
set -e
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
ROOT=""
[ "$(id -u)" = 0 ] && ROOT=--allow-run-as-root
export KEEL_NUM_THREADS=1 OMP_NUM_THREADS=1
OUT=$(mktemp)
for r in $(seq "$ROUNDS"); do
  node --import tsx bench/distributed/cnn-epoch.ts | tee -a "$OUT"
  mpirun -np 2 --bind-to none $ROOT -x KEEL_NUM_THREADS node --import tsx \
    bench/distributed/cnn-epoch.ts | tee -a "$OUT"
  /usr/bin/python3 bench/distributed/torch_ddp_cnn.py --nproc 1 --samples 8004 | tee -a "$OUT"
  /usr/bin/python3 bench/distributed/torch_ddp_cnn.py --nproc 2 --samples 8004 | tee -a "$OUT"
done
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const t = (impl, ranks) => med(lines.filter((l) => l.impl === impl && l.ranks === ranks).map((l) => l.epochSeconds));
const out = {};
for (const impl of ["keel", "pytorch-ddp-gloo"]) {
  out[impl] = { oneProcessSeconds: t(impl, 1), twoProcessSeconds: t(impl, 2), speedup: +(t(impl, 1) / t(impl, 2)).toFixed(3) };
}
const k2 = lines.filter((l) => l.impl === "keel" && l.ranks === 2);
out.keel.commMsPerStep = med(k2.map((l) => l.commMsPerStep));
out.keel.hiddenFraction = med(k2.map((l) => l.hiddenFraction));
console.log(JSON.stringify(out));
' "$OUT"
