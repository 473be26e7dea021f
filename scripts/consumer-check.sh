#!/usr/bin/env bash
# An application that depends on jdiffusion-core alone (examples/consumer): installs core with `mvn install`,
# builds the application, checks that its dependency tree holds no command line (picocli), HTTP server,
# training, dataset or evaluation code, runs it (16 images from the shipped model) and prints the jar sizes.
# scripts/test runs it after the test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
offline=""
if [[ "${1:-}" == "-o" ]]; then offline="-o"; fi
mvn -q -B $offline install -DskipTests -pl jdiffusion-core -am
app=examples/consumer
mvn -q -B $offline -f "$app/pom.xml" package dependency:tree -DoutputFile=target/tree.txt \
  dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
if grep -E 'picocli|jdiffusion-(data|train|eval|serve|cli)|jfreechart|ejml|junit' "$app/target/tree.txt"; then
  echo "error: the consumer's dependency tree holds more than jdiffusion-core needs (above)" >&2
  exit 1
fi
out="$app/target/consumer.png"
rm -f "$out"
OPENBLAS_NUM_THREADS=1 java -cp "$app/target/classes:$(cat "$app/target/classpath.txt")" example.SampleApp "$out"
python3 - "$out" <<'PY'
import struct, sys
with open(sys.argv[1], 'rb') as f:
    head = f.read(24)
assert head[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
w, h = struct.unpack('>II', head[16:24])
assert w == h and w >= 4 * 28, ('not a 4 x 4 grid of 28 px images', w, h)  # 16 images, upscaled and padded
print(f'consumer: wrote {sys.argv[1]} ({w}x{h})')
PY
echo "consumer dependency tree:"
cat "$app/target/tree.txt"
echo "jar sizes:"
while read -r jar; do
  [[ -f "$jar" ]] && printf '%8.1f MB  %s\n' "$(echo "$(stat -c %s "$jar") / 1048576" | bc -l)" "$(basename "$jar")"
done < <(tr ':' '\n' < "$app/target/classpath.txt")
