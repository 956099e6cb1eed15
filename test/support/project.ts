/** A project written to a temporary folder from file texts, scanned, and removed. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../../src/scan';

export async function scanFiles(files: Record<string, string>): ReturnType<typeof scan> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-project-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    return await scan({ paths: [dir] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
