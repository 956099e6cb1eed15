/**
 * `apiposture init`: a commented `.apiposture.toml` and a GitHub Actions workflow that uploads SARIF to code
 * scanning and gates the build. The workflow text is also the README's "Use in CI" block (a test keeps them equal).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DEFAULT_POLICY } from './config';

export const CONFIG_FILE = '.apiposture.toml';
export const WORKFLOW_FILE = '.github/workflows/apiposture.yml';

export const CONFIG_TEMPLATE = `# apiposture configuration: https://github.com/apiposture/apiposture#configuration

# Files or folders to skip, added to --exclude (a bare name such as "tests" matches that folder anywhere).
exclude = []

[rules]
# A severity ("error", "warning", "note") replaces a rule's own choice; "off" disables the rule.
# AP013 = "off"

[policy]
auth-max-per-minute = ${DEFAULT_POLICY.authMaxPerMinute}     # AP002: looser limits on login/OTP/password/signup routes are weak
messaging-daily-cap = ${DEFAULT_POLICY.messagingDailyCap}   # AP002: routes that send email/SMS need a window of a day or more
messaging-per-day = ${DEFAULT_POLICY.messagingPerDay}        # what \`apiposture fix\` caps them at per client per day
short-window-seconds = ${DEFAULT_POLICY.shortWindowSeconds}    # AP009: a limit this short blunts fixed-window bursts

# The project's own limit decorator, e.g. @throttle("5/minute"):
# [[limiter]]
# name = "throttle"
# decorator = "myapp.security.throttle"
# rate-argument = 0
`;

/** The workflow; `category` names this app's analysis in code scanning (one per app of a monorepo). */
export function workflowTemplate(category: string): string {
  return `name: apiposture
on:
  push:
    branches: [main]
  pull_request:

permissions:
  contents: read
  security-events: write # upload-sarif

jobs:
  apiposture:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      # From the repository: npm builds it on install (its prepare script).
      - name: Install apiposture
        run: npm install -g github:apiposture/apiposture
      # One scan writes the code-scanning report and the job summary, then gates the build: with a
      # committed baseline only new findings fail it. The upload runs whatever the gate says.
      - name: Scan
        run: |
          baseline=()
          if [ -f .apiposture-baseline.json ]; then baseline=(--baseline .apiposture-baseline.json); fi
          apiposture scan . --output sarif=apiposture.sarif --output markdown="$GITHUB_STEP_SUMMARY" --category ${category} --fail-on warning "\${baseline[@]}"
      - name: Upload to code scanning
        if: always() && hashFiles('apiposture.sarif') != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: apiposture.sarif
`;
}

export class InitRefused extends Error {}

/** Writes both files under `dir`; refuses, writing nothing, when one exists and `force` is not set. Returns what it wrote. */
export async function init(dir: string, force: boolean): Promise<string[]> {
  const files: [string, string][] = [
    [CONFIG_FILE, CONFIG_TEMPLATE],
    [WORKFLOW_FILE, workflowTemplate(path.basename(path.resolve(dir)))],
  ];
  if (!force) {
    const existing: string[] = [];
    for (const [file] of files) if (await fs.stat(path.join(dir, file)).then(() => true, () => false)) existing.push(file);
    if (existing.length) throw new InitRefused(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${dir} (--force overwrites)`);
  }
  for (const [file, text] of files) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), text);
  }
  return files.map(([file]) => file);
}
