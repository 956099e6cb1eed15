/*
 * Parses Python text and returns the tree as flat records in one call: reading a tree through tree-sitter's
 * Node.js API costs three to five native calls per node, about as much as parsing. Records are five int32s
 * per node kept, in pre-order: symbol, field id, start and end (UTF-16 code units, as JavaScript indexes text)
 * and the number of kept children. A node whose symbol is flagged SKIP is left out with its subtree; one
 * flagged LEAF is kept without its children. Read by src/python/syntax.ts (nativeParse).
 */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define SKIP 1
#define LEAF 2
#define MAX_ERROR_DEPTH 200

// tree-sitter-python's tag on its `language` external (tree-sitter's own check)
static const napi_type_tag LANGUAGE_TYPE_TAG = {0x8AF2E5212AD58ABF, 0xD5006CAD83ABBA16};

typedef struct {
  int32_t *data;
  size_t length;
  size_t capacity;
} Records;

static int push(Records *r, int32_t symbol, int32_t field, int32_t start, int32_t end) {
  if (r->length + 5 > r->capacity) {
    size_t capacity = r->capacity ? r->capacity * 2 : 4096;
    int32_t *grown = realloc(r->data, capacity * sizeof(int32_t));
    if (!grown) return 0;
    r->data = grown;
    r->capacity = capacity;
  }
  int32_t *at = r->data + r->length;
  at[0] = symbol;
  at[1] = field;
  at[2] = start;
  at[3] = end;
  at[4] = 0;
  r->length += 5;
  return 1;
}

static uint8_t flag_of(const uint8_t *flags, size_t count, TSSymbol symbol) {
  return symbol < count ? flags[symbol] : 0;
}

/* The first line (1-based) with an ERROR or missing node, as src/parse.ts reads it through the Node.js API. */
static void first_error(TSNode node, uint32_t depth, uint32_t *line) {
  uint32_t row = ts_node_start_point(node).row + 1;
  if (row >= *line || depth > MAX_ERROR_DEPTH) return;
  if (ts_node_is_error(node) || ts_node_is_missing(node)) {
    *line = row;
    return;
  }
  if (!ts_node_has_error(node)) return;
  // A cursor steps to each next child at once; ts_node_child(node, i) counts up to i every time.
  TSTreeCursor children = ts_tree_cursor_new(node);
  if (ts_tree_cursor_goto_first_child(&children)) {
    do first_error(ts_tree_cursor_current_node(&children), depth + 1, line);
    while (ts_tree_cursor_goto_next_sibling(&children));
  }
  ts_tree_cursor_delete(&children);
}

/* The record offsets of the cursor's kept ancestors, and of its node when kept. */
typedef struct {
  size_t *offsets;
  size_t depth;
  size_t room;
} Path;

/* Records a kept node as the next child of the last one on the path, and puts it on the path; 0 when memory runs out. */
static int enter(Records *out, Path *path, TSNode node, TSFieldId field) {
  if (path->depth == path->room) {
    size_t room = path->room ? path->room * 2 : 64;
    size_t *grown = realloc(path->offsets, room * sizeof(size_t));
    if (!grown) return 0;
    path->offsets = grown;
    path->room = room;
  }
  if (path->depth) out->data[path->offsets[path->depth - 1] + 4]++;
  path->offsets[path->depth++] = out->length;
  return push(out, ts_node_symbol(node), field, ts_node_start_byte(node) / 2, ts_node_end_byte(node) / 2);
}

/* The kept nodes of the tree, walked with a cursor as src/python/syntax.ts copyTree walks it; 0 when memory runs out. */
static int walk(TSTree *tree, const uint8_t *flags, size_t count, Records *out) {
  TSNode root = ts_tree_root_node(tree);
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  Path path = {0};
  int ok = enter(out, &path, root, 0);
  int kept = 1; // whether the cursor's node is the last on the path
  while (ok) {
    if (kept && !(flag_of(flags, count, ts_node_symbol(ts_tree_cursor_current_node(&cursor))) & LEAF) && ts_tree_cursor_goto_first_child(&cursor)) {
      TSNode node = ts_tree_cursor_current_node(&cursor);
      kept = !(flag_of(flags, count, ts_node_symbol(node)) & SKIP);
      if (kept) ok = enter(out, &path, node, ts_tree_cursor_current_field_id(&cursor));
      continue;
    }
    // Climb until a node has a next sibling; past the root the walk is done.
    for (;;) {
      if (kept) path.depth--;
      if (!path.depth) goto done;
      if (ts_tree_cursor_goto_next_sibling(&cursor)) {
        TSNode node = ts_tree_cursor_current_node(&cursor);
        kept = !(flag_of(flags, count, ts_node_symbol(node)) & SKIP);
        if (kept) ok = enter(out, &path, node, ts_tree_cursor_current_field_id(&cursor));
        break;
      }
      ts_tree_cursor_goto_parent(&cursor);
      kept = 1;
    }
  }
done:
  free(path.offsets);
  ts_tree_cursor_delete(&cursor);
  return ok;
}

typedef struct {
  TSParser *parser;
} Instance;

static void free_instance(napi_env env, void *data, void *hint) {
  Instance *instance = data;
  ts_parser_delete(instance->parser);
  free(instance);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* parse(text, language, flags): { records: Int32Array, errorLine: number }, errorLine 0 when the tree has no error. */
static napi_value parse(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return fail(env, "parse(text, language, flags)");
  bool tagged = false;
  void *language = NULL;
  if (napi_check_object_type_tag(env, argv[1], &LANGUAGE_TYPE_TAG, &tagged) != napi_ok || !tagged || napi_get_value_external(env, argv[1], &language) != napi_ok) return fail(env, "not a tree-sitter language");
  uint8_t *flags = NULL;
  size_t count = 0;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, argv[2], &type, &count, (void **)&flags, NULL, NULL) != napi_ok || type != napi_uint8_array) return fail(env, "flags must be a Uint8Array");
  size_t length = 0;
  if (napi_get_value_string_utf16(env, argv[0], NULL, 0, &length) != napi_ok) return fail(env, "text must be a string");
  char16_t *text = malloc((length + 1) * sizeof(char16_t));
  if (!text) return fail(env, "out of memory");
  napi_get_value_string_utf16(env, argv[0], text, length + 1, &length);

  Instance *instance = NULL;
  napi_get_instance_data(env, (void **)&instance);
  if (!instance) {
    instance = calloc(1, sizeof(Instance));
    if (!instance || !(instance->parser = ts_parser_new())) {
      free(instance);
      free(text);
      return fail(env, "out of memory");
    }
    napi_set_instance_data(env, instance, free_instance, NULL);
  }
  if (!ts_parser_set_language(instance->parser, language)) {
    free(text);
    return fail(env, "tree-sitter language version not supported");
  }
  TSTree *tree = ts_parser_parse_string_encoding(instance->parser, NULL, (const char *)text, (uint32_t)(length * sizeof(char16_t)), TSInputEncodingUTF16LE);
  free(text);
  if (!tree) return fail(env, "parse failed");

  Records records = {0};
  int ok = walk(tree, flags, count, &records);
  TSNode root = ts_tree_root_node(tree);
  uint32_t error_line = UINT32_MAX;
  if (ok && ts_node_has_error(root)) {
    first_error(root, 0, &error_line);
    if (error_line == UINT32_MAX) error_line = 1; // an error only a hidden node holds (a missing newline)
  }
  ts_tree_delete(tree);
  if (!ok) {
    free(records.data);
    return fail(env, "out of memory");
  }

  napi_value buffer, array, result, line;
  void *bytes = NULL;
  napi_create_arraybuffer(env, records.length * sizeof(int32_t), &bytes, &buffer);
  if (records.length) memcpy(bytes, records.data, records.length * sizeof(int32_t));
  free(records.data);
  napi_create_typedarray(env, napi_int32_array, records.length, buffer, 0, &array);
  napi_create_uint32(env, error_line == UINT32_MAX ? 0 : error_line, &line);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "records", array);
  napi_set_named_property(env, result, "errorLine", line);
  return result;
}

/* symbols(language): { names: string[], named: boolean[], fields: (string|null)[] }, by id. */
static napi_value symbols(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool tagged = false;
  void *language = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_check_object_type_tag(env, argv[0], &LANGUAGE_TYPE_TAG, &tagged) != napi_ok || !tagged || napi_get_value_external(env, argv[0], &language) != napi_ok) return fail(env, "not a tree-sitter language");
  const TSLanguage *lang = language;
  uint32_t count = ts_language_symbol_count(lang);
  uint32_t field_count = ts_language_field_count(lang);
  napi_value names, named, fields, result;
  napi_create_array_with_length(env, count, &names);
  napi_create_array_with_length(env, count, &named);
  napi_create_array_with_length(env, field_count + 1, &fields);
  for (uint32_t i = 0; i < count; i++) {
    napi_value name, flag;
    napi_create_string_utf8(env, ts_language_symbol_name(lang, (TSSymbol)i), NAPI_AUTO_LENGTH, &name);
    napi_get_boolean(env, ts_language_symbol_type(lang, (TSSymbol)i) == TSSymbolTypeRegular, &flag);
    napi_set_element(env, names, i, name);
    napi_set_element(env, named, i, flag);
  }
  for (uint32_t i = 0; i <= field_count; i++) {
    napi_value name;
    const char *text = i ? ts_language_field_name_for_id(lang, (TSFieldId)i) : NULL;
    if (text) napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &name);
    else napi_get_null(env, &name);
    napi_set_element(env, fields, i, name);
  }
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "names", names);
  napi_set_named_property(env, result, "named", named);
  napi_set_named_property(env, result, "fields", fields);
  return result;
}

/*
 * trim(): gives back to the system the memory that parsing freed. glibc keeps freed blocks for reuse by default,
 * and the trees of a large service's biggest files leave tens of megabytes that a scan never needs again.
 */
static napi_value trim(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"parse", NULL, parse, NULL, NULL, NULL, napi_default, NULL},
      {"symbols", NULL, symbols, NULL, NULL, NULL, napi_default, NULL},
      {"trim", NULL, trim, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, methods);
  return exports;
}
