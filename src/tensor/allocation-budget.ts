/**
 * Bytes of tensor storage that may still be allocated. Infinite, except while src/io rebuilds a
 * model from an untrusted file: the rebuild runs layers' `build` and a forward pass on zeros, and a
 * 300-byte file declaring a huge layer on a long input must fail before it allocates gigabytes.
 * Charged by `allocate` (every op output and created tensor) before the memory is taken.
 */
export const allocationBudget = { remaining: Number.POSITIVE_INFINITY };

/** Takes `bytes` from the budget, or throws a RangeError naming `what` before anything is allocated. */
export function chargeAllocation(bytes: number, what: string): void {
  if (allocationBudget.remaining === Number.POSITIVE_INFINITY) return;
  if (!(bytes <= allocationBudget.remaining)) {
    throw new RangeError(
      `${what} needs ${bytes} bytes, more than the ${Math.max(0, allocationBudget.remaining)} bytes left of the memory budget for loading a model (maxActivationBytes)`,
    );
  }
  allocationBudget.remaining -= bytes;
}

/** Runs fn with the allocation budget set to at most `bytes`, restoring the previous budget after. */
export function withAllocationBudget<T>(bytes: number, fn: () => T): T {
  const previous = allocationBudget.remaining;
  allocationBudget.remaining = Math.min(previous, bytes);
  try {
    return fn();
  } finally {
    // An enclosing budget pays for what was used inside.
    const used = Math.min(previous, bytes) - allocationBudget.remaining;
    allocationBudget.remaining = previous === Number.POSITIVE_INFINITY ? previous : previous - used;
  }
}

/**
 * Checks that a kernel's transient scratch of `bytes` (freed when it returns, so not charged)
 * fits in what is left of the budget: the TypeScript kernels' work arrays can be larger than
 * their outputs (an LSTM's projected inputs are steps x 4·units while it returns units).
 */
export function checkScratch(bytes: number, what: string): void {
  if (allocationBudget.remaining === Number.POSITIVE_INFINITY) return;
  if (!(bytes <= allocationBudget.remaining)) {
    throw new RangeError(
      `${what} needs ${bytes} bytes of scratch, more than the ${Math.max(0, allocationBudget.remaining)} bytes left of the memory budget for loading a model (maxActivationBytes)`,
    );
  }
}
