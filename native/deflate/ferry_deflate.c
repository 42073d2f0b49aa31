/*
 * Whole-block gzip compression with libdeflate, run in the libuv threadpool.
 *
 * ferry compresses layers as independent gzip members of a few MiB (parallelCompress),
 * so libdeflate's whole-buffer API is all it needs, and it is several times faster than
 * zlib at the same output size (docs/decisions.md). One call: gzip(block, level) returns
 * a Promise of a Buffer holding one complete gzip member (mtime 0, no name).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * A compressor and a scratch buffer of the output bound, reused from block to block so no
 * block-sized malloc is made and freed per block. They live in a process-wide idle list,
 * not per threadpool thread: JavaScript runs at most one job per core, but all of libuv's
 * threads take turns, and with one set per thread (and each thread's malloc arena) a
 * zstd -> gzip copy on 2 cores peaked ~6 MB higher (docs/decisions.md). A job keeps its
 * set until complete() has copied the output out of the scratch, so the output needs no
 * malloc of its own either.
 */
typedef struct ctx {
  struct libdeflate_compressor *compressor;
  int level;
  uint8_t *scratch;
  size_t scratch_size;
  struct ctx *next;
} ctx_t;

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static ctx_t *idle;

static ctx_t *take_ctx(void) {
  pthread_mutex_lock(&idle_lock);
  ctx_t *c = idle;
  if (c != NULL) idle = c->next;
  pthread_mutex_unlock(&idle_lock);
  if (c == NULL && (c = calloc(1, sizeof *c)) != NULL) c->level = -1;
  return c;
}

static void give_ctx(ctx_t *c) {
  if (c == NULL) return;
  pthread_mutex_lock(&idle_lock);
  c->next = idle;
  idle = c;
  pthread_mutex_unlock(&idle_lock);
}

typedef struct {
  ctx_t *ctx;
  napi_async_work work;
  napi_deferred deferred;
  napi_ref input;
  const uint8_t *in;
  size_t in_len;
  int level;
  uint8_t *out;
  size_t out_len;
  const char *error;
} job_t;

/*
 * The output, about a third of a block, is copied into a JavaScript Buffer on the main
 * thread: V8 counts that memory, where an external buffer freed by a finaliser is memory
 * the GC does not see (peak RSS grew with it).
 */
static void execute(napi_env env, void *data) {
  (void)env;
  job_t *job = data;
  ctx_t *c = job->ctx = take_ctx();
  if (c == NULL) {
    job->error = "out of memory";
    return;
  }
  if (c->level != job->level) {
    if (c->compressor != NULL) libdeflate_free_compressor(c->compressor);
    c->compressor = libdeflate_alloc_compressor(job->level);
    c->level = c->compressor != NULL ? job->level : -1;
  }
  if (c->compressor == NULL) {
    job->error = "libdeflate could not allocate a compressor";
    return;
  }
  size_t bound = libdeflate_gzip_compress_bound(c->compressor, job->in_len);
  if (c->scratch_size < bound) {
    free(c->scratch);
    c->scratch = malloc(bound);
    c->scratch_size = c->scratch != NULL ? bound : 0;
  }
  if (c->scratch == NULL) {
    job->error = "out of memory";
    return;
  }
  size_t n = libdeflate_gzip_compress(c->compressor, job->in, job->in_len, c->scratch, bound);
  if (n == 0) {
    job->error = "libdeflate: compressed output exceeds its bound";
    return;
  }
  /* the job holds c until complete() has copied the output */
  job->out = c->scratch;
  job->out_len = n;
}

static void complete(napi_env env, napi_status status, void *data) {
  job_t *job = data;
  napi_value result;
  if (status == napi_ok && job->error == NULL &&
      napi_create_buffer_copy(env, job->out_len, job->out, NULL, &result) == napi_ok) {
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    const char *text = job->error != NULL ? job->error
                       : status == napi_cancelled ? "compression cancelled"
                                                  : "could not hand the output to JavaScript";
    napi_value message, error;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  give_ctx(job->ctx);
  napi_delete_reference(env, job->input);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* gzip(input: Uint8Array, level: number): Promise<Buffer> */
static napi_value gzip(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    return throw_type(env, "gzip(input, level) needs two arguments");
  }
  bool typed = false;
  napi_is_typedarray(env, argv[0], &typed);
  if (!typed) return throw_type(env, "input must be a Uint8Array");
  napi_typedarray_type type;
  size_t length;
  void *bytes;
  napi_get_typedarray_info(env, argv[0], &type, &length, &bytes, NULL, NULL);
  if (type != napi_uint8_array) return throw_type(env, "input must be a Uint8Array");
  int32_t level;
  if (napi_get_value_int32(env, argv[1], &level) != napi_ok || level < 0 || level > 12) {
    return throw_type(env, "level must be an integer from 0 to 12");
  }

  job_t *job = calloc(1, sizeof(job_t));
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->in = bytes;
  job->in_len = length;
  job->level = level;
  /* the input must outlive the threadpool's use of it */
  napi_create_reference(env, argv[0], 1, &job->input);
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "ferry:libdeflate-gzip", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "gzip", NAPI_AUTO_LENGTH, gzip, NULL, &fn);
  napi_set_named_property(env, exports, "gzip", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
