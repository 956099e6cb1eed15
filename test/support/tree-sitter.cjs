module.exports = globalThis.__nativeAddons['tree-sitter'];
