import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe('training memory', () => {
  it('stays flat over 10 epochs without any manual dispose', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/models/fixtures/memory-child.ts'],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    const used = JSON.parse(child.stdout.trim().split('\n').pop()!) as number[];
    assert.equal(used.length, 10);
    const [epoch2, epoch10] = [used[1]!, used[9]!];
    const growth = epoch10 - epoch2;
    assert.ok(
      growth < 5 * 2 ** 20 && epoch10 < epoch2 * 1.2,
      `memory grew from ${(epoch2 / 2 ** 20).toFixed(1)} MB after epoch 2 to ${(epoch10 / 2 ** 20).toFixed(1)} MB after epoch 10`,
    );
  });
});
