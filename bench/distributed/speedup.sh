#!/bin/sh
# The 2-process speed-up over 1 process (1 thread each) of a seed-CNN epoch (cnn-epoch.ts) and of
# a char-GPT iteration (gpt-iter.ts), Keel (`keel launch --nproc 2`, i.e. its default MPI
# settings) beside PyTorch DDP with gloo (torch_ddp_cnn.py, torch_ddp_gpt.py), contenders
# alternated for ROUNDS rounds (default 3). Every run's JSON line carries the 1-minute load
# average when it started (load1); then the medians: time, speed-up, and Keel's communication
# per step and hidden fraction. Run under the bench lock:
#   flock /tmp/keel-bench.lock sh bench/distributed/speedup.sh [rounds] [gpt-iters]
set -e
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
ITERS=${2:-10}
export KEEL_NUM_THREADS=1 OMP_NUM_THREADS=1
OUT=$(mktemp)
# Appends the load average at its start to the JSON line a run prints last.
run() {
  load=$(cut -d' ' -f1 /proc/loadavg)
  "$@" 2>/dev/null | tail -1 | sed "s/}\$/, \"load1\": $load}/" | tee -a "$OUT"
}
for r in $(seq "$ROUNDS"); do
  run node --import tsx bench/distributed/cnn-epoch.ts
  run node bin/keel.mjs launch --nproc 2 bench/distributed/cnn-epoch.ts
  run /usr/bin/python3 bench/distributed/torch_ddp_cnn.py --nproc 1 --samples 8004
  run /usr/bin/python3 bench/distributed/torch_ddp_cnn.py --nproc 2 --samples 8004
  run node --import tsx bench/distributed/gpt-iter.ts --iters "$ITERS"
  run node bin/keel.mjs launch --nproc 2 bench/distributed/gpt-iter.ts --iters "$ITERS"
  run /usr/bin/python3 bench/distributed/torch_ddp_gpt.py --nproc 1 --iters "$ITERS"
  run /usr/bin/python3 bench/distributed/torch_ddp_gpt.py --nproc 2 --iters "$ITERS"
done
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const out = {};
for (const [model, key] of [["seed-cnn", "epochSeconds"], ["char-gpt", "iterSeconds"]]) {
  const of = (impl, ranks) => lines.filter((l) => l.impl === impl && l.ranks === ranks && (l.model ?? "seed-cnn") === model);
  out[model] = {};
  for (const impl of ["keel", "pytorch-ddp-gloo"]) {
    const one = med(of(impl, 1).map((l) => l[key]));
    const two = med(of(impl, 2).map((l) => l[key]));
    out[model][impl] = { [key + "1"]: one, [key + "2"]: two, speedup: +(one / two).toFixed(3),
      load1: med(of(impl, 2).concat(of(impl, 1)).map((l) => l.load1)) };
  }
  const k2 = of("keel", 2);
  out[model].keel.commMsPerStep = med(k2.map((l) => l.commMsPerStep));
  out[model].keel.hiddenFraction = med(k2.map((l) => l.hiddenFraction));
}
console.log(JSON.stringify(out));
' "$OUT"
