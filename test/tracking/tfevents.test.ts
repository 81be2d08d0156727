import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { crc32c, eventFile, maskedCrc32c } from '../../src/tracking/tfevents.js';

// TensorBoard's own schema (tensorflow/core/util/event.proto, summary.proto), read by protobufjs:
// an independent decoder of what Keel encodes by hand.
const root = protobuf.parse(`
  syntax = "proto3";
  message Value { string tag = 1; float simple_value = 2; }
  message Summary { repeated Value value = 1; }
  message Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
`).root;
const Event = root.lookupType('Event');

function readRecords(file: Uint8Array): Uint8Array[] {
  const buf = Buffer.from(file);
  const out: Uint8Array[] = [];
  for (let at = 0; at < buf.length; ) {
    const length = Number(buf.readBigUInt64LE(at));
    assert.equal(buf.readUInt32LE(at + 8), maskedCrc32c(buf.subarray(at, at + 8)), 'length crc');
    const data = buf.subarray(at + 12, at + 12 + length);
    assert.equal(buf.readUInt32LE(at + 12 + length), maskedCrc32c(data), 'data crc');
    out.push(data);
    at += 16 + length;
  }
  return out;
}

describe('TensorBoard event files', () => {
  it('computes CRC-32C (the iSCSI check value)', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('frames Event protobufs that protobufjs decodes with the TensorBoard schema', () => {
    const rows = [
      { key: 'loss', scope: 'batch' as const, step: 0, epoch: 0, wall: 1700000000.25, value: 2.5 },
      {
        key: 'val_loss',
        scope: 'epoch' as const,
        step: 3,
        epoch: 3,
        wall: 1700000001.5,
        value: 0.125,
      },
      {
        key: 'step_time_ms',
        scope: 'system' as const,
        step: 123456789012,
        epoch: 0,
        wall: 1700000002,
        value: -1,
      },
    ];
    const records = readRecords(eventFile(rows, 1700000000));
    assert.equal(records.length, 4);
    const first = Event.toObject(Event.decode(records[0]!), { longs: Number }) as any;
    assert.equal(first.wallTime, 1700000000);
    assert.equal(first.step ?? 0, 0);
    assert.equal(first.fileVersion, 'brain.Event:2');
    assert.equal(first.summary, undefined);
    rows.forEach((r, i) => {
      const e = Event.toObject(Event.decode(records[i + 1]!), { longs: Number }) as any;
      assert.equal(e.wallTime, r.wall);
      assert.equal(e.step ?? 0, r.step);
      assert.deepEqual(e.summary.value, [{ tag: `${r.scope}/${r.key}`, simpleValue: r.value }]);
    });
  });
});
