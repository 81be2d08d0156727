/**
 * TensorBoard event files: TFRecord framing (length, masked CRC32C of the length, the record,
 * masked CRC32C of the record) around `Event` protobufs carrying scalar `Summary` values, so
 * `tensorboard --logdir` opens a Keel run. Encoded by hand: three small messages.
 */
import type { MetricRow } from './store.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), as TFRecord uses. `crc32c(Buffer.from('123456789')) === 0xe3069283` */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
function bytesField(field: number, data: Uint8Array | number[]): number[] {
  return [...key(field, 2), ...varint(data.length), ...data];
}
function doubleField(field: number, v: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...key(field, 1), ...b];
}
function floatField(field: number, v: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [...key(field, 5), ...b];
}

/** One `Event` protobuf: wall_time (1), step (2), and file_version (3) or summary (5). */
export function encodeEvent(
  wallTime: number,
  step: number,
  what: { fileVersion: string } | { scalars: readonly [string, number][] },
): Uint8Array {
  const out = [...doubleField(1, wallTime), ...key(2, 0), ...varint(step)];
  if ('fileVersion' in what) {
    out.push(...bytesField(3, [...Buffer.from(what.fileVersion)]));
  } else {
    // Summary { repeated Value value = 1 }, Value { string tag = 1; float simple_value = 2 }.
    const summary = what.scalars.flatMap(([tag, v]) =>
      bytesField(1, [...bytesField(1, [...Buffer.from(tag)]), ...floatField(2, v)]),
    );
    out.push(...bytesField(5, summary));
  }
  return Uint8Array.from(out);
}

/** One TFRecord around `data`. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length));
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data));
  return Buffer.concat([header, data, footer]);
}

/**
 * A whole event file for a run's metrics: the version record, then one scalar per row, tagged
 * `<scope>/<key>` (batch/loss, epoch/val_loss, system/step_time_ms).
 */
export function eventFile(rows: readonly MetricRow[], startWall: number): Uint8Array {
  const records = [tfRecord(encodeEvent(startWall, 0, { fileVersion: 'brain.Event:2' }))];
  for (const r of rows) {
    records.push(
      tfRecord(encodeEvent(r.wall, r.step, { scalars: [[`${r.scope}/${r.key}`, r.value]] })),
    );
  }
  return Buffer.concat(records);
}

/** The file name TensorBoard looks for: events.out.tfevents.<time>.<host>. */
export function eventFileName(startWall: number, host: string): string {
  return `events.out.tfevents.${Math.floor(startWall)}.${host}`;
}
