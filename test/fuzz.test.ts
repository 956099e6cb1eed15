/** An always-on slice of the fuzz run (`npm run fuzz` runs thousands): no crash, no hang, good results kept. */
import path from 'node:path';
import { fuzz } from '../bench/fuzz';

test('pathological files and 150 seeded mutants of the fixtures never break the scan', async () => {
  const outcome = await fuzz(path.join(__dirname, '..', 'fixtures'), 150);
  expect(outcome.failures).toEqual([]);
  expect(outcome.inputs).toBeGreaterThan(150);
}, 300_000);
