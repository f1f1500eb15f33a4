/*
 * claimlab_blas: a minimal Node-API addon exposing OpenBLAS sgemm, and NHWC convolutions built
 * on it (im2col / col2im), on Float32Array memory (including views of the tfjs wasm heap).
 *
 * Exports
 *   sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) -> undefined
 *       C = alpha * op(A) @ op(B) + beta * C, all matrices row-major, op(X) = X or X^T.
 *       A, B, C are Float32Arrays used in place (no copies); C must not overlap A or B.
 *   conv2d(kind, geom, A, B, out, bias, activation, alpha) -> undefined   (see below)
 *   sumRows(x, rows, cols, out, scale) -> undefined                        (see below)
 *   batchNormGrad(x, dy, rows, cols, mean, variance, scale, eps, dx, dmean, dvar, dscale, doffset)
 *   moments(x, rows, cols, mean, variance)                                 (see below)
 *   batchNorm(x, rows, cols, mean, variance, scale, offset, eps, y)
 *   batchNormTrainingGrad(x, dy, rows, cols, mean, variance, scale, eps, dx, dscale, doffset)
 *   dgemm(transA, transB, M, N, K, A, B, C) -> undefined                   (see below)
 *   symmetricEigen(a, d, wantVectors, w) -> undefined                      (see below)
 *   setThreads(n) -> undefined      openblas_set_num_threads(n), n >= 1
 *   getThreads() -> number          openblas_get_num_threads()
 *   info() -> { config, corename, threads, parallel, napiVersion }
 *
 * Every argument is checked (types, integer ranges, leading dimensions, array lengths);
 * a bad call throws a JS TypeError/RangeError and never reaches BLAS.
 *
 * The OpenBLAS prototypes are declared here rather than taken from <cblas.h>, so the only
 * build requirement is the library itself (libopenblas0 at run time; libopenblas-dev for
 * the unversioned libopenblas.so link name). These match the LP64 (32-bit int) interface
 * of Debian's libopenblas; the ILP64 variant (libopenblas64) uses suffixed symbol names.
 */
#define NAPI_VERSION 8
#include <node_api.h>

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- OpenBLAS ------------------------------------------------------------------------ */
enum { CLB_RowMajor = 101, CLB_NoTrans = 111, CLB_Trans = 112 };
extern void cblas_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha,
                        const float *A, int lda, const float *B, int ldb, float beta, float *C,
                        int ldc);
extern void cblas_dgemm(int order, int transA, int transB, int M, int N, int K, double alpha,
                        const double *A, int lda, const double *B, int ldb, double beta, double *C,
                        int ldc);
/* LAPACK's divide-and-conquer symmetric eigensolver (OpenBLAS ships LAPACK). The two trailing
 * size_t arguments are the hidden lengths of the character arguments (gfortran's ABI). */
extern void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                    double *work, const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len,
                    size_t uplo_len);
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_parallel(void);

/* ---- helpers ------------------------------------------------------------------------- */
#define ERR_CODE "ERR_CLAIMLAB_BLAS"

/* Runs a napi call; on failure throws (unless an exception is already pending) and returns NULL. */
#define NAPI_CALL(env, call)                                                         \
  do {                                                                               \
    napi_status status_ = (call);                                                    \
    if (status_ != napi_ok) {                                                        \
      bool pending_ = false;                                                         \
      napi_is_exception_pending((env), &pending_);                                   \
      if (!pending_) napi_throw_error((env), ERR_CODE, "claimlab_blas: N-API call failed: " #call); \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, ERR_CODE, msg);
  return NULL;
}

static napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, ERR_CODE, msg);
  return NULL;
}

/* Reads a boolean argument. Returns 0 on success, -1 after throwing. */
static int get_bool(napi_env env, napi_value v, const char *fn, const char *name, bool *out) {
  napi_valuetype t;
  char msg[160];
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_boolean ||
      napi_get_value_bool(env, v, out) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: %s must be a boolean", fn, name);
    throw_type(env, msg);
    return -1;
  }
  return 0;
}

/* Reads an integer in [lo, INT_MAX]. Returns 0 on success, -1 after throwing. */
static int get_int(napi_env env, napi_value v, const char *fn, const char *name, int64_t lo, int *out) {
  napi_valuetype t;
  double d;
  char msg[200];
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number ||
      napi_get_value_double(env, v, &d) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: %s must be a number", fn, name);
    throw_type(env, msg);
    return -1;
  }
  if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)INT_MAX) {
    snprintf(msg, sizeof msg, "%s: %s must be an integer in [%lld, %d], got %g", fn, name,
             (long long)lo, INT_MAX, d);
    throw_range(env, msg);
    return -1;
  }
  *out = (int)d;
  return 0;
}

/* Reads a number (NaN/Inf pass through, as in BLAS). Returns 0 on success, -1 after throwing. */
static int get_float(napi_env env, napi_value v, const char *name, float *out) {
  napi_valuetype t;
  double d;
  char msg[160];
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number ||
      napi_get_value_double(env, v, &d) != napi_ok) {
    snprintf(msg, sizeof msg, "sgemm: %s must be a number", name);
    throw_type(env, msg);
    return -1;
  }
  *out = (float)d;
  return 0;
}

/* Reads a Float32Array. Returns 0 on success, -1 after throwing. */
static int get_f32(napi_env env, napi_value v, const char *name, float **data, size_t *length) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *ptr = NULL;
  size_t len = 0;
  char msg[160];
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &len, &ptr, NULL, NULL) != napi_ok ||
      type != napi_float32_array) {
    snprintf(msg, sizeof msg, "sgemm: %s must be a Float32Array", name);
    throw_type(env, msg);
    return -1;
  }
  /* ptr is already adjusted by the view's byteOffset; NULL for a zero-length/detached buffer. */
  *data = (float *)ptr;
  *length = len;
  return 0;
}

/* Reads a Float32Array of exactly `need` elements; null/undefined gives NULL when `optional`.
 * Returns 0 on success, -1 after throwing. */
static int get_f32_n(napi_env env, napi_value v, const char *fn, const char *name, int64_t need, int optional, float **data) {
  char msg[200];
  if (optional) {
    napi_valuetype t;
    if (napi_typeof(env, v, &t) != napi_ok) return -1;
    if (t == napi_null || t == napi_undefined) {
      *data = NULL;
      return 0;
    }
  }
  size_t len;
  if (get_f32(env, v, name, data, &len)) return -1;
  if ((int64_t)len != need) {
    snprintf(msg, sizeof msg, "%s: %s has %zu elements, needs %lld", fn, name, len, (long long)need);
    throw_range(env, msg);
    return -1;
  }
  return 0;
}

/* Reads a Float64Array of exactly `need` elements. Returns 0 on success, -1 after throwing. */
static int get_f64_n(napi_env env, napi_value v, const char *fn, const char *name, int64_t need, double **data) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *ptr = NULL;
  size_t len = 0;
  char msg[200];
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &type, &len, &ptr, NULL, NULL) != napi_ok ||
      type != napi_float64_array) {
    snprintf(msg, sizeof msg, "%s: %s must be a Float64Array", fn, name);
    throw_type(env, msg);
    return -1;
  }
  if ((int64_t)len != need) {
    snprintf(msg, sizeof msg, "%s: %s has %zu elements, needs %lld", fn, name, len, (long long)need);
    throw_range(env, msg);
    return -1;
  }
  *data = (double *)ptr;
  return 0;
}

/* Reads exactly `want` arguments into argv, then rows and cols from argv[ir] and argv[ir + 1].
 * Returns 0, or -1 after throwing. */
static int get_rows_cols(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *fn,
                         const char *usage, int ir, int *rows, int *cols) {
  size_t argc = want;
  char msg[240];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  if (argc != want) {
    snprintf(msg, sizeof msg, "%s: expected %zu arguments (%s)", fn, want, usage);
    throw_type(env, msg);
    return -1;
  }
  return get_int(env, argv[ir], fn, "rows", 0, rows) || get_int(env, argv[ir + 1], fn, "cols", 0, cols) ? -1 : 0;
}

/*
 * Elements a row-major rows x cols matrix with leading dimension ld spans:
 * (rows - 1) * ld + cols, or 0 when empty.
 */
static int64_t span(int rows, int cols, int ld) {
  if (rows == 0 || cols == 0) return 0;
  return (int64_t)(rows - 1) * (int64_t)ld + (int64_t)cols;
}

static int overlaps(const float *a, int64_t na, const float *b, int64_t nb) {
  if (na == 0 || nb == 0) return 0;
  uintptr_t a0 = (uintptr_t)a, a1 = a0 + (uintptr_t)na * sizeof(float);
  uintptr_t b0 = (uintptr_t)b, b1 = b0 + (uintptr_t)nb * sizeof(float);
  return a0 < b1 && b0 < a1;
}

static int f64_overlaps(const double *a, int64_t na, const double *b, int64_t nb) {
  if (na == 0 || nb == 0) return 0;
  uintptr_t a0 = (uintptr_t)a, a1 = a0 + (uintptr_t)na * sizeof(double);
  uintptr_t b0 = (uintptr_t)b, b1 = b0 + (uintptr_t)nb * sizeof(double);
  return a0 < b1 && b0 < a1;
}

/* ---- sgemm --------------------------------------------------------------------------- */
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    return throw_type(env,
                      "sgemm: expected 13 arguments (transA, transB, M, N, K, alpha, A, lda, B, "
                      "ldb, beta, C, ldc)");
  }
  bool ta, tb;
  int M, N, K, lda, ldb, ldc;
  float alpha, beta;
  float *A, *B, *C;
  size_t lenA, lenB, lenC;
  char msg[256];

  if (get_bool(env, argv[0], "sgemm", "transA", &ta) || get_bool(env, argv[1], "sgemm", "transB", &tb) ||
      get_int(env, argv[2], "sgemm", "M", 0, &M) || get_int(env, argv[3], "sgemm", "N", 0, &N) ||
      get_int(env, argv[4], "sgemm", "K", 0, &K) || get_float(env, argv[5], "alpha", &alpha) ||
      get_f32(env, argv[6], "A", &A, &lenA) || get_int(env, argv[7], "sgemm", "lda", 1, &lda) ||
      get_f32(env, argv[8], "B", &B, &lenB) || get_int(env, argv[9], "sgemm", "ldb", 1, &ldb) ||
      get_float(env, argv[10], "beta", &beta) || get_f32(env, argv[11], "C", &C, &lenC) ||
      get_int(env, argv[12], "sgemm", "ldc", 1, &ldc)) {
    return NULL;
  }

  /* Stored shapes (row-major): A is M x K, or K x M when transposed; B is K x N, or N x K. */
  const int aRows = ta ? K : M, aCols = ta ? M : K;
  const int bRows = tb ? N : K, bCols = tb ? K : N;
  if (lda < (aCols > 1 ? aCols : 1)) {
    snprintf(msg, sizeof msg, "sgemm: lda (%d) must be >= max(1, %d)", lda, aCols);
    return throw_range(env, msg);
  }
  if (ldb < (bCols > 1 ? bCols : 1)) {
    snprintf(msg, sizeof msg, "sgemm: ldb (%d) must be >= max(1, %d)", ldb, bCols);
    return throw_range(env, msg);
  }
  if (ldc < (N > 1 ? N : 1)) {
    snprintf(msg, sizeof msg, "sgemm: ldc (%d) must be >= max(1, N = %d)", ldc, N);
    return throw_range(env, msg);
  }
  const int64_t needA = (M == 0 || N == 0) ? 0 : span(aRows, aCols, lda);
  const int64_t needB = (M == 0 || N == 0) ? 0 : span(bRows, bCols, ldb);
  const int64_t needC = span(M, N, ldc);
  if ((int64_t)lenA < needA) {
    snprintf(msg, sizeof msg, "sgemm: A has %zu elements, needs %lld (%s, %dx%d, lda %d)", lenA,
             (long long)needA, ta ? "transposed" : "not transposed", aRows, aCols, lda);
    return throw_range(env, msg);
  }
  if ((int64_t)lenB < needB) {
    snprintf(msg, sizeof msg, "sgemm: B has %zu elements, needs %lld (%s, %dx%d, ldb %d)", lenB,
             (long long)needB, tb ? "transposed" : "not transposed", bRows, bCols, ldb);
    return throw_range(env, msg);
  }
  if ((int64_t)lenC < needC) {
    snprintf(msg, sizeof msg, "sgemm: C has %zu elements, needs %lld (%dx%d, ldc %d)", lenC,
             (long long)needC, M, N, ldc);
    return throw_range(env, msg);
  }
  if (overlaps(C, needC, A, needA) || overlaps(C, needC, B, needB)) {
    return throw_range(env, "sgemm: C must not share memory with A or B");
  }

  if (M == 0 || N == 0) return NULL;
  if (K == 0 || alpha == 0.0f) {
    /* op(A) @ op(B) contributes nothing: C = beta * C (BLAS convention: beta 0 overwrites). */
    for (int i = 0; i < M; i++) {
      float *row = C + (int64_t)i * ldc;
      if (beta == 0.0f) {
        memset(row, 0, (size_t)N * sizeof(float));
      } else if (beta != 1.0f) {
        for (int j = 0; j < N; j++) row[j] *= beta;
      }
    }
    return NULL;
  }
  cblas_sgemm(CLB_RowMajor, ta ? CLB_Trans : CLB_NoTrans, tb ? CLB_Trans : CLB_NoTrans, M, N, K,
              alpha, A, lda, B, ldb, beta, C, ldc);
  return NULL;
}


/* ---- convolution (NHWC) via im2col / col2im + sgemm ---------------------------------- */
/*
 * conv2d(kind, geom, A, B, out, bias, activation, alpha) -> undefined
 *   geom: Int32Array [batch, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, dh, dw, padTop, padLeft]
 *   kind 0 (forward):        A = x [b,inH,inW,inC], B = filter [fh,fw,inC,outC], out = y [b,outH,outW,outC];
 *                            then y += bias[outC] (bias may be null) and the activation
 *                            (0 linear, 1 relu, 2 relu6, 3 leaky relu with alpha).
 *   kind 1 (input grad):     A = dy [b,outH,outW,outC], B = filter, out = dx [b,inH,inW,inC].
 *   kind 2 (filter grad):    A = x, B = dy, out = dW [fh,fw,inC,outC].
 * The output pixels (rows of the im2col matrix, P = b*outH*outW) are processed in fixed-size
 * chunks so the column buffer stays small; the chunking is fixed, so results are
 * deterministic for a given OpenBLAS build and thread count. Padding cells read as zero.
 */
typedef struct {
  int b, ih, iw, ic, oh, ow, oc, fh, fw, sh, sw, dh, dw, pt, pl;
} Geom;

/* Column-buffer budget in floats (1 MiB): a chunk stays in L2 between im2col and sgemm (2M floats measured ~30% slower on ResNet-20). */
#define COL_BUDGET (256 * 1024)

/* Output pixel p (row of the column matrix) as batch index, output row oy and column ox. */
static int64_t pixel(const Geom *g, int64_t p, int *oy, int *ox) {
  *ox = (int)(p % g->ow);
  p /= g->ow;
  *oy = (int)(p % g->oh);
  return p / g->oh;
}

static void im2col(const float *x, const Geom *g, int64_t p0, int64_t p1, float *col) {
  const int64_t K = (int64_t)g->fh * g->fw * g->ic;
  const size_t bytes = (size_t)g->ic * sizeof(float);
  for (int64_t p = p0; p < p1; p++) {
    int oy, ox;
    const int64_t b = pixel(g, p, &oy, &ox);
    float *dst = col + (p - p0) * K;
    for (int kh = 0; kh < g->fh; kh++) {
      const int iy = oy * g->sh + kh * g->dh - g->pt;
      for (int kw = 0; kw < g->fw; kw++) {
        const int ix = ox * g->sw + kw * g->dw - g->pl;
        float *d = dst + ((int64_t)kh * g->fw + kw) * g->ic;
        if (iy < 0 || iy >= g->ih || ix < 0 || ix >= g->iw) {
          memset(d, 0, bytes);
        } else {
          memcpy(d, x + ((b * g->ih + iy) * g->iw + ix) * g->ic, bytes);
        }
      }
    }
  }
}

static void col2im_add(const float *col, const Geom *g, int64_t p0, int64_t p1, float *dx) {
  const int64_t K = (int64_t)g->fh * g->fw * g->ic;
  for (int64_t p = p0; p < p1; p++) {
    int oy, ox;
    const int64_t b = pixel(g, p, &oy, &ox);
    const float *src = col + (p - p0) * K;
    for (int kh = 0; kh < g->fh; kh++) {
      const int iy = oy * g->sh + kh * g->dh - g->pt;
      if (iy < 0 || iy >= g->ih) continue;
      for (int kw = 0; kw < g->fw; kw++) {
        const int ix = ox * g->sw + kw * g->dw - g->pl;
        if (ix < 0 || ix >= g->iw) continue;
        const float *s = src + ((int64_t)kh * g->fw + kw) * g->ic;
        float *d = dx + ((b * g->ih + iy) * g->iw + ix) * g->ic;
        for (int c = 0; c < g->ic; c++) d[c] += s[c];
      }
    }
  }
}

static void bias_activation(float *y, int64_t rows, int n, const float *bias, int act, float alpha) {
  for (int64_t r = 0; r < rows; r++) {
    float *row = y + r * n;
    if (bias) for (int j = 0; j < n; j++) row[j] += bias[j];
    switch (act) {
      case 1: for (int j = 0; j < n; j++) row[j] = row[j] < 0.0f ? 0.0f : row[j]; break;
      case 2: for (int j = 0; j < n; j++) row[j] = row[j] < 0.0f ? 0.0f : (row[j] > 6.0f ? 6.0f : row[j]); break;
      case 3: for (int j = 0; j < n; j++) row[j] = row[j] < 0.0f ? alpha * row[j] : row[j]; break;
      default: break;
    }
  }
}

/* True when the im2col matrix of x is x itself: 1x1 filter, stride 1, no padding. */
static int is_pointwise(const Geom *g) {
  return g->fh == 1 && g->fw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 &&
         g->oh == g->ih && g->ow == g->iw;
}

/* A scratch buffer of at least `bytes`, grown on demand; NULL when out of memory. */
typedef struct {
  void *data;
  size_t bytes;
} Scratch;

static void *scratch(Scratch *s, size_t bytes) {
  if (bytes > s->bytes) {
    free(s->data);
    s->data = malloc(bytes);
    s->bytes = s->data ? bytes : 0;
  }
  return s->data;
}

/* Thread-local scratch (each Node worker thread gets its own): the im2col column buffer, the
 * flipped filter of an input gradient, and the per-channel accumulators of the reductions. */
static _Thread_local Scratch col_scratch = {NULL, 0};
static _Thread_local Scratch filter_scratch = {NULL, 0};
static _Thread_local Scratch acc_scratch = {NULL, 0};

/* The output-pixel chunk for a column buffer of at most COL_BUDGET floats (all P pixels when
 * the conv is pointwise, which needs no buffer), and that buffer: *col is NULL when pointwise.
 * Returns 0, or -1 when out of memory. */
static int column_chunk(const Geom *g, int64_t P, int K, int64_t *chunk, float **col) {
  const int pointwise = is_pointwise(g);
  int64_t c = pointwise ? P : COL_BUDGET / K;
  if (c < 64) c = 64;
  if (c > P) c = P;
  *chunk = c;
  *col = pointwise ? NULL : (float *)scratch(&col_scratch, (size_t)c * (size_t)K * sizeof(float));
  return !pointwise && *col == NULL ? -1 : 0;
}

/* y = conv(x, w) (+ bias, activation) over output-pixel chunks. Returns 0, or -1 when out of memory. */
static int conv_forward(const Geom *g, const float *x, const float *w, float *y, const float *bias, int act, float alpha) {
  const int64_t P = (int64_t)g->b * g->oh * g->ow;
  const int K = g->fh * g->fw * g->ic;
  const int N = g->oc;
  int64_t chunk;
  float *col;
  if (column_chunk(g, P, K, &chunk, &col) != 0) return -1;
  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t p1 = p0 + chunk < P ? p0 + chunk : P;
    const float *c = col == NULL ? x + p0 * K : col;
    if (col != NULL) im2col(x, g, p0, p1, col);
    cblas_sgemm(CLB_RowMajor, CLB_NoTrans, CLB_NoTrans, (int)(p1 - p0), N, K, 1.0f, c, K, w, N, 0.0f, y + p0 * N, N);
    bias_activation(y + p0 * N, p1 - p0, N, bias, act, alpha);
  }
  return 0;
}

/*
 * The input gradient of a stride-1 conv is a forward conv of dy with the filter flipped in
 * space and its in/out channels swapped, padded by (fh - 1) * dh - padTop on top (likewise
 * on the left): one im2col + sgemm, instead of an sgemm into a column matrix fh * fw times
 * wider than dx and a scatter-add back (col2im). Returns 0 when done, 1 when the geometry
 * does not fit (the caller uses col2im), -1 when out of memory.
 */
static int conv_input_grad_stride1(const Geom *g, const float *dy, const float *w, float *dx) {
  const int pt = (g->fh - 1) * g->dh - g->pt, pl = (g->fw - 1) * g->dw - g->pl;
  if (pt < 0 || pl < 0) return 1;
  if (g->b == 0 || g->ih == 0 || g->iw == 0 || g->ic == 0 || g->oh == 0 || g->ow == 0 || g->oc == 0) return 1;
  const Geom t = {g->b, g->oh, g->ow, g->oc, g->ih, g->iw, g->ic, g->fh, g->fw, 1, 1, g->dh, g->dw, pt, pl};
  float *wf = (float *)scratch(&filter_scratch, (size_t)g->fh * g->fw * g->ic * g->oc * sizeof(float));
  if (wf == NULL) return -1;
  for (int a = 0; a < g->fh; a++) {
    for (int b = 0; b < g->fw; b++) {
      const float *src = w + ((int64_t)(g->fh - 1 - a) * g->fw + (g->fw - 1 - b)) * g->ic * g->oc;
      float *dst = wf + ((int64_t)a * g->fw + b) * g->oc * g->ic;
      for (int i = 0; i < g->ic; i++)
        for (int o = 0; o < g->oc; o++) dst[(int64_t)o * g->ic + i] = src[(int64_t)i * g->oc + o];
    }
  }
  return conv_forward(&t, dy, wf, dx, NULL, 0, 0.0f);
}

static napi_value Conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 8) {
    return throw_type(env, "conv2d: expected 8 arguments (kind, geom, A, B, out, bias, activation, alpha)");
  }
  int kind, act;
  float alpha;
  if (get_int(env, argv[0], "conv2d", "kind", 0, &kind) || get_int(env, argv[6], "conv2d", "activation", 0, &act) ||
      get_float(env, argv[7], "alpha", &alpha)) {
    return NULL;
  }
  if (kind > 2) return throw_range(env, "conv2d: kind must be 0 (forward), 1 (input grad) or 2 (filter grad)");
  if (act > 3) return throw_range(env, "conv2d: activation must be 0 (linear), 1 (relu), 2 (relu6) or 3 (leaky relu)");

  bool is_ta = false;
  napi_typedarray_type type;
  void *gp = NULL;
  size_t glen = 0;
  if (napi_is_typedarray(env, argv[1], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, argv[1], &type, &glen, &gp, NULL, NULL) != napi_ok ||
      type != napi_int32_array || glen != 15) {
    return throw_type(env, "conv2d: geom must be an Int32Array of 15 entries");
  }
  Geom g;
  memcpy(&g, gp, sizeof g);
  const int *gi = (const int *)gp;
  for (int i = 0; i < 15; i++) {
    const int lo = (i >= 9 && i <= 12) ? 1 : 0; /* strides and dilations >= 1 */
    if (gi[i] < lo) return throw_range(env, "conv2d: geom entries must be >= 0 (strides and dilations >= 1)");
  }
  float *A, *B, *out, *bias = NULL;
  size_t lenA, lenB, lenOut, lenBias = 0;
  if (get_f32(env, argv[2], "A", &A, &lenA) || get_f32(env, argv[3], "B", &B, &lenB) ||
      get_f32(env, argv[4], "out", &out, &lenOut)) {
    return NULL;
  }
  napi_valuetype bt;
  NAPI_CALL(env, napi_typeof(env, argv[5], &bt));
  if (bt != napi_null && bt != napi_undefined) {
    if (kind != 0) return throw_type(env, "conv2d: bias is only for kind 0 (forward)");
    if (get_f32(env, argv[5], "bias", &bias, &lenBias)) return NULL;
    if ((int64_t)lenBias != g.oc) return throw_range(env, "conv2d: bias must have outC elements");
  }
  if (kind != 0 && act != 0) return throw_range(env, "conv2d: an activation is only for kind 0 (forward)");

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
  if (overlaps(out, need[kind][2], A, need[kind][0]) || overlaps(out, need[kind][2], B, need[kind][1])) {
    return throw_range(env, "conv2d: out must not share memory with the inputs");
  }
  if (kind == 2 && (g.ic > INT_MAX / (g.fh * g.fw > 0 ? g.fh * g.fw : 1))) return throw_range(env, "conv2d: filter too large");

  if (kind == 1 && g.sh == 1 && g.sw == 1 && !is_pointwise(&g)) {
    const int r = conv_input_grad_stride1(&g, A, B, out);
    if (r == 0) return NULL;
    if (r < 0) return throw_range(env, "conv2d: out of memory for the column buffer");
  }
  const int64_t P = (int64_t)g.b * g.oh * g.ow;
  const int K = g.fh * g.fw * g.ic;
  const int N = g.oc;
  if (kind == 1) memset(out, 0, (size_t)nx * sizeof(float));
  if (kind == 2) memset(out, 0, (size_t)nw * sizeof(float));
  if (P == 0 || K == 0 || N == 0) {
    if (kind == 0) {
      memset(out, 0, (size_t)ny * sizeof(float));
      bias_activation(out, P, N, bias, act, alpha);
    }
    return NULL;
  }
  if (kind == 0) {
    if (conv_forward(&g, A, B, out, bias, act, alpha) != 0) return throw_range(env, "conv2d: out of memory for the column buffer");
    return NULL;
  }
  int64_t chunk;
  float *col;
  if (column_chunk(&g, P, K, &chunk, &col) != 0) return throw_range(env, "conv2d: out of memory for the column buffer");
  const int pointwise = col == NULL;

  for (int64_t p0 = 0; p0 < P; p0 += chunk) {
    const int64_t p1 = p0 + chunk < P ? p0 + chunk : P;
    const int rows = (int)(p1 - p0);
    if (kind == 1) {
      float *c = pointwise ? out + p0 * K : col;
      cblas_sgemm(CLB_RowMajor, CLB_NoTrans, CLB_Trans, rows, K, N, 1.0f, A + p0 * N, N, B, N, 0.0f, c, K);
      if (!pointwise) col2im_add(col, &g, p0, p1, out);
    } else {
      const float *c = pointwise ? A + p0 * K : col;
      if (!pointwise) im2col(A, &g, p0, p1, col);
      cblas_sgemm(CLB_RowMajor, CLB_Trans, CLB_NoTrans, K, N, rows, 1.0f, c, K, B + p0 * N, N,
                  p0 == 0 ? 0.0f : 1.0f, out, N);
    }
  }
  return NULL;
}


/* ---- column sums --------------------------------------------------------------------- */
/*
 * sumRows(x, rows, cols, out, scale) -> undefined
 *   out[j] = scale * sum_i x[i * cols + j]: a reduction over every axis but the last (e.g.
 *   batch-norm statistics and bias gradients of NHWC tensors), accumulated in double, row by
 *   row, so the order is fixed and the inner loop runs over contiguous memory.
 */

static napi_value SumRows(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int rows, cols;
  float *x, *out, scale;
  if (get_rows_cols(env, info, 5, argv, "sumRows", "x, rows, cols, out, scale", 1, &rows, &cols)) return NULL;
  if (get_f32_n(env, argv[0], "sumRows", "x", (int64_t)rows * cols, 0, &x) ||
      get_f32_n(env, argv[3], "sumRows", "out", cols, 0, &out) || get_float(env, argv[4], "scale", &scale)) {
    return NULL;
  }
  if (overlaps(out, cols, x, (int64_t)rows * cols)) return throw_range(env, "sumRows: out must not share memory with x");
  double *acc = (double *)scratch(&acc_scratch, (size_t)cols * sizeof(double));
  if (!acc) return throw_range(env, "sumRows: out of memory");
  for (int j = 0; j < cols; j++) acc[j] = 0.0;
  for (int64_t i = 0; i < rows; i++) {
    const float *row = x + i * cols;
    for (int j = 0; j < cols; j++) acc[j] += (double)row[j];
  }
  for (int j = 0; j < cols; j++) out[j] = (float)(acc[j] * (double)scale);
  return NULL;
}


/* ---- batch-norm gradient ------------------------------------------------------------- */
/*
 * batchNormGrad(x, dy, rows, cols, mean, variance, scale, eps, dx, dmean, dvar, dscale, doffset)
 *   The gradients of y = (x - mean) * r * scale + offset, r = 1 / sqrt(variance + eps), per
 *   channel j = the last axis (cols), with mean and variance taken as inputs (as tfjs's
 *   FusedBatchNorm gradient does): dx = dy * r * scale; doffset = sum dy;
 *   dscale = r * sum dy (x - mean); dmean = -r * scale * sum dy; dvar = -r^3 / 2 * scale *
 *   sum dy (x - mean). One pass over x and dy, sums in double. scale may be null (= 1).
 */
static napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  int rows, cols;
  float *x, *dy, *mean, *var, *scale, *dx, *dmean, *dvar, *dscale, *doffset, eps;
  if (get_rows_cols(env, info, 13, argv, "batchNormGrad",
                    "x, dy, rows, cols, mean, variance, scale, eps, dx, dmean, dvar, dscale, doffset", 2, &rows, &cols)) {
    return NULL;
  }
  const char *fn = "batchNormGrad";
  const int64_t n = (int64_t)rows * cols;
  if (get_f32_n(env, argv[0], fn, "x", n, 0, &x) || get_f32_n(env, argv[1], fn, "dy", n, 0, &dy) ||
      get_f32_n(env, argv[4], fn, "mean", cols, 0, &mean) || get_f32_n(env, argv[5], fn, "variance", cols, 0, &var) ||
      get_f32_n(env, argv[6], fn, "scale", cols, 1, &scale) || get_float(env, argv[7], "eps", &eps) ||
      get_f32_n(env, argv[8], fn, "dx", n, 0, &dx) || get_f32_n(env, argv[9], fn, "dmean", cols, 0, &dmean) ||
      get_f32_n(env, argv[10], fn, "dvar", cols, 0, &dvar) || get_f32_n(env, argv[11], fn, "dscale", cols, 0, &dscale) ||
      get_f32_n(env, argv[12], fn, "doffset", cols, 0, &doffset)) {
    return NULL;
  }
  if (overlaps(dx, n, x, n) || overlaps(dx, n, dy, n)) return throw_range(env, "batchNormGrad: dx must not share memory with x or dy");
  double *s1 = (double *)scratch(&acc_scratch, (size_t)(3 * cols) * sizeof(double));
  if (!s1) return throw_range(env, "batchNormGrad: out of memory");
  double *s2 = s1 + cols;
  float *rs = (float *)(s1 + 2 * cols); /* r * scale per channel, float as in tfjs */
  for (int j = 0; j < cols; j++) {
    s1[j] = 0.0;
    s2[j] = 0.0;
  }
  float *r = dscale; /* r per channel, kept in dscale until the end */
  for (int j = 0; j < cols; j++) {
    r[j] = 1.0f / sqrtf(var[j] + eps);
    rs[j] = r[j] * (scale ? scale[j] : 1.0f);
  }
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols, *gi = dy + i * cols;
    float *di = dx + i * cols;
    for (int j = 0; j < cols; j++) {
      const float g = gi[j];
      di[j] = g * rs[j];
      s1[j] += (double)g;
      s2[j] += (double)g * (double)(xi[j] - mean[j]);
    }
  }
  for (int j = 0; j < cols; j++) {
    const double rj = r[j], sj = scale ? scale[j] : 1.0;
    doffset[j] = (float)s1[j];
    dmean[j] = (float)(-rj * sj * s1[j]);
    dvar[j] = (float)(-0.5 * rj * rj * rj * sj * s2[j]);
    dscale[j] = (float)(rj * s2[j]);
  }
  return NULL;
}

/* ---- batch norm in training mode ----------------------------------------------------- */
/*
 * Per channel j = the last axis (cols) of an activation viewed as rows x cols:
 *   moments(x, rows, cols, mean, variance)
 *     mean = sum x / rows, variance = sum (x - mean)^2 / rows (biased, as tf.moments), two
 *     passes with sums in double; NaN for rows = 0.
 *   batchNorm(x, rows, cols, mean, variance, scale, offset, eps, y)
 *     y = (x - mean) * (scale / sqrt(variance + eps)) + offset; scale/offset may be null (1/0).
 *   batchNormTrainingGrad(x, dy, rows, cols, mean, variance, scale, eps, dx, dscale, doffset)
 *     the gradients of y = batchNorm(x, moments(x), ...) with the batch statistics
 *     differentiated too: with r = 1 / sqrt(variance + eps), S1 = sum dy, S2 = sum dy (x - mean),
 *     dx = scale r (dy - S1 / rows - (x - mean) r^2 S2 / rows), dscale = r S2, doffset = S1.
 *     Two passes over x and dy, sums in double.
 */

static napi_value Moments(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int rows, cols;
  float *x, *mean, *var;
  if (get_rows_cols(env, info, 5, argv, "moments", "x, rows, cols, mean, variance", 1, &rows, &cols)) return NULL;
  const int64_t n = (int64_t)rows * cols;
  if (get_f32_n(env, argv[0], "moments", "x", n, 0, &x) || get_f32_n(env, argv[3], "moments", "mean", cols, 0, &mean) ||
      get_f32_n(env, argv[4], "moments", "variance", cols, 0, &var)) {
    return NULL;
  }
  if (overlaps(mean, cols, x, n) || overlaps(var, cols, x, n) || overlaps(mean, cols, var, cols)) {
    return throw_range(env, "moments: mean and variance must not share memory with x or each other");
  }
  double *s = (double *)scratch(&acc_scratch, (size_t)(2 * cols) * sizeof(double));
  if (!s) return throw_range(env, "moments: out of memory");
  double *q = s + cols;
  for (int j = 0; j < cols; j++) s[j] = q[j] = 0.0;
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols;
    for (int j = 0; j < cols; j++) s[j] += (double)xi[j];
  }
  for (int j = 0; j < cols; j++) s[j] /= (double)rows; /* NaN when rows = 0, as tf.moments */
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols;
    for (int j = 0; j < cols; j++) {
      const double d = (double)xi[j] - s[j];
      q[j] += d * d;
    }
  }
  for (int j = 0; j < cols; j++) {
    mean[j] = (float)s[j];
    var[j] = (float)(q[j] / (double)rows);
  }
  return NULL;
}

static napi_value BatchNorm(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  int rows, cols;
  float *x, *mean, *var, *scale, *offset, *y, eps;
  if (get_rows_cols(env, info, 9, argv, "batchNorm", "x, rows, cols, mean, variance, scale, offset, eps, y", 1, &rows, &cols)) return NULL;
  const int64_t n = (int64_t)rows * cols;
  if (get_f32_n(env, argv[0], "batchNorm", "x", n, 0, &x) || get_f32_n(env, argv[3], "batchNorm", "mean", cols, 0, &mean) ||
      get_f32_n(env, argv[4], "batchNorm", "variance", cols, 0, &var) ||
      get_f32_n(env, argv[5], "batchNorm", "scale", cols, 1, &scale) ||
      get_f32_n(env, argv[6], "batchNorm", "offset", cols, 1, &offset) || get_float(env, argv[7], "eps", &eps) ||
      get_f32_n(env, argv[8], "batchNorm", "y", n, 0, &y)) {
    return NULL;
  }
  if (overlaps(y, n, x, n)) return throw_range(env, "batchNorm: y must not share memory with x");
  float *rs = (float *)scratch(&acc_scratch, (size_t)cols * sizeof(float));
  if (!rs) return throw_range(env, "batchNorm: out of memory");
  for (int j = 0; j < cols; j++) rs[j] = (scale ? scale[j] : 1.0f) / sqrtf(var[j] + eps);
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols;
    float *yi = y + i * cols;
    if (offset) {
      for (int j = 0; j < cols; j++) yi[j] = (xi[j] - mean[j]) * rs[j] + offset[j];
    } else {
      for (int j = 0; j < cols; j++) yi[j] = (xi[j] - mean[j]) * rs[j];
    }
  }
  return NULL;
}

static napi_value BatchNormTrainingGrad(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  int rows, cols;
  float *x, *dy, *mean, *var, *scale, *dx, *dscale, *doffset, eps;
  if (get_rows_cols(env, info, 11, argv, "batchNormTrainingGrad",
                    "x, dy, rows, cols, mean, variance, scale, eps, dx, dscale, doffset", 2, &rows, &cols)) {
    return NULL;
  }
  const char *fn = "batchNormTrainingGrad";
  const int64_t n = (int64_t)rows * cols;
  if (get_f32_n(env, argv[0], fn, "x", n, 0, &x) || get_f32_n(env, argv[1], fn, "dy", n, 0, &dy) ||
      get_f32_n(env, argv[4], fn, "mean", cols, 0, &mean) || get_f32_n(env, argv[5], fn, "variance", cols, 0, &var) ||
      get_f32_n(env, argv[6], fn, "scale", cols, 1, &scale) || get_float(env, argv[7], "eps", &eps) ||
      get_f32_n(env, argv[8], fn, "dx", n, 0, &dx) || get_f32_n(env, argv[9], fn, "dscale", cols, 0, &dscale) ||
      get_f32_n(env, argv[10], fn, "doffset", cols, 0, &doffset)) {
    return NULL;
  }
  if (overlaps(dx, n, x, n) || overlaps(dx, n, dy, n)) return throw_range(env, "batchNormTrainingGrad: dx must not share memory with x or dy");
  double *s1 = (double *)scratch(&acc_scratch, (size_t)(2 * cols) * sizeof(double) + (size_t)(3 * cols) * sizeof(float));
  if (!s1) return throw_range(env, "batchNormTrainingGrad: out of memory");
  double *s2 = s1 + cols;
  float *a = (float *)(s2 + cols), *b = a + cols, *c = b + cols;
  for (int j = 0; j < cols; j++) s1[j] = s2[j] = 0.0;
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols, *gi = dy + i * cols;
    for (int j = 0; j < cols; j++) {
      s1[j] += (double)gi[j];
      s2[j] += (double)gi[j] * (double)(xi[j] - mean[j]);
    }
  }
  for (int j = 0; j < cols; j++) {
    const double r = 1.0 / sqrt((double)var[j] + (double)eps), sr = (scale ? scale[j] : 1.0) * r;
    a[j] = (float)sr;
    b[j] = (float)(sr * s1[j] / rows);
    c[j] = (float)(sr * r * r * s2[j] / rows);
    dscale[j] = (float)(r * s2[j]);
    doffset[j] = (float)s1[j];
  }
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols, *gi = dy + i * cols;
    float *di = dx + i * cols;
    for (int j = 0; j < cols; j++) di[j] = a[j] * gi[j] - b[j] - c[j] * (xi[j] - mean[j]);
  }
  return NULL;
}

/* ---- dgemm ----------------------------------------------------------------------------- */
/*
 * dgemm(transA, transB, M, N, K, A, B, C)
 *   C = op(A) @ op(B) in float64, every matrix row-major and contiguous: A stored M x K (K x M
 *   when transA), B stored K x N (N x K when transB), C M x N (overwritten; must not overlap A
 *   or B). The float64 products of FID's covariances and matrix square roots.
 */
static napi_value Dgemm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  bool ta, tb;
  int M, N, K;
  double *A, *B, *C;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 8) return throw_type(env, "dgemm: expected 8 arguments (transA, transB, M, N, K, A, B, C)");
  if (get_bool(env, argv[0], "dgemm", "transA", &ta) || get_bool(env, argv[1], "dgemm", "transB", &tb) ||
      get_int(env, argv[2], "dgemm", "M", 1, &M) || get_int(env, argv[3], "dgemm", "N", 1, &N) ||
      get_int(env, argv[4], "dgemm", "K", 1, &K) || get_f64_n(env, argv[5], "dgemm", "A", (int64_t)M * K, &A) ||
      get_f64_n(env, argv[6], "dgemm", "B", (int64_t)K * N, &B) || get_f64_n(env, argv[7], "dgemm", "C", (int64_t)M * N, &C))
    return NULL;
  if (f64_overlaps(C, (int64_t)M * N, A, (int64_t)M * K) || f64_overlaps(C, (int64_t)M * N, B, (int64_t)K * N))
    return throw_range(env, "dgemm: C must not share memory with A or B");
  cblas_dgemm(CLB_RowMajor, ta ? CLB_Trans : CLB_NoTrans, tb ? CLB_Trans : CLB_NoTrans, M, N, K, 1.0, A, ta ? M : K, B,
              tb ? K : N, 0.0, C, N);
  return NULL;
}

/* ---- symmetric eigendecomposition ---------------------------------------------------- */
/*
 * symmetricEigen(a, d, wantVectors, w)
 *   Eigenvalues (ascending, into the Float64Array w of d elements) and, when wantVectors, the
 *   orthonormal eigenvectors of the symmetric d x d Float64Array a, by LAPACK's dsyevd (divide
 *   and conquer). Only a's lower triangle (row-major) is read. a is overwritten: with
 *   wantVectors it holds eigenvector k in row k (row-major; LAPACK's column k), otherwise its
 *   contents are unspecified. Throws a RangeError when dsyevd reports failure (info != 0).
 */
static napi_value SymmetricEigen(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int d;
  bool want;
  double *a, *w;
  char msg[200];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 4) return throw_type(env, "symmetricEigen: expected 4 arguments (a, d, wantVectors, w)");
  if (get_int(env, argv[1], "symmetricEigen", "d", 1, &d)) return NULL;
  if ((int64_t)d * d > (int64_t)INT_MAX) return throw_range(env, "symmetricEigen: d * d must fit a 32-bit int");
  if (get_f64_n(env, argv[0], "symmetricEigen", "a", (int64_t)d * d, &a)) return NULL;
  {
    napi_valuetype t;
    if (napi_typeof(env, argv[2], &t) != napi_ok || t != napi_boolean || napi_get_value_bool(env, argv[2], &want) != napi_ok)
      return throw_type(env, "symmetricEigen: wantVectors must be a boolean");
  }
  if (get_f64_n(env, argv[3], "symmetricEigen", "w", d, &w)) return NULL;
  if (f64_overlaps(a, (int64_t)d * d, w, d)) return throw_range(env, "symmetricEigen: w must not share memory with a");
  /* Row-major lower = LAPACK's column-major upper: pass 'U'. */
  const char jobz = want ? 'V' : 'N', uplo = 'U';
  int lwork = -1, liwork = -1, iwork_query = 0, status = 0;
  double work_query = 0;
  dsyevd_(&jobz, &uplo, &d, a, &d, w, &work_query, &lwork, &iwork_query, &liwork, &status, 1, 1);
  if (status != 0) {
    snprintf(msg, sizeof msg, "symmetricEigen: dsyevd workspace query failed (info %d)", status);
    return throw_range(env, msg);
  }
  lwork = (int)work_query;
  liwork = iwork_query;
  double *work = (double *)malloc((size_t)(lwork > 1 ? lwork : 1) * sizeof(double));
  int *iwork = (int *)malloc((size_t)(liwork > 1 ? liwork : 1) * sizeof(int));
  if (!work || !iwork) {
    free(work);
    free(iwork);
    return throw_range(env, "symmetricEigen: out of memory for dsyevd's workspace");
  }
  dsyevd_(&jobz, &uplo, &d, a, &d, w, work, &lwork, iwork, &liwork, &status, 1, 1);
  free(work);
  free(iwork);
  if (status != 0) {
    snprintf(msg, sizeof msg, "symmetricEigen: dsyevd failed to converge or rejected its input (info %d)", status);
    return throw_range(env, msg);
  }
  return NULL;
}

/* ---- threads and info ---------------------------------------------------------------- */
/* ---- optimizer and moving-average updates ------------------------------------------ */
/*
 * update(kind, params, in0, in1, in2, in3, out0, out1, out2) -> undefined
 *   One variable's update in one pass, in exactly tfjs's float32 operations and order (this file
 *   is compiled as ISO C, so no multiply-add is contracted into an FMA); params are float32
 *   values the caller rounded (@claimlab/backend, fused-updates.ts, which documents the
 *   formulas). Unused arrays are null; every array has the length of in0; outputs must not
 *   share memory with the inputs.
 *   kind 0 momentum:  params [m, -lr, nesterov];  in w, a, g;  out w', a'
 *   kind 1 Adam:      params [b1, 1-b1, b2, 1-b2, 1-b1^t, 1-b2^t, eps, -lr];  in w, m, v, g;  out w', m', v'
 *   kind 2 RMSProp:   params [decay, 1-decay, momentum, lr, eps];  in w, s, a, g;  out w', s', a'
 *   kind 3 moving average: params [1-momentum];  in v, x;  out v'
 */
static napi_value Update(napi_env env, napi_callback_info info) {
  static const int n_params[4] = {3, 8, 5, 1}, n_in[4] = {3, 4, 4, 2}, n_out[4] = {2, 3, 3, 1};
  napi_value argv[9];
  size_t argc = 9;
  int kind;
  const char *fn = "update";
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc != 9) return throw_type(env, "update: expected 9 arguments (kind, params, in0, in1, in2, in3, out0, out1, out2)");
  if (get_int(env, argv[0], fn, "kind", 0, &kind)) return NULL;
  if (kind > 3) return throw_range(env, "update: kind must be 0 (momentum), 1 (Adam), 2 (RMSProp) or 3 (moving average)");
  float *p, *a[7];
  size_t np, n;
  if (get_f32(env, argv[1], "params", &p, &np)) return NULL;
  if ((int)np != n_params[kind]) return throw_range(env, "update: params has the wrong number of values for this kind");
  if (get_f32(env, argv[2], "in0", &a[0], &n)) return NULL;
  static const char *names[7] = {"in0", "in1", "in2", "in3", "out0", "out1", "out2"};
  for (int i = 1; i < 7; i++) {
    const bool used = i < 4 ? i < n_in[kind] : i - 4 < n_out[kind];
    if (used) {
      if (get_f32_n(env, argv[i + 2], fn, names[i], (int64_t)n, 0, &a[i])) return NULL;
    } else {
      napi_valuetype t;
      char msg[120];
      if (napi_typeof(env, argv[i + 2], &t) != napi_ok || (t != napi_null && t != napi_undefined)) {
        snprintf(msg, sizeof msg, "update: %s must be null for kind %d (an array this kind does not use)", names[i], kind);
        return throw_type(env, msg);
      }
      a[i] = NULL;
    }
  }
  for (int o = 4; o < 4 + n_out[kind]; o++) {
    for (int i = 0; i < 4 + n_out[kind]; i++) {
      if (i != o && (i < n_in[kind] || i >= 4) && overlaps(a[o], (int64_t)n, a[i], (int64_t)n))
        return throw_range(env, "update: an output shares memory with another array");
    }
  }
  float *w1 = a[4], *o1 = a[5], *o2 = a[6];
  const float *w = a[0], *x1 = a[1], *x2 = a[2], *g = a[3];
  if (kind == 0) {
    const float m = p[0], c = p[1];
    const float *g0 = a[2];
    if (p[2] != 0.0f) {
      for (size_t i = 0; i < n; i++) {
        const float acc = m * x1[i] + g0[i];
        o1[i] = acc;
        w1[i] = c * (g0[i] + acc * m) + w[i];
      }
    } else {
      for (size_t i = 0; i < n; i++) {
        const float acc = m * x1[i] + g0[i];
        o1[i] = acc;
        w1[i] = c * acc + w[i];
      }
    }
  } else if (kind == 1) {
    const float b1 = p[0], omb1 = p[1], b2 = p[2], omb2 = p[3], c1 = p[4], c2 = p[5], eps = p[6], nlr = p[7];
    for (size_t i = 0; i < n; i++) {
      const float gi = g[i];
      const float mi = x1[i] * b1 + gi * omb1;
      const float vi = x2[i] * b2 + (gi * gi) * omb2;
      o1[i] = mi;
      o2[i] = vi;
      w1[i] = ((mi / c1) / (sqrtf(vi / c2) + eps)) * nlr + w[i];
    }
  } else if (kind == 2) {
    const float d = p[0], omd = p[1], mom = p[2], lr = p[3], eps = p[4];
    for (size_t i = 0; i < n; i++) {
      const float gi = g[i];
      const float si = x1[i] * d + (gi * gi) * omd;
      const float ai = x2[i] * mom + (gi * lr) / sqrtf(si + eps);
      o1[i] = si;
      o2[i] = ai;
      w1[i] = w[i] - ai;
    }
  } else {
    const float k = p[0];
    for (size_t i = 0; i < n; i++) w1[i] = w[i] - (w[i] - x1[i]) * k;
  }
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int n;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1) return throw_type(env, "setThreads: expected 1 argument (n)");
  if (get_int(env, argv[0], "setThreads", "n", 1, &n)) return NULL;
  if (n > 4096) return throw_range(env, "setThreads: n must be <= 4096");
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value out;
  (void)info;
  NAPI_CALL(env, napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value set_string(napi_env env, napi_value obj, const char *key, const char *value) {
  napi_value v;
  NAPI_CALL(env, napi_create_string_utf8(env, value ? value : "", NAPI_AUTO_LENGTH, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, key, v));
  return obj;
}

static napi_value set_int(napi_env env, napi_value obj, const char *key, int value) {
  napi_value v;
  NAPI_CALL(env, napi_create_int32(env, value, &v));
  NAPI_CALL(env, napi_set_named_property(env, obj, key, v));
  return obj;
}

static napi_value Info(napi_env env, napi_callback_info info) {
  napi_value obj;
  const char *parallel;
  (void)info;
  NAPI_CALL(env, napi_create_object(env, &obj));
  switch (openblas_get_parallel()) {
    case 0: parallel = "sequential"; break;
    case 1: parallel = "pthreads"; break;
    case 2: parallel = "openmp"; break;
    default: parallel = "unknown"; break;
  }
  if (!set_string(env, obj, "config", openblas_get_config())) return NULL;
  if (!set_string(env, obj, "corename", openblas_get_corename())) return NULL;
  if (!set_string(env, obj, "parallel", parallel)) return NULL;
  if (!set_int(env, obj, "threads", openblas_get_num_threads())) return NULL;
  if (!set_int(env, obj, "napiVersion", NAPI_VERSION)) return NULL;
  return obj;
}

/* ---- module -------------------------------------------------------------------------- */
static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv2d", NULL, Conv2d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumRows", NULL, SumRows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchNormGrad", NULL, BatchNormGrad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"moments", NULL, Moments, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchNorm", NULL, BatchNorm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"batchNormTrainingGrad", NULL, BatchNormTrainingGrad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dgemm", NULL, Dgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"symmetricEigen", NULL, SymmetricEigen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"update", NULL, Update, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, Info, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
