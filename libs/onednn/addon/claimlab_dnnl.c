/*
 * claimlab_dnnl: NHWC convolutions on oneDNN (Debian: libdnnl-dev, oneDNN 2.x with its OpenMP
 * runtime) for Float32Array memory, views of the tfjs wasm heap included.
 *
 * Exports
 *   conv2d(kind, geom, A, B, out, bias, activation, alpha) -> boolean
 *       The same arguments as claimlab_blas's conv2d (libs/native), so either can serve the
 *       wasm backend's convolution kernels: geom = [batch, inH, inW, inC, outH, outW, outC, fh,
 *       fw, strideH, strideW, dilationH, dilationW, padTop, padLeft]; kind 0: out = conv(A = x,
 *       B = filter [fh, fw, inC, outC]) + bias, then the activation (0 linear, 1 relu, 2 relu6,
 *       3 leaky relu with alpha); kind 1: out = dx from A = dy, B = filter; kind 2: out = dW
 *       (HWIO) from A = x, B = dy. Returns true when it ran, false (nothing written) when
 *       oneDNN has only its reference implementation for this geometry ("ref" is far slower
 *       than im2col + sgemm) or the geometry hits a known oneDNN bug (strided 1x1 filter
 *       gradients, see conv_create): the caller then uses another kernel.
 *   convImpl(kind, geom, hasBias, activation, alpha) -> string
 *       The implementation oneDNN chose for that convolution (e.g. "jit:avx2"), "ref:..." or
 *       "declined: ..." (then conv2d returns false).
 *   setThreads(n) / getThreads()   OpenMP threads of this process (omp_set_num_threads).
 *   info() -> { version, cpuRuntime, napiVersion, cachedPrimitives, isa, isaSource }
 *
 * Why a cache: creating a oneDNN primitive JIT-compiles code (milliseconds), so every distinct
 * (kind, geometry, bias, activation) gets its primitives once and keeps them. Activations stay
 * in NHWC, as tfjs keeps them; weights are handed to oneDNN in the layout it prefers (a blocked
 * one, reached from tfjs's HWIO by a reorder each call; dW is reordered back to HWIO), because
 * with HWIO weights oneDNN 2.6 picks a GEMM path no faster than im2col + sgemm (bench/README).
 * Each operand that needs a reorder gets it through the same Operand record.
 *
 * Determinism: oneDNN gives the same bits run to run for a fixed library build, CPU ISA and
 * thread count. The thread count is 1 unless setThreads says otherwise. The ISA is capped at
 * AVX2 unless oneDNN's own ONEDNN_MAX_CPU_ISA is set: its AVX-512 convolutions round
 * differently, so without the cap an AVX-512 host would compute other bits than an AVX2 one
 * (the committed tables hold AVX2 bits). info().isa is the ISA in effect.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <oneapi/dnnl/dnnl.h>

#include <omp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_CODE "ERR_CLAIMLAB_DNNL"

#define NAPI_CALL(env, call)                                                                      \
  do {                                                                                            \
    napi_status status_ = (call);                                                                 \
    if (status_ != napi_ok) {                                                                     \
      bool pending_ = false;                                                                      \
      napi_is_exception_pending((env), &pending_);                                                \
      if (!pending_) napi_throw_error((env), ERR_CODE, "claimlab_dnnl: N-API call failed: " #call); \
      return NULL;                                                                                \
    }                                                                                             \
  } while (0)

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, ERR_CODE, msg);
  return NULL;
}

static napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, ERR_CODE, msg);
  return NULL;
}

/* ---- engine -------------------------------------------------------------------------- */
static dnnl_engine_t engine = NULL;
static dnnl_stream_t stream = NULL;

static dnnl_status_t ensure_engine(void) {
  dnnl_status_t s = dnnl_success;
  if (engine == NULL) s = dnnl_engine_create(&engine, dnnl_cpu, 0);
  if (s == dnnl_success && stream == NULL) s = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags);
  return s;
}

/* ---- cached convolutions ------------------------------------------------------------- */
typedef struct {
  int b, ih, iw, ic, oh, ow, oc, fh, fw, sh, sw, dh, dw, pt, pl;
} Geom;

/* One argument of a convolution: the caller's memory (its handle set per call) and, where the
 * primitive wants another layout, oneDNN's copy with the reorder between them. */
typedef struct {
  int arg;                   /* DNNL_ARG_* */
  bool output;
  dnnl_memory_t user, inner; /* inner is NULL when the layouts agree */
  dnnl_primitive_t reorder;  /* user -> inner for inputs, inner -> user for the output */
} Operand;

typedef struct Conv {
  int kind, act, has_bias;
  float alpha;
  Geom g;
  bool declined;            /* left to the caller: only oneDNN's reference implementation, or a known bug */
  dnnl_primitive_t prim;    /* the convolution */
  int n;                    /* operands in use */
  Operand op[4];            /* A, B, out and (kind 0 with a bias) the bias, in that order */
  char impl[96];
  struct Conv *next;
} Conv;

static Conv *cache = NULL;
static int cache_size = 0;
/* More distinct shapes than this in one process is unusual; past it the cache starts afresh. */
#define CACHE_MAX 512

static void conv_free(Conv *c) {
  if (c->prim) dnnl_primitive_destroy(c->prim);
  for (int i = 0; i < 4; i++) {
    if (c->op[i].reorder) dnnl_primitive_destroy(c->op[i].reorder);
    if (c->op[i].user) dnnl_memory_destroy(c->op[i].user);
    if (c->op[i].inner) dnnl_memory_destroy(c->op[i].inner);
  }
  free(c);
}

static void cache_clear(void) {
  while (cache) {
    Conv *n = cache->next;
    conv_free(cache);
    cache = n;
  }
  cache_size = 0;
}

/* tfjs pads top/left explicitly; oneDNN also needs bottom/right, which follow from the output size.
 * A negative value (a stride that skips the last rows) is the same output with 0. */
static int64_t pad_end(int in, int out, int k, int s, int d, int p0) {
  int64_t r = (int64_t)(out - 1) * s + (int64_t)(k - 1) * d + 1 - in - p0;
  return r < 0 ? 0 : r;
}

#define TRY(f)                         \
  do {                                 \
    st = (f);                          \
    if (st != dnnl_success) goto fail; \
  } while (0)

/* Sets up operand `o`: the caller's layout `user`, the primitive's `want`. */
static dnnl_status_t operand_init(Operand *o, int arg, bool output, const dnnl_memory_desc_t *user,
                                  const dnnl_memory_desc_t *want) {
  dnnl_status_t st;
  dnnl_primitive_desc_t rpd = NULL;
  o->arg = arg;
  o->output = output;
  TRY(dnnl_memory_create(&o->user, user, engine, DNNL_MEMORY_NONE));
  if (!dnnl_memory_desc_equal(user, want)) {
    TRY(dnnl_memory_create(&o->inner, want, engine, DNNL_MEMORY_ALLOCATE));
    if (output)
      TRY(dnnl_reorder_primitive_desc_create(&rpd, want, engine, user, engine, NULL));
    else
      TRY(dnnl_reorder_primitive_desc_create(&rpd, user, engine, want, engine, NULL));
    TRY(dnnl_primitive_create(&o->reorder, rpd));
  }
fail:
  if (rpd) dnnl_primitive_desc_destroy(rpd);
  return st;
}

/* Builds the primitives of one convolution. Returns NULL and sets *status on failure. */
static Conv *conv_create(int kind, const Geom *g, int has_bias, int act, float alpha, dnnl_status_t *status) {
  dnnl_status_t st = dnnl_success;
  Conv *c = calloc(1, sizeof *c);
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t ops = NULL;
  dnnl_primitive_desc_t fwd = NULL, pd = NULL;
  if (c == NULL) {
    *status = dnnl_out_of_memory;
    return NULL;
  }
  c->kind = kind;
  c->g = *g;
  c->has_bias = has_bias;
  c->act = act;
  c->alpha = alpha;
  TRY(ensure_engine());

  dnnl_dims_t src_dims = {g->b, g->ic, g->ih, g->iw}, dst_dims = {g->b, g->oc, g->oh, g->ow};
  dnnl_dims_t w_dims = {g->oc, g->ic, g->fh, g->fw}, bias_dims = {g->oc};
  dnnl_dims_t strides = {g->sh, g->sw}, dil = {g->dh - 1, g->dw - 1};
  dnnl_dims_t pad_l = {g->pt, g->pl};
  dnnl_dims_t pad_r = {pad_end(g->ih, g->oh, g->fh, g->sh, g->dh, g->pt), pad_end(g->iw, g->ow, g->fw, g->sw, g->dw, g->pl)};
  /* Activations in NHWC: with blocked activations (reordered each call) the 128-channel batch-1
   * convolutions of the hourglass were no faster, and the 16-64-channel ones of ResNet-20 slower. */
  dnnl_memory_desc_t src, dst, w_any, w_hwio, bias;
  TRY(dnnl_memory_desc_init_by_tag(&src, 4, src_dims, dnnl_f32, dnnl_nhwc));
  TRY(dnnl_memory_desc_init_by_tag(&dst, 4, dst_dims, dnnl_f32, dnnl_nhwc));
  TRY(dnnl_memory_desc_init_by_tag(&w_any, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
  TRY(dnnl_memory_desc_init_by_tag(&w_hwio, 4, w_dims, dnnl_f32, dnnl_hwio));
  TRY(dnnl_memory_desc_init_by_tag(&bias, 1, bias_dims, dnnl_f32, dnnl_x));

  dnnl_convolution_desc_t fd;
  TRY(dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &src, &w_any,
                                                 has_bias ? &bias : NULL, &dst, strides, dil, pad_l, pad_r));
  if (kind == 0 && act != 0) {
    TRY(dnnl_primitive_attr_create(&attr));
    TRY(dnnl_post_ops_create(&ops));
    if (act == 1) TRY(dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
    if (act == 2) TRY(dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f));
    if (act == 3) TRY(dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, alpha, 0.0f));
    TRY(dnnl_primitive_attr_set_post_ops(attr, ops));
  }
  TRY(dnnl_primitive_desc_create(&fwd, &fd, attr, engine, NULL));
  if (kind == 0) {
    pd = fwd;
    fwd = NULL;
  } else if (kind == 1) {
    dnnl_convolution_desc_t bd;
    TRY(dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &src, &w_any, &dst, strides,
                                                         dil, pad_l, pad_r));
    TRY(dnnl_primitive_desc_create(&pd, &bd, NULL, engine, fwd));
  } else {
    dnnl_convolution_desc_t wd;
    TRY(dnnl_dilated_convolution_backward_weights_desc_init(&wd, dnnl_convolution_direct, &src, &w_any, NULL, &dst,
                                                            strides, dil, pad_l, pad_r));
    TRY(dnnl_primitive_desc_create(&pd, &wd, NULL, engine, fwd));
  }
  const char *impl = NULL;
  TRY(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
  snprintf(c->impl, sizeof c->impl, "%s", impl ? impl : "?");
  c->declined = strncmp(c->impl, "ref", 3) == 0;
  /* oneDNN 2.6's jit_1x1 backward-weights with a stride (its "reduce to unit stride" path) on NHWC
   * writes past its workspace when the input channels are fewer than its block (8 on AVX2): heap
   * corruption, found by the MALLOC_CHECK_ sweep in test/onednn.test.ts (oneDNN issue 6035). Every
   * strided 1x1 filter gradient is declined: cheap on im2col + sgemm (no im2col for 1x1). */
  if (kind == 2 && g->fh == 1 && g->fw == 1 && (g->sh > 1 || g->sw > 1) && strncmp(c->impl, "jit_1x1", 7) == 0) {
    snprintf(c->impl, sizeof c->impl, "declined: %s strided 1x1 filter gradient (oneDNN issue 6035)", impl ? impl : "?");
    c->declined = true;
  }
  if (!c->declined) {
    TRY(dnnl_primitive_create(&c->prim, pd));
#define MD(q) dnnl_primitive_desc_query_md(pd, (q), 0)
    if (kind == 0) {
      TRY(operand_init(&c->op[0], DNNL_ARG_SRC, false, &src, MD(dnnl_query_src_md)));
      TRY(operand_init(&c->op[1], DNNL_ARG_WEIGHTS, false, &w_hwio, MD(dnnl_query_weights_md)));
      TRY(operand_init(&c->op[2], DNNL_ARG_DST, true, &dst, MD(dnnl_query_dst_md)));
      if (has_bias) TRY(operand_init(&c->op[3], DNNL_ARG_BIAS, false, &bias, &bias));
    } else if (kind == 1) {
      TRY(operand_init(&c->op[0], DNNL_ARG_DIFF_DST, false, &dst, MD(dnnl_query_diff_dst_md)));
      TRY(operand_init(&c->op[1], DNNL_ARG_WEIGHTS, false, &w_hwio, MD(dnnl_query_weights_md)));
      TRY(operand_init(&c->op[2], DNNL_ARG_DIFF_SRC, true, &src, MD(dnnl_query_diff_src_md)));
    } else {
      TRY(operand_init(&c->op[0], DNNL_ARG_SRC, false, &src, MD(dnnl_query_src_md)));
      TRY(operand_init(&c->op[1], DNNL_ARG_DIFF_DST, false, &dst, MD(dnnl_query_diff_dst_md)));
      TRY(operand_init(&c->op[2], DNNL_ARG_DIFF_WEIGHTS, true, &w_hwio, MD(dnnl_query_diff_weights_md)));
    }
#undef MD
    c->n = kind == 0 && has_bias ? 4 : 3;
  }
  goto done;
fail:
  conv_free(c);
  c = NULL;
done:
  if (fwd) dnnl_primitive_desc_destroy(fwd);
  if (pd) dnnl_primitive_desc_destroy(pd);
  if (attr) dnnl_primitive_attr_destroy(attr);
  if (ops) dnnl_post_ops_destroy(ops);
  *status = st;
  return c;
}

static Conv *conv_get(int kind, const Geom *g, int has_bias, int act, float alpha, dnnl_status_t *status) {
  for (Conv *c = cache; c; c = c->next) {
    if (c->kind == kind && c->has_bias == has_bias && c->act == act && (act != 3 || c->alpha == alpha) &&
        memcmp(&c->g, g, sizeof *g) == 0)
      return c;
  }
  if (cache_size >= CACHE_MAX) cache_clear();
  Conv *c = conv_create(kind, g, has_bias, act, act == 3 ? alpha : 0.0f, status);
  if (c) {
    c->next = cache;
    cache = c;
    cache_size++;
  }
  return c;
}

static dnnl_status_t run_reorder(Operand *o) {
  dnnl_exec_arg_t r[] = {{DNNL_ARG_FROM, o->output ? o->inner : o->user}, {DNNL_ARG_TO, o->output ? o->user : o->inner}};
  return dnnl_primitive_execute(o->reorder, stream, 2, r);
}

/* Runs a cached convolution on the caller's memory: data[i] is operand i's (A, B, out, bias). */
static dnnl_status_t conv_run(Conv *c, float *const data[4]) {
  dnnl_status_t st = dnnl_success;
  dnnl_exec_arg_t args[4];
  for (int i = 0; i < c->n; i++) {
    Operand *o = &c->op[i];
    TRY(dnnl_memory_set_data_handle(o->user, data[i]));
    if (o->reorder && !o->output) TRY(run_reorder(o));
    args[i] = (dnnl_exec_arg_t){o->arg, o->inner ? o->inner : o->user};
  }
  TRY(dnnl_primitive_execute(c->prim, stream, c->n, args));
  if (c->op[2].reorder) TRY(run_reorder(&c->op[2]));
  TRY(dnnl_stream_wait(stream));
fail:
  return st;
}

/* ---- argument checks ----------------------------------------------------------------- */
static int get_int(napi_env env, napi_value v, const char *name, int lo, int hi, int *out) {
  char msg[160];
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || d != (double)(int)d || d < lo || d > hi) {
    snprintf(msg, sizeof msg, "conv2d: %s must be an integer in [%d, %d]", name, lo, hi);
    throw_range(env, msg);
    return -1;
  }
  *out = (int)d;
  return 0;
}

static int get_f32(napi_env env, napi_value v, const char *name, float **data, size_t *length) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *ptr = NULL;
  char msg[160];
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, length, &ptr, NULL, NULL) != napi_ok || type != napi_float32_array) {
    snprintf(msg, sizeof msg, "conv2d: %s must be a Float32Array", name);
    throw_type(env, msg);
    return -1;
  }
  *data = (float *)ptr;
  return 0;
}

static bool is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
}

static int overlaps(const float *a, int64_t na, const float *b, int64_t nb) {
  if (na == 0 || nb == 0) return 0;
  uintptr_t a0 = (uintptr_t)a, a1 = a0 + (uintptr_t)na * sizeof(float);
  uintptr_t b0 = (uintptr_t)b, b1 = b0 + (uintptr_t)nb * sizeof(float);
  return a0 < b1 && b0 < a1;
}

/* Reads kind, geom, activation and alpha (argv[0], argv[1], argv[ia], argv[ia + 1]). */
static int get_conv_args(napi_env env, napi_value *argv, int ia, int *kind, Geom *g, int *act, float *alpha) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *gp = NULL;
  size_t glen = 0;
  double a;
  if (get_int(env, argv[0], "kind", 0, 2, kind) || get_int(env, argv[ia], "activation", 0, 3, act)) return -1;
  if (napi_get_value_double(env, argv[ia + 1], &a) != napi_ok) {
    throw_type(env, "conv2d: alpha must be a number");
    return -1;
  }
  *alpha = (float)a;
  if (napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[1], &type, &glen, &gp, NULL, NULL) != napi_ok || type != napi_int32_array ||
      glen != 15) {
    throw_type(env, "conv2d: geom must be an Int32Array of 15 entries");
    return -1;
  }
  memcpy(g, gp, sizeof *g);
  const int *gi = (const int *)gp;
  for (int i = 0; i < 15; i++) {
    const int lo = (i >= 9 && i <= 12) ? 1 : 0; /* strides and dilations >= 1 */
    if (gi[i] < lo) {
      throw_range(env, "conv2d: geom entries must be >= 0 (strides and dilations >= 1)");
      return -1;
    }
  }
  if (*kind != 0 && *act != 0) {
    throw_range(env, "conv2d: an activation is only for kind 0 (forward)");
    return -1;
  }
  return 0;
}

static napi_value make_bool(napi_env env, bool b) {
  napi_value v;
  NAPI_CALL(env, napi_get_boolean(env, b, &v));
  return v;
}

static napi_value throw_dnnl(napi_env env, const char *what, dnnl_status_t st, const Geom *g) {
  char msg[320];
  snprintf(msg, sizeof msg,
           "conv2d: oneDNN %s failed with status %d for batch %d, %dx%dx%d -> %dx%dx%d, filter %dx%d, stride %dx%d, "
           "dilation %dx%d, pad %d,%d",
           what, (int)st, g->b, g->ih, g->iw, g->ic, g->oh, g->ow, g->oc, g->fh, g->fw, g->sh, g->sw, g->dh, g->dw, g->pt,
           g->pl);
  return throw_range(env, msg);
}

/* ---- exports ------------------------------------------------------------------------- */
static napi_value Conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 8) return throw_type(env, "conv2d: expected 8 arguments (kind, geom, A, B, out, bias, activation, alpha)");
  int kind, act;
  float alpha;
  Geom g;
  if (get_conv_args(env, argv, 6, &kind, &g, &act, &alpha)) return NULL;
  float *A, *B, *out, *bias = NULL;
  size_t lenA, lenB, lenOut, lenBias = 0;
  if (get_f32(env, argv[2], "A", &A, &lenA) || get_f32(env, argv[3], "B", &B, &lenB) ||
      get_f32(env, argv[4], "out", &out, &lenOut))
    return NULL;
  if (!is_nullish(env, argv[5])) {
    if (kind != 0) return throw_type(env, "conv2d: bias is only for kind 0 (forward)");
    if (get_f32(env, argv[5], "bias", &bias, &lenBias)) return NULL;
    if ((int64_t)lenBias != g.oc) return throw_range(env, "conv2d: bias must have outC elements");
  }
  const int64_t nx = (int64_t)g.b * g.ih * g.iw * g.ic;
  const int64_t ny = (int64_t)g.b * g.oh * g.ow * g.oc;
  const int64_t nw = (int64_t)g.fh * g.fw * g.ic * g.oc;
  const int64_t need[3][3] = {{nx, nw, ny}, {ny, nw, nx}, {nx, ny, nw}};
  if ((int64_t)lenA != need[kind][0] || (int64_t)lenB != need[kind][1] || (int64_t)lenOut != need[kind][2]) {
    char msg[256];
    snprintf(msg, sizeof msg, "conv2d(kind %d): array sizes %zu, %zu, %zu do not match the geometry (%lld, %lld, %lld)",
             kind, lenA, lenB, lenOut, (long long)need[kind][0], (long long)need[kind][1], (long long)need[kind][2]);
    return throw_range(env, msg);
  }
  if (overlaps(out, need[kind][2], A, need[kind][0]) || overlaps(out, need[kind][2], B, need[kind][1]))
    return throw_range(env, "conv2d: out must not share memory with the inputs");
  if (nx == 0 || ny == 0 || nw == 0) return make_bool(env, false); /* empty: left to the caller's kernel */
  dnnl_status_t st = dnnl_success;
  Conv *c = conv_get(kind, &g, bias != NULL, act, alpha, &st);
  if (c == NULL) return throw_dnnl(env, "primitive creation", st, &g);
  if (c->declined) return make_bool(env, false);
  float *const data[4] = {A, B, out, bias};
  st = conv_run(c, data);
  if (st != dnnl_success) return throw_dnnl(env, "execution", st, &g);
  return make_bool(env, true);
}

static napi_value ConvImpl(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], v;
  bool has_bias;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 5) return throw_type(env, "convImpl: expected 5 arguments (kind, geom, hasBias, activation, alpha)");
  int kind, act;
  float alpha;
  Geom g;
  if (get_conv_args(env, argv, 3, &kind, &g, &act, &alpha)) return NULL;
  if (napi_get_value_bool(env, argv[2], &has_bias) != napi_ok) return throw_type(env, "convImpl: hasBias must be a boolean");
  if (kind != 0 && has_bias) return throw_type(env, "convImpl: bias is only for kind 0 (forward)");
  dnnl_status_t st = dnnl_success;
  Conv *c = conv_get(kind, &g, has_bias, act, alpha, &st);
  if (c == NULL) return throw_dnnl(env, "primitive creation", st, &g);
  NAPI_CALL(env, napi_create_string_utf8(env, c->impl, NAPI_AUTO_LENGTH, &v));
  return v;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int n;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1) return throw_type(env, "setThreads: expected 1 argument (n)");
  if (get_int(env, argv[0], "n", 1, 4096, &n)) return NULL;
  omp_set_num_threads(n);
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value out;
  (void)info;
  NAPI_CALL(env, napi_create_int32(env, omp_get_max_threads(), &out));
  return out;
}

/* Set by Init: "default" (capped at AVX2 here), "ONEDNN_MAX_CPU_ISA" (the user's), or why the cap failed. */
static const char *isa_source = "default";

static const char *isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

static napi_value Info(napi_env env, napi_callback_info info) {
  napi_value obj, v;
  char version[64];
  (void)info;
  const dnnl_version_t *ver = dnnl_version();
  snprintf(version, sizeof version, "%d.%d.%d (%s)", ver->major, ver->minor, ver->patch, ver->hash ? ver->hash : "?");
  NAPI_CALL(env, napi_create_object(env, &obj));
  NAPI_CALL(env, napi_create_string_utf8(env, version, NAPI_AUTO_LENGTH, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "version", v));
  NAPI_CALL(env, napi_create_string_utf8(env, ver->cpu_runtime == DNNL_RUNTIME_OMP ? "openmp" : "other", NAPI_AUTO_LENGTH, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "cpuRuntime", v));
  NAPI_CALL(env, napi_create_int32(env, NAPI_VERSION, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "napiVersion", v));
  NAPI_CALL(env, napi_create_int32(env, cache_size, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "cachedPrimitives", v));
  NAPI_CALL(env, napi_create_string_utf8(env, isa_name(dnnl_get_effective_cpu_isa()), NAPI_AUTO_LENGTH, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "isa", v));
  NAPI_CALL(env, napi_create_string_utf8(env, isa_source, NAPI_AUTO_LENGTH, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, "isaSource", v));
  return obj;
}

static napi_value Init(napi_env env, napi_value exports) {
  /* One thread per process unless setThreads says otherwise (sweeps run one process per core). */
  omp_set_num_threads(1);
  /* The same kernels on every x86 host with AVX2, whatever its newer extensions (see the top). */
  const char *user_isa = getenv("ONEDNN_MAX_CPU_ISA");
  if (user_isa != NULL && user_isa[0] != '\0') {
    isa_source = "ONEDNN_MAX_CPU_ISA";
  } else if (dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2) != dnnl_success) {
    isa_source = "default (the AVX2 cap was refused: oneDNN had already dispatched)";
  }
  napi_property_descriptor props[] = {
      {"conv2d", NULL, Conv2d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"convImpl", NULL, ConvImpl, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, Info, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
