/**
 * Two "machines": one network namespace per rank, joined by a veth pair, Open MPI over TCP only
 * (btl tcp,self). mpirun starts the remote rank through an rsh agent that enters the namespace
 * instead of ssh. Skipped, with the reason, only where namespaces cannot be made (not root, no ip).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURES, mpiUnavailable, relativeDifference, single } from './mpi-helpers.js';

const tag = `k${process.pid % 100000}`;
const ns = [`${tag}a`, `${tag}b`];
const hosts = ['10.231.7.1', '10.231.7.2'];
const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });

function makeNamespaces(): string {
  const steps = [
    ['netns', 'add', ns[0]!],
    ['netns', 'add', ns[1]!],
    ['link', 'add', `${tag}va`, 'type', 'veth', 'peer', 'name', `${tag}vb`],
    ['link', 'set', `${tag}va`, 'netns', ns[0]!],
    ['link', 'set', `${tag}vb`, 'netns', ns[1]!],
    ['-n', ns[0]!, 'addr', 'add', `${hosts[0]}/24`, 'dev', `${tag}va`],
    ['-n', ns[1]!, 'addr', 'add', `${hosts[1]}/24`, 'dev', `${tag}vb`],
    ['-n', ns[0]!, 'link', 'set', `${tag}va`, 'up'],
    ['-n', ns[1]!, 'link', 'set', `${tag}vb`, 'up'],
    ['-n', ns[0]!, 'link', 'set', 'lo', 'up'],
    ['-n', ns[1]!, 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (r.error || r.status !== 0)
      return `ip ${s.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`;
  }
  return '';
}

const mpi = mpiUnavailable();
const made = mpi ? '' : makeNamespaces();
if (made) console.log(`# skipping the network-namespace test: ${made}`);
const skip = mpi || made || false;
const dir = mkdtempSync(join(tmpdir(), 'keel-netns-'));
after(() => {
  for (const n of ns) ip('netns', 'del', n);
  rmSync(dir, { recursive: true, force: true });
});

describe('two ranks in two network namespaces over TCP', { skip }, () => {
  it('train to the same weights as one process', () => {
    const agent = join(dir, 'agent.sh');
    writeFileSync(
      agent,
      `#!/bin/sh\nhost=$1; shift\ncase "$host" in ${hosts[0]}) ns=${ns[0]};; ${hosts[1]}) ns=${ns[1]};; *) exit 1;; esac\nexec ip netns exec "$ns" sh -c "$*"\n`,
    );
    chmodSync(agent, 0o755);
    const out = join(dir, 'two.json');
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        ns[0]!,
        'mpirun',
        '-np',
        '2',
        '-H',
        `${hosts[0]}:1,${hosts[1]}:1`,
        '--allow-run-as-root',
        '--bind-to',
        'none',
        '--mca',
        'plm_rsh_agent',
        agent,
        '--mca',
        'btl',
        'tcp,self',
        '--mca',
        'btl_tcp_if_include',
        '10.231.7.0/24',
        '--mca',
        'oob_tcp_if_include',
        '10.231.7.0/24',
        '-x',
        'PATH',
        '-x',
        'KEEL_NUM_THREADS=1',
        '-x',
        'OMPI_ALLOW_RUN_AS_ROOT=1',
        '-x',
        'OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1',
        process.execPath,
        '--import',
        'tsx',
        join(FIXTURES, 'train-small.ts'),
        '--batch',
        '4',
        '--out',
        out,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const ref = join(dir, 'one.json');
    assert.equal(single('train-small.ts', ['--batch', '8', '--out', ref]).status, 0);
    const a = JSON.parse(readFileSync(ref, 'utf8'));
    const b = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(b.replicas, 2);
    assert.ok(relativeDifference(a.weights, b.weights) <= 1e-5);
  });
});
