#!/bin/sh
# Keel's allreduce (allreduce.ts) vs Open MPI's MPI_Allreduce in C (allreduce.c) on 2 processes,
# alternated for ROUNDS rounds (default 5) of REPS timed allreduces each (default 7) on MB
# megabytes (default 100); prints every run's JSON line, then the median over rounds of each
# run's median bandwidth and their ratio. Run under the bench lock:
#   flock /tmp/keel-bench.lock sh bench/distributed/compare-allreduce.sh [mb] [rounds] [reps]
set -e
cd "$(dirname "$0")/../.."
MB=${1:-100}
ROUNDS=${2:-5}
REPS=${3:-7}
BIN=$(mktemp -d)/allreduce
mpicc -O2 bench/distributed/allreduce.c -o "$BIN"
ROOT=""
[ "$(id -u)" = 0 ] && ROOT=--allow-run-as-root
OUT=$(mktemp)
for r in $(seq "$ROUNDS"); do
  mpirun -np 2 --bind-to none $ROOT "$BIN" "$MB" "$REPS" | tee -a "$OUT"
  mpirun -np 2 --bind-to none $ROOT -x KEEL_NUM_THREADS=1 node --import tsx \
    bench/distributed/allreduce.ts "$MB" "$REPS" | tee -a "$OUT"
done
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const c = med(lines.filter((l) => l.impl.startsWith("C")).map((l) => l.medianGBps));
const k = med(lines.filter((l) => l.impl.startsWith("Keel")).map((l) => l.medianGBps));
console.log(JSON.stringify({ mb: lines[0].mb, rounds: lines.length / 2, cMedianGBps: c, keelMedianGBps: k, ratio: +(k / c).toFixed(3) }));
' "$OUT"
