import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rankEnvironment } from '../../src/distributed/index.js';

describe('keel launch: the ranks environment', () => {
  it('one machine: shared memory only, and MPI yields the core when the ranks fill the cores', () => {
    const env = rankEnvironment({ nproc: 2 }, { PATH: '/bin' }, 2);
    assert.equal(env['OMPI_MCA_btl'], 'vader,self');
    assert.equal(env['OMPI_MCA_mpi_yield_when_idle'], '1');
    assert.equal(env['PATH'], '/bin');
  });

  it('fewer ranks than cores: MPI may poll without yielding', () => {
    const env = rankEnvironment({ nproc: 2 }, {}, 16);
    assert.equal(env['OMPI_MCA_btl'], 'vader,self');
    assert.equal(env['OMPI_MCA_mpi_yield_when_idle'], undefined);
  });

  it('several machines keep every transport; settings already in the environment win', () => {
    const multi = rankEnvironment({ nproc: 4, hosts: 'a:2,b:2' }, {}, 2);
    assert.equal(multi['OMPI_MCA_btl'], undefined);
    assert.equal(multi['OMPI_MCA_mpi_yield_when_idle'], undefined);
    const mine = rankEnvironment(
      { nproc: 2 },
      { OMPI_MCA_btl: 'tcp,self', OMPI_MCA_mpi_yield_when_idle: '0' },
      2,
    );
    assert.equal(mine['OMPI_MCA_btl'], 'tcp,self');
    assert.equal(mine['OMPI_MCA_mpi_yield_when_idle'], '0');
  });
});
