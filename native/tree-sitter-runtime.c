/* The tree-sitter runtime that parses for the npm package `tree-sitter`, built from its own copy (see binding.gyp). */
#include "lib.c"
