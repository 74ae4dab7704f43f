# ISA flags for the files that hold AVX2/FMA code. Everything else is compiled for baseline x86-64,
# so the CPUID check in cpu.cpp runs safely on any CPU before an AVX2 path is taken.
set(CONV4J_AVX2_FLAGS -mavx2 -mfma -mf16c)

# conv4j_avx2_sources(<file>...): mark the given sources as AVX2/FMA code.
function(conv4j_avx2_sources)
  set_source_files_properties(${ARGN} PROPERTIES COMPILE_OPTIONS "${CONV4J_AVX2_FLAGS}")
endfunction()
