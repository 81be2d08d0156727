#!/bin/sh
# Issue 14's accuracy equivalence: the seed CNN (examples/mnist-cnn.ts, global batch 32, seed 1)
# for EPOCHS epochs (default 10) on 1, 2 and 4 processes (1 thread each); prints each run's
# `Test accuracy:` line. Long (not a CI test): `sh bench/distributed/accuracy-10-epochs.sh [epochs]`
set -e
cd "$(dirname "$0")/../.."
EPOCHS=${1:-10}
export KEEL_NUM_THREADS=1
for N in 1 2 4; do
  start=$(date +%s)
  if [ "$N" = 1 ]; then
    line=$(node --import tsx examples/mnist-cnn.ts --epochs "$EPOCHS" --seed 1 | grep 'Test accuracy')
  else
    line=$(npx keel launch --nproc "$N" examples/mnist-cnn.ts --epochs "$EPOCHS" --seed 1 | grep 'Test accuracy')
  fi
  echo "processes=$N epochs=$EPOCHS $line seconds=$(($(date +%s) - start))"
done
