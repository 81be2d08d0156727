import { FUSED_ACTIVATIONS, type FusedActivation } from '../../backends/kernels.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

export { FUSED_ACTIVATIONS, type FusedActivation };

/** The kernel code of a fused activation, or a RangeError naming the op. */
export function activationCode(op: string, activation: string): number {
  const code = FUSED_ACTIVATIONS.indexOf(activation as FusedActivation);
  if (code < 0) {
    throw new RangeError(
      `${op}: activation must be one of ${FUSED_ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`,
    );
  }
  return code;
}

/** Throws unless bias is [channels], the size of x's last axis. */
export function checkBias(op: string, bias: Tensor, channels: number, of: string): void {
  if (bias.rank !== 1 || bias.shape[0] !== channels) {
    throw new RangeError(
      `${op}: expected bias [${channels}] for ${of}, got ${formatShape(bias.shape)}`,
    );
  }
}
