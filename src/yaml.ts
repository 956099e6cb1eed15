/** YAML, loaded on first use: most scans read none, and loading the parser costs as much as a small scan's analysis. */
import type { parse } from 'yaml';

export function parseYaml(text: string): ReturnType<typeof parse> {
  return (require('yaml') as { parse: typeof parse }).parse(text);
}
