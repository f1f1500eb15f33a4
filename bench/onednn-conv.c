// The three convolution kernels of a ResNet-20 training step on oneDNN 2.6 (Debian: libdnnl-dev),
// for issue 19: the same shapes as bench/conv-shapes.ts (batch 32, 3x3, stride 1, pad 1, C -> C at
// 32x32x16, 16x16x32, 8x8x64), activations in NHWC as tfjs keeps them. Not a test, not wired into
// the backend. Weights in tfjs's HWIO layout, or with `any` in the layout oneDNN picks (a blocked
// one, reached from HWIO by a reorder, which is not timed here):
//   gcc -O2 bench/onednn-conv.c -ldnnl -o /tmp/onednn-conv
//   OMP_NUM_THREADS=1 /tmp/onednn-conv        # HWIO weights
//   OMP_NUM_THREADS=1 /tmp/onednn-conv any    # oneDNN's weight layout
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CHECK(f) do { dnnl_status_t s_ = (f); if (s_ != dnnl_success) { printf("%s failed: %d at line %d\n", #f, s_, __LINE__); exit(1);} } while (0)
// Seconds on a monotonic clock.
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
// A buffer of the descriptor's size, filled with fixed values in [-0.5, 0.5).
static dnnl_memory_t mem(dnnl_engine_t e, const dnnl_memory_desc_t *md) {
  dnnl_memory_t m; CHECK(dnnl_memory_create(&m, md, e, DNNL_MEMORY_ALLOCATE));
  void *p; CHECK(dnnl_memory_get_data_handle(m, &p)); size_t n = dnnl_memory_desc_get_size(md) / 4;
  for (size_t i = 0; i < n; i++) ((float *)p)[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  return m;
}
// Seconds per call: 3 warm-up calls, then calls for at least 1 s.
static double timeit(dnnl_primitive_t p, dnnl_stream_t s, int nargs, dnnl_exec_arg_t *args) {
  for (int i = 0; i < 3; i++) CHECK(dnnl_primitive_execute(p, s, nargs, args));
  CHECK(dnnl_stream_wait(s));
  int reps = 0; double t0 = now(), t;
  do { CHECK(dnnl_primitive_execute(p, s, nargs, args)); CHECK(dnnl_stream_wait(s)); reps++; t = now() - t0; } while (t < 1.0);
  return t / reps;
}
int main(int argc, char **argv) {
  int N = 32;
  int shapes[3][2] = {{32, 16}, {16, 32}, {8, 64}};
  dnnl_engine_t eng; CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
  dnnl_stream_t st; CHECK(dnnl_stream_create(&st, eng, dnnl_stream_default_flags));
  int anyw = argc > 1;
  for (int k = 0; k < 3; k++) {
    int H = shapes[k][0], C = shapes[k][1];
    dnnl_dims_t sd = {N, C, H, H}, wd = {C, C, 3, 3}, dd = {N, C, H, H}, strides = {1, 1}, pad = {1, 1}, dil = {0, 0};
    dnnl_memory_desc_t src, w, dst, wany;
    CHECK(dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_f32, dnnl_nhwc));
    CHECK(dnnl_memory_desc_init_by_tag(&w, 4, wd, dnnl_f32, dnnl_hwio));
    CHECK(dnnl_memory_desc_init_by_tag(&dst, 4, dd, dnnl_f32, dnnl_nhwc));
    CHECK(dnnl_memory_desc_init_by_tag(&wany, 4, wd, dnnl_f32, dnnl_format_tag_any));
    const dnnl_memory_desc_t *wq = anyw ? &wany : &w;
    dnnl_convolution_desc_t fd, bdd, bwd;
    CHECK(dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &src, wq, NULL, &dst, strides, dil, pad, pad));
    dnnl_primitive_desc_t fpd, bdpd, bwpd;
    CHECK(dnnl_primitive_desc_create(&fpd, &fd, NULL, eng, NULL));
    CHECK(dnnl_dilated_convolution_backward_data_desc_init(&bdd, dnnl_convolution_direct, &src, wq, &dst, strides, dil, pad, pad));
    CHECK(dnnl_primitive_desc_create(&bdpd, &bdd, NULL, eng, fpd));
    CHECK(dnnl_dilated_convolution_backward_weights_desc_init(&bwd, dnnl_convolution_direct, &src, wq, NULL, &dst, strides, dil, pad, pad));
    CHECK(dnnl_primitive_desc_create(&bwpd, &bwd, NULL, eng, fpd));
    const dnnl_memory_desc_t *wf = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *wb = dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0);
    const char *impl; CHECK(dnnl_primitive_desc_query(fpd, dnnl_query_impl_info_str, 0, &impl));
    dnnl_memory_t ms = mem(eng, &src), mw = mem(eng, wf), md = mem(eng, &dst), mdw = mem(eng, wb), mds = mem(eng, &src);
    dnnl_primitive_t f, bd, bw;
    CHECK(dnnl_primitive_create(&f, fpd)); CHECK(dnnl_primitive_create(&bd, bdpd)); CHECK(dnnl_primitive_create(&bw, bwpd));
    dnnl_exec_arg_t fa[] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_DST, md}};
    dnnl_exec_arg_t ba[] = {{DNNL_ARG_DIFF_DST, md}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_DIFF_SRC, mds}};
    dnnl_exec_arg_t wa[] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_DIFF_DST, md}, {DNNL_ARG_DIFF_WEIGHTS, mdw}};
    double flops = 2.0 * N * H * H * C * C * 9;
    double tf_ = timeit(f, st, 3, fa), tb = timeit(bd, st, 3, ba), tw = timeit(bw, st, 3, wa);
    printf("%dx%dx%d (%s weights, impl %s): fwd %.2f ms %.1f GFLOP/s, bwd data %.2f ms %.1f, bwd weights %.2f ms %.1f\n", H, H, C,
           anyw ? "any" : "hwio", impl, 1e3 * tf_, flops / tf_ / 1e9, 1e3 * tb, flops / tb / 1e9, 1e3 * tw, flops / tw / 1e9);
  }
  return 0;
}
