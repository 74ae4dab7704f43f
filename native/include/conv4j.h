/*
 * conv4j.h: the flat C API of the conv4j kernels.
 *
 * Life of a kernel: create (validate, choose the algorithm, pack weights once) -> run many times -> destroy.
 * A plan is an opaque handle (int64). Every run receives the lengths of the buffers it is given and checks them
 * against the sizes the plan recorded at create time: native code never trusts its caller's sizes.
 * Functions return C4J_OK or a negative status; c4j_last_error() then describes the failed check (thread-local).
 *
 * Tensors are float32 NCHW. Weights OIHW (conv2d) and IOHW (conv_transpose2d), as PyTorch.
 * This header is compiled by JavaCPP's glue with -std=c++11: keep it C and C++11-clean.
 */
#ifndef CONV4J_H
#define CONV4J_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* status codes */
#define C4J_OK 0
#define C4J_ERR_ARG (-1)         /* a parameter or buffer length does not match the plan */
#define C4J_ERR_UNSUPPORTED (-2) /* a forced algorithm cannot run this configuration */
#define C4J_ERR_NOMEM (-3)
#define C4J_ERR_ISA (-4)         /* the CPU lacks AVX2/FMA */
#define C4J_ERR_HANDLE (-5)      /* not a live plan of the expected kind */

/* activation epilogues: y = act(conv + bias [+ residual]); a, b are the activation's parameters */
#define C4J_ACT_NONE 0
#define C4J_ACT_RELU 1
#define C4J_ACT_LEAKY_RELU 2 /* a = negative slope */
#define C4J_ACT_CLAMP 3      /* a = min, b = max (relu6: 0, 6) */
#define C4J_ACT_SIGMOID 4
#define C4J_ACT_TANH 5

/* padding modes (PyTorch padding_mode) */
#define C4J_PAD_ZEROS 0
#define C4J_PAD_REFLECT 1
#define C4J_PAD_REPLICATE 2
#define C4J_PAD_CIRCULAR 3

/* convolution algorithms; AUTO lets the plan choose, any other forces one (C4J_ERR_UNSUPPORTED if it cannot) */
#define C4J_ALGO_AUTO 0
#define C4J_ALGO_DIRECT 1      /* register-blocked direct convolution, any configuration */
#define C4J_ALGO_IM2COL_GEMM 2 /* im2col + the library's packed GEMM */
#define C4J_ALGO_GEMM_1X1 3    /* 1x1 stride 1 unpadded: the packed GEMM straight on the input */
#define C4J_ALGO_DEPTHWISE 4   /* groups == in_channels == out_channels / multiplier */
#define C4J_ALGO_WINOGRAD 5    /* F(4x4, 3x3): 3x3 stride 1 dilation 1, >= 16 input channels per group */
#define C4J_ALGO_WINOGRAD_2X2 6 /* F(2x2, 3x3), for small maps: same conditions as WINOGRAD */

/* conv2d / conv_transpose2d parameter block: an int32 array indexed by these */
#define C4J_CP_IN_C 0
#define C4J_CP_IN_H 1
#define C4J_CP_IN_W 2
#define C4J_CP_OUT_C 3
#define C4J_CP_KH 4
#define C4J_CP_KW 5
#define C4J_CP_SH 6
#define C4J_CP_SW 7
#define C4J_CP_PAD_T 8
#define C4J_CP_PAD_L 9
#define C4J_CP_PAD_B 10
#define C4J_CP_PAD_R 11
#define C4J_CP_DH 12
#define C4J_CP_DW 13
#define C4J_CP_GROUPS 14
#define C4J_CP_PAD_MODE 15 /* conv2d only */
#define C4J_CP_ACT 16
#define C4J_CP_OUT_PAD_H 17 /* conv_transpose2d only */
#define C4J_CP_OUT_PAD_W 18
#define C4J_CP_COUNT 19

/* pool2d parameter block */
#define C4J_PP_KIND 0 /* C4J_POOL_* */
#define C4J_PP_C 1
#define C4J_PP_IN_H 2
#define C4J_PP_IN_W 3
#define C4J_PP_KH 4
#define C4J_PP_KW 5
#define C4J_PP_SH 6
#define C4J_PP_SW 7
#define C4J_PP_PAD_T 8
#define C4J_PP_PAD_L 9
#define C4J_PP_PAD_B 10
#define C4J_PP_PAD_R 11
#define C4J_PP_DH 12
#define C4J_PP_DW 13
#define C4J_PP_CEIL 14
#define C4J_PP_COUNT_INCLUDE_PAD 15
#define C4J_PP_OUT_H 16 /* the output size Java computed; create re-derives it and refuses a mismatch */
#define C4J_PP_OUT_W 17
#define C4J_PP_COUNT 18

#define C4J_POOL_MAX 0
#define C4J_POOL_AVG 1
#define C4J_POOL_ADAPTIVE_AVG 2 /* kernel/stride/pad ignored; OUT_H/OUT_W give the output size */

/* library and CPU */
int32_t c4j_cpu_has_avx2_fma(void);
const char* c4j_cpu_brand(void);
const char* c4j_version(void);
const char* c4j_last_error(void);
void c4j_set_num_threads(int32_t n); /* the kernel pool and OpenBLAS; n is clamped to 1..1024 */
int32_t c4j_get_num_threads(void);
void c4j_plan_destroy(int64_t plan); /* any plan kind; 0 is ignored */
/* Test hooks of the thread pool (for conv4j's own tests; they allocate and block). selftest: `callers` threads at
 * once run `rounds` sweeps of parallel_for over n = 0..max_n (unit_cost < 0: no cost hint; nested != 0: each chunk
 * runs a nested parallel_for) and check every index ran exactly once. selftest_busy: while one caller's job holds
 * the pool, a second caller's parallel_for over n must run inline on its own thread, and so must a call right after
 * (the pool's contention window). C4J_OK or C4J_ERR_ARG. */
int32_t c4j_thread_pool_selftest(int64_t max_n, int32_t callers, int32_t rounds, int64_t unit_cost, int32_t nested);
int32_t c4j_thread_pool_selftest_busy(int64_t n);
/* Test hooks of the page arena (packed weights of 64 KB and more live in 2 MB-aligned regions advised for huge
 * pages). selftest: blocks aligned and disjoint under two threads, freed neighbours merged, a block
 * larger than a region 2 MB aligned, small blocks on the heap, everything back afterwards; C4J_OK or an error.
 * bytes: which 0 the bytes the arena holds from the system, 1 the bytes handed out. */
int32_t c4j_page_arena_selftest(void);
int64_t c4j_page_arena_bytes(int32_t which);

/* conv2d */
int64_t c4j_conv2d_create(const int32_t* params, int32_t nparams, const float* weight, int64_t weight_len,
                          const float* bias, int64_t bias_len, float act_a, float act_b, int32_t algo);
int32_t c4j_conv2d_algo(int64_t plan); /* the algorithm a run of batch 1 uses */
/* the algorithm a run of `batch` images uses: AUTO plans of 3x3 convolutions on small maps switch to WINOGRAD once
   the batch has enough tiles (its transformed weights are made at the first such run, then kept) */
int32_t c4j_conv2d_algo_for_batch(int64_t plan, int32_t batch);
/* x: batch*C*H*W floats from x_off; y likewise; residual may be NULL (r_len 0) or shaped like y */
int32_t c4j_conv2d_run(int64_t plan, int32_t batch, const float* x, int64_t x_len, int64_t x_off, float* y,
                       int64_t y_len, int64_t y_off, const float* residual, int64_t r_len, int64_t r_off);

/* conv_transpose2d */
int64_t c4j_conv_transpose2d_create(const int32_t* params, int32_t nparams, const float* weight,
                                    int64_t weight_len, const float* bias, int64_t bias_len, float act_a,
                                    float act_b);
int32_t c4j_conv_transpose2d_run(int64_t plan, int32_t batch, const float* x, int64_t x_len, int64_t x_off,
                                 float* y, int64_t y_len, int64_t y_off);

/* pool2d (max, avg, adaptive avg; global = kernel of the whole input) */
int64_t c4j_pool2d_create(const int32_t* params, int32_t nparams);
int32_t c4j_pool2d_run(int64_t plan, int32_t batch, const float* x, int64_t x_len, int64_t x_off, float* y,
                       int64_t y_len, int64_t y_off);

/* linear: y = act(x W^T + b), W [out, in] */
int64_t c4j_linear_create(int32_t in_features, int32_t out_features, const float* weight, int64_t weight_len,
                          const float* bias, int64_t bias_len, int32_t act, float act_a, float act_b);
int32_t c4j_linear_run(int64_t plan, int32_t batch, const float* x, int64_t x_len, int64_t x_off, float* y,
                       int64_t y_len, int64_t y_off);

/* elementwise */
int32_t c4j_activation(int32_t act, float act_a, float act_b, const float* x, int64_t x_len, int64_t x_off,
                       float* y, int64_t y_len, int64_t y_off, int64_t count);
/* softmax over the middle axis of an [outer, dim, inner] view; log != 0 gives log_softmax */
int32_t c4j_softmax(const float* x, int64_t x_len, int64_t x_off, float* y, int64_t y_len, int64_t y_off,
                    int64_t outer, int64_t dim, int64_t inner, int32_t log);
int32_t c4j_add(const float* a, int64_t a_len, int64_t a_off, const float* b, int64_t b_len, int64_t b_off,
                float* y, int64_t y_len, int64_t y_off, int64_t count);

#ifdef __cplusplus
}
#endif
#endif /* CONV4J_H */
