// placeholder: replaced by the elementwise kernels
#include "conv4j.h"
#include "errors.h"
extern "C" int32_t c4j_activation(int32_t, float, float, const float*, int64_t, int64_t, float*, int64_t, int64_t, int64_t) { return C4J_ERR_UNSUPPORTED; }
extern "C" int32_t c4j_softmax(const float*, int64_t, int64_t, float*, int64_t, int64_t, int64_t, int64_t, int64_t, int32_t) { return C4J_ERR_UNSUPPORTED; }
extern "C" int32_t c4j_add(const float*, int64_t, int64_t, const float*, int64_t, int64_t, float*, int64_t, int64_t, int64_t) { return C4J_ERR_UNSUPPORTED; }
