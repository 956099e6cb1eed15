/** A report's identity for comparing scans across apiposture versions: its bytes, the version string left out. */
import { createHash } from 'node:crypto';

export function reportDigest(report: string): string {
  return createHash('sha256').update(report.replace(/"(semanticVersion|version)": "\d[^"]*"/g, '"$1": "<VERSION>"')).digest('hex').slice(0, 16);
}
