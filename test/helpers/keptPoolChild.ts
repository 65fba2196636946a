// A process that runs one chunk on a worker pool, then keeps the pool idle (poolKeeper.ts) and
// returns from its main code: it must exit on its own (jobsKeptPool.node.test.ts), for a kept
// pool's threads hold no reference on the process.
import { normalizeJobSpec } from '../../src/core/experiments/jobs';
import { parseRandomSpec, randomGaussianGenerator } from '../../src/core/model/random';
import { WorkerPool } from '../../src/main/services/jobs/pool';
import { PoolKeeper } from '../../src/main/services/jobs/poolKeeper';

const source = 'random:4,8,12:tanh';
const spec = parseRandomSpec(source);
const gen = randomGaussianGenerator(spec.dims, spec.output, spec.seed);
const job = normalizeJobSpec({ kind: 'invert', model: source, methods: ['oracle'], count: 2, seed: 1 });
const pool = new WorkerPool(1, gen);
const outcome = await pool.run(0, job, 0);
new PoolKeeper(10 * 60 * 1000).keep('model', pool);
console.log(outcome.ok ? 'kept' : `chunk failed: ${outcome.message}`);
