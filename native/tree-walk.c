/*
 * Parses Python text and returns the tree as flat records in one call: reading a tree through tree-sitter's
 * Node.js API costs three to five native calls per node, about as much as parsing. Records are five int32s
 * per node kept, in pre-order: symbol, field id, start and end (UTF-16 code units, as JavaScript indexes text)
 * and the number of kept children. A node whose symbol is flagged SKIP is left out with its subtree; one
 * flagged LEAF is kept without its children. Read by src/python/syntax.ts (nativeParse).
 */
#include <node_api.h>
#include <pthread.h>
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

/* The call's first `count` arguments, in argv; 0 (with an exception pending) when fewer were given. */
static int arguments(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *usage) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= count) return 1;
  fail(env, usage);
  return 0;
}

/* A parsed text: its records and first error line (UINT32_MAX when none); ok 0 when memory ran out. */
typedef struct {
  Records records;
  uint32_t error_line;
  int ok;
} Parsed;

/* Parses UTF-16 text with `parser` (language set) and walks its tree into records. */
static Parsed parse_text(TSParser *parser, const char16_t *text, size_t length, const uint8_t *flags, size_t count) {
  Parsed parsed = {{0}, UINT32_MAX, 0};
  TSTree *tree = ts_parser_parse_string_encoding(parser, NULL, (const char *)text, (uint32_t)(length * sizeof(char16_t)), TSInputEncodingUTF16LE);
  if (!tree) return parsed;
  parsed.ok = walk(tree, flags, count, &parsed.records);
  TSNode root = ts_tree_root_node(tree);
  if (parsed.ok && ts_node_has_error(root)) {
    first_error(root, 0, &parsed.error_line);
    if (parsed.error_line == UINT32_MAX) parsed.error_line = 1; // an error only a hidden node holds (a missing newline)
  }
  ts_tree_delete(tree);
  if (!parsed.ok) free(parsed.records.data);
  return parsed;
}

/* { records: Int32Array, errorLine: number } from a parse, whose records it frees. */
static napi_value parsed_value(napi_env env, Parsed *parsed) {
  if (!parsed->ok) return fail(env, "out of memory");
  napi_value buffer, array, result, line;
  void *bytes = NULL;
  napi_create_arraybuffer(env, parsed->records.length * sizeof(int32_t), &bytes, &buffer);
  if (parsed->records.length) memcpy(bytes, parsed->records.data, parsed->records.length * sizeof(int32_t));
  free(parsed->records.data);
  napi_create_typedarray(env, napi_int32_array, parsed->records.length, buffer, 0, &array);
  napi_create_uint32(env, parsed->error_line == UINT32_MAX ? 0 : parsed->error_line, &line);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "records", array);
  napi_set_named_property(env, result, "errorLine", line);
  return result;
}

/* The language external in argv[0] and the flags array in argv[1]; NULL (with an exception pending) when they are not. */
static const TSLanguage *language_and_flags(napi_env env, napi_value *argv, uint8_t **flags, size_t *count) {
  bool tagged = false;
  void *language = NULL;
  if (napi_check_object_type_tag(env, argv[0], &LANGUAGE_TYPE_TAG, &tagged) != napi_ok || !tagged || napi_get_value_external(env, argv[0], &language) != napi_ok) {
    fail(env, "not a tree-sitter language");
    return NULL;
  }
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, argv[1], &type, count, (void **)flags, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    fail(env, "flags must be a Uint8Array");
    return NULL;
  }
  return language;
}

/* A copy of a JavaScript string as UTF-16, or NULL (with an exception pending). */
static char16_t *utf16_copy(napi_env env, napi_value value, size_t *length) {
  if (napi_get_value_string_utf16(env, value, NULL, 0, length) != napi_ok) {
    fail(env, "text must be a string");
    return NULL;
  }
  char16_t *text = malloc((*length + 1) * sizeof(char16_t));
  if (!text) {
    fail(env, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf16(env, value, text, *length + 1, length);
  return text;
}

/* parse(text, language, flags): { records: Int32Array, errorLine: number }, errorLine 0 when the tree has no error. */
static napi_value parse(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!arguments(env, info, 3, argv, "parse(text, language, flags)")) return NULL;
  uint8_t *flags = NULL;
  size_t count = 0;
  const TSLanguage *language = language_and_flags(env, argv + 1, &flags, &count);
  if (!language) return NULL;
  size_t length = 0;
  char16_t *text = utf16_copy(env, argv[0], &length);
  if (!text) return NULL;

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
  Parsed parsed = parse_text(instance->parser, text, length, flags, count);
  free(text);
  return parsed_value(env, &parsed);
}

/*
 * Parsing ahead on a thread of its own: texts are submitted in the order they will be taken, the thread parses
 * them one after another, and take() returns the oldest submitted one's records, waiting for it if need be. The
 * main thread meanwhile builds facts from the records of the texts before: parsing is a third of a cold scan.
 */
typedef struct Job {
  char16_t *text;
  size_t length;
  Parsed parsed;
  int done;
  struct Job *next;
} Job;

typedef struct {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t submitted; // a job came, or the thread is to stop
  pthread_cond_t finished; // a job is done
  Job *oldest, *newest, *unparsed;
  int stopping, started;
  TSParser *parser;
  uint8_t *flags;
  size_t count;
} Ahead;

static void *parse_ahead(void *data) {
  Ahead *ahead = data;
  pthread_mutex_lock(&ahead->lock);
  for (;;) {
    while (!ahead->stopping && !ahead->unparsed) pthread_cond_wait(&ahead->submitted, &ahead->lock);
    if (ahead->stopping) break;
    Job *job = ahead->unparsed;
    pthread_mutex_unlock(&ahead->lock);
    job->parsed = parse_text(ahead->parser, job->text, job->length, ahead->flags, ahead->count);
    free(job->text);
    job->text = NULL;
    pthread_mutex_lock(&ahead->lock);
    job->done = 1;
    ahead->unparsed = job->next;
    pthread_cond_signal(&ahead->finished);
  }
  pthread_mutex_unlock(&ahead->lock);
  return NULL;
}

static void free_job(Job *job) {
  free(job->text);
  if (job->done && job->parsed.ok) free(job->parsed.records.data);
  free(job);
}

/* Stops the thread (after the text it is parsing) and frees what was not taken; the handle's finalizer too. */
static void stop_ahead(Ahead *ahead) {
  if (ahead->started) {
    pthread_mutex_lock(&ahead->lock);
    ahead->stopping = 1;
    pthread_cond_signal(&ahead->submitted);
    pthread_mutex_unlock(&ahead->lock);
    pthread_join(ahead->thread, NULL);
    ahead->started = 0;
  }
  while (ahead->oldest) {
    Job *next = ahead->oldest->next;
    free_job(ahead->oldest);
    ahead->oldest = next;
  }
  ahead->newest = ahead->unparsed = NULL;
}

static void free_ahead(napi_env env, void *data, void *hint) {
  Ahead *ahead = data;
  stop_ahead(ahead);
  pthread_mutex_destroy(&ahead->lock);
  pthread_cond_destroy(&ahead->submitted);
  pthread_cond_destroy(&ahead->finished);
  ts_parser_delete(ahead->parser);
  free(ahead->flags);
  free(ahead);
}

// The tag on handles startAhead made: another external passed as one is refused, not read as one.
static const napi_type_tag AHEAD_TYPE_TAG = {0x61706970F0578E11, 0x2A3B4C5D6E7F8091};

static Ahead *ahead_of(napi_env env, napi_value value) {
  bool tagged = false;
  void *ahead = NULL;
  if (napi_check_object_type_tag(env, value, &AHEAD_TYPE_TAG, &tagged) != napi_ok || !tagged || napi_get_value_external(env, value, &ahead) != napi_ok || !ahead) {
    fail(env, "not a parse-ahead handle");
    return NULL;
  }
  return ahead;
}

/* startAhead(language, flags): a handle whose thread parses what is submitted to it. */
static napi_value start_ahead(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!arguments(env, info, 2, argv, "startAhead(language, flags)")) return NULL;
  uint8_t *flags = NULL;
  size_t count = 0;
  const TSLanguage *language = language_and_flags(env, argv, &flags, &count);
  if (!language) return NULL;
  Ahead *ahead = calloc(1, sizeof(Ahead));
  if (!ahead || !(ahead->flags = malloc(count ? count : 1)) || !(ahead->parser = ts_parser_new())) {
    if (ahead) free(ahead->flags);
    free(ahead);
    return fail(env, "out of memory");
  }
  memcpy(ahead->flags, flags, count);
  ahead->count = count;
  pthread_mutex_init(&ahead->lock, NULL);
  pthread_cond_init(&ahead->submitted, NULL);
  pthread_cond_init(&ahead->finished, NULL);
  if (!ts_parser_set_language(ahead->parser, language)) {
    free_ahead(env, ahead, NULL);
    return fail(env, "tree-sitter language version not supported");
  }
  napi_value handle;
  if (napi_create_external(env, ahead, free_ahead, NULL, &handle) != napi_ok) {
    free_ahead(env, ahead, NULL);
    return fail(env, "out of memory");
  }
  // From here on the handle's finalizer frees it.
  if (napi_type_tag_object(env, handle, &AHEAD_TYPE_TAG) != napi_ok) return fail(env, "the parse-ahead handle cannot be tagged");
  if (pthread_create(&ahead->thread, NULL, parse_ahead, ahead) != 0) return fail(env, "no thread to parse ahead on");
  ahead->started = 1;
  return handle;
}

/* submit(handle, text): queues a copy of the text to be parsed. */
static napi_value submit(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!arguments(env, info, 2, argv, "submit(handle, text)")) return NULL;
  Ahead *ahead = ahead_of(env, argv[0]);
  if (!ahead) return NULL;
  if (!ahead->started) return fail(env, "parsing ahead was stopped");
  Job *job = calloc(1, sizeof(Job));
  if (!job) return fail(env, "out of memory");
  if (!(job->text = utf16_copy(env, argv[1], &job->length))) {
    free(job);
    return NULL;
  }
  pthread_mutex_lock(&ahead->lock);
  if (ahead->newest) ahead->newest->next = job;
  else ahead->oldest = job;
  ahead->newest = job;
  if (!ahead->unparsed) ahead->unparsed = job;
  pthread_cond_signal(&ahead->submitted);
  pthread_mutex_unlock(&ahead->lock);
  return NULL;
}

/* take(handle): the oldest submitted text's { records, errorLine }, as parse() gives them. */
static napi_value take(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!arguments(env, info, 1, argv, "take(handle)")) return NULL;
  Ahead *ahead = ahead_of(env, argv[0]);
  if (!ahead) return NULL;
  pthread_mutex_lock(&ahead->lock);
  Job *job = ahead->oldest;
  while (job && !job->done) pthread_cond_wait(&ahead->finished, &ahead->lock);
  if (job) {
    ahead->oldest = job->next;
    if (!ahead->oldest) ahead->newest = NULL;
  }
  pthread_mutex_unlock(&ahead->lock);
  if (!job) return fail(env, "nothing submitted to take");
  Parsed parsed = job->parsed;
  job->done = 0; // its records are now the result's
  free_job(job);
  return parsed_value(env, &parsed);
}

/* stop(handle): ends the handle's thread now rather than when the handle is collected. */
static napi_value stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!arguments(env, info, 1, argv, "stop(handle)")) return NULL;
  Ahead *ahead = ahead_of(env, argv[0]);
  if (ahead) stop_ahead(ahead);
  return NULL;
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
      {"startAhead", NULL, start_ahead, NULL, NULL, NULL, napi_default, NULL},
      {"submit", NULL, submit, NULL, NULL, NULL, napi_default, NULL},
      {"take", NULL, take, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, stop, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 7, methods);
  return exports;
}
