/**
 * Builds apiposture's own tree-walk addon (native/tree-walk.c) at install, with npm's node-gyp. It is optional:
 * where it cannot be built (no C compiler), a line says so and scans read each tree through tree-sitter's API
 * instead, slower and with the same facts.
 */
const { spawnSync } = require('node:child_process');

const gyp = process.env.npm_config_node_gyp; // set by npm for install scripts
const built = gyp && spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: __dirname, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (!built || built.status !== 0) {
  const why = !gyp ? 'npm gave no node-gyp' : (built.error?.message ?? built.stderr.trim().split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join('; '));
  console.log(`apiposture: the native tree walk was not built (${why}); scans read trees through tree-sitter's API, which is slower`);
}
