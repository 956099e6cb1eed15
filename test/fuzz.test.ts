/** An always-on slice of the fuzz run (`npm run fuzz` runs thousands): no crash, no hang, good results kept; every tenth input a damaged cache. */
import path from 'node:path';
import { fuzz } from '../bench/fuzz';

test('pathological files, 150 seeded mutants of the fixtures and damaged caches never break the scan', async () => {
  const outcome = await fuzz(path.join(__dirname, '..', 'fixtures'), 150);
  expect(outcome.failures).toEqual([]);
  expect(outcome.inputs).toBeGreaterThan(150);
}, 300_000);
