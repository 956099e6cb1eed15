/** A project written to a temporary folder from file texts, scanned (with `options`), and removed. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan, type ScanOptions } from '../../src/scan';

export async function scanFiles(files: Record<string, string>, options: Omit<ScanOptions, 'paths'> = {}): ReturnType<typeof scan> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-project-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    return await scan({ ...options, paths: [dir] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
