#!/usr/bin/env bash
# One command for bench/RESULTS.md and bench/results-ratio.png: conv4j (native and Java backends) against ONNX
# Runtime Java on the same ONNX models, measured in alternation. Builds the project (SKIP_BUILD=1 skips it), exports
# the model zoo into bench/models/ when files are missing (Debian's /usr/bin/python3 with torch 1.13; PYTHON=...
# overrides), then runs org.conv4j.bench.SideBySide with the arguments given, e.g.:
#   bench/run-side-by-side.sh                 # everything: 5 models x batch 1, 8 + 24 layers, 1 and 2 threads
#   bench/run-side-by-side.sh --quick         # smoke run: short warm-up and few rounds
#   bench/run-side-by-side.sh --models resnet18 --kernels none --threads 1
#   bench/run-side-by-side.sh --profile --models resnet18,mobilenet_v2 --threads 1   # per-layer times instead
#   bench/run-side-by-side.sh --settle-probe --pause-ms 0    # ONNX Runtime's spinning workers after its runs
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -q -B install -DskipTests
fi

missing=()
for m in lenet5 mobilenet_v2 resnet18 resnet50 vgg16; do
  [ -f "bench/models/$m.onnx" ] && [ -f "bench/models/$m.properties" ] || missing+=("$m")
done
if [ ${#missing[@]} -gt 0 ]; then
  "$PY" bench/scripts/export_models.py --out bench/models "${missing[@]}"
fi

# conv4j itself from this checkout's build, not from ~/.m2 (which any other checkout may have installed over); the
# reactor (java/core with bench) gives conv4j's own dependencies
mvn -q -B -pl java/core,bench dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile=target/side-by-side.classpath
deps=$(tr ':' '\n' < bench/target/side-by-side.classpath | grep -v '/org/conv4j/' | paste -sd: -)
cp="bench/target/classes:java/core/target/classes:$deps"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . 2>/dev/null || echo +changes)"
if [ "${1:-}" = --profile ]; then
  shift
  exec java -Xmx8g -cp "$cp" org.conv4j.bench.LayerProfile "$@"
fi
if [ "${1:-}" = --settle-probe ]; then  # why the alternation idles between engines (SettleProbe)
  shift
  exec java -Xmx8g -cp "$cp" org.conv4j.bench.SettleProbe "$@"
fi
exec java -Xmx8g -Dconv4j.commit="$commit" -cp "$cp" org.conv4j.bench.SideBySide --command "bench/run-side-by-side.sh${*:+ $*}" "$@"
