# Locates cblas.h and libopenblas.so.0 inside the unpacked org.bytedeco:openblas preset jar
# (OPENBLAS_DIR = .../org/bytedeco/openblas/linux-x86_64). Never the system OpenBLAS: at run time the
# preset's copy is the one mapped, so we compile and link against exactly that one.
if(NOT OPENBLAS_DIR)
  message(FATAL_ERROR "OPENBLAS_DIR is not set: pass -DOPENBLAS_DIR=<unpacked preset>/org/bytedeco/openblas/linux-x86_64")
endif()
find_path(OPENBLAS_INCLUDE_DIR cblas.h PATHS "${OPENBLAS_DIR}/include" NO_DEFAULT_PATH REQUIRED)
find_file(OPENBLAS_LIBRARY libopenblas.so.0 PATHS "${OPENBLAS_DIR}" NO_DEFAULT_PATH REQUIRED)

# JavaCPP's preset adds -lopenblas_nolapack while the jar ships only libopenblas.so.0: an alias in the
# build dir satisfies the linker, which records the SONAME libopenblas.so.0 that the preset loads.
file(CREATE_LINK "${OPENBLAS_LIBRARY}" "${CMAKE_BINARY_DIR}/libopenblas_nolapack.so" SYMBOLIC)
file(CREATE_LINK "${OPENBLAS_LIBRARY}" "${CMAKE_BINARY_DIR}/libopenblas.so" SYMBOLIC)
