{
  "targets": [
    {
      "target_name": "tree_walk",
      "sources": ["tree-walk.c", "tree-sitter-runtime.c"],
      "include_dirs": ["<(tree_sitter)/vendor/tree-sitter/lib/include", "<(tree_sitter)/vendor/tree-sitter/lib/src"],
      "defines": ["NAPI_VERSION=8", "_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE"],
      "cflags_c": ["-std=c11", "-O2", "-fvisibility=hidden"]
    }
  ],
  "variables": {
    "tree_sitter": "<!(node -p \"require('path').dirname(require.resolve('tree-sitter/package.json'))\")"
  }
}
