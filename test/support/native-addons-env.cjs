// jest re-evaluates tree-sitter's index.js per test file, which double-wraps the cached native binding;
// loading the addons once per worker with Node's own require avoids that.
const { TestEnvironment } = require('jest-environment-node');
const addons = { 'tree-sitter': require('tree-sitter'), 'tree-sitter-python': require('tree-sitter-python') };
module.exports = class extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__nativeAddons = addons;
  }
};
