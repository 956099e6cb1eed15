/**
 * The heap's growth bound (src/heap.ts) is the command's choice: a program that loads the scan as a library keeps
 * V8's own; the command's bound is tighter for the analysis than while facts are read.
 */
import v8 from 'node:v8';
import path from 'node:path';
import { scan } from '../src/scan';
import { boundHeapGrowth } from '../src/heap';
import { ROOT } from './support/run-cli';

test('no bound from the library; with the command\'s, 50 % while facts are read and 30 % for the analysis', async () => {
  const flags = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
  try {
    const paths = [path.join(ROOT, 'fixtures', 'flask', 'shop')];
    await scan({ paths });
    expect(flags).not.toHaveBeenCalled();
    boundHeapGrowth();
    await scan({ paths });
    expect(flags.mock.calls.map(([flag]) => flag)).toEqual(['--heap-growing-percent=50', '--heap-growing-percent=50', '--heap-growing-percent=30']);
  } finally {
    flags.mockRestore();
  }
});
