/** Float64 reference implementations of the update rules, written from the formulas. */

export function sgdSteps(
  w0: number[],
  grads: number[][],
  { lr, momentum = 0, nesterov = false }: { lr: number; momentum?: number; nesterov?: boolean },
): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  for (const g of grads) {
    for (let i = 0; i < w.length; i++) {
      if (momentum === 0) {
        w[i]! -= lr * g[i]!;
        continue;
      }
      m[i] = momentum * m[i]! - lr * g[i]!;
      w[i]! += nesterov ? momentum * m[i]! - lr * g[i]! : m[i]!;
    }
  }
  return w;
}

export function adamSteps(
  w0: number[],
  grads: number[][],
  {
    lr = 0.001,
    beta1 = 0.9,
    beta2 = 0.999,
    epsilon = 1e-7,
    amsgrad = false,
    weightDecay = 0,
  }: {
    lr?: number;
    beta1?: number;
    beta2?: number;
    epsilon?: number;
    amsgrad?: boolean;
    weightDecay?: number;
  } = {},
): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const vHat = w.map(() => 0);
  grads.forEach((g, step) => {
    const t = step + 1;
    const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (let i = 0; i < w.length; i++) {
      w[i]! -= lr * weightDecay * w[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
      v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! ** 2;
      vHat[i] = Math.max(vHat[i]!, v[i]!);
      const denom = Math.sqrt(amsgrad ? vHat[i]! : v[i]!) + epsilon;
      w[i]! -= (alpha * m[i]!) / denom;
    }
  });
  return w;
}

export function rmspropSteps(
  w0: number[],
  grads: number[][],
  {
    lr = 0.001,
    rho = 0.9,
    momentum = 0,
    epsilon = 1e-7,
    centered = false,
  }: { lr?: number; rho?: number; momentum?: number; epsilon?: number; centered?: boolean } = {},
): number[] {
  const w = [...w0];
  const v = w.map(() => 0);
  const a = w.map(() => 0);
  const mom = w.map(() => 0);
  for (const g of grads) {
    for (let i = 0; i < w.length; i++) {
      v[i] = rho * v[i]! + (1 - rho) * g[i]! ** 2;
      let denom = v[i]! + epsilon;
      if (centered) {
        a[i] = rho * a[i]! + (1 - rho) * g[i]!;
        denom = v[i]! - a[i]! ** 2 + epsilon;
      }
      const step = (lr * g[i]!) / Math.sqrt(denom);
      if (momentum > 0) {
        mom[i] = momentum * mom[i]! + step;
        w[i]! -= mom[i]!;
      } else w[i]! -= step;
    }
  }
  return w;
}
