/** smol-toml: its types are ES-module declarations over a CommonJS build, which `require` loads. */
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };

export const { parse: parseToml, TomlError } = require('smol-toml') as typeof SmolToml;
