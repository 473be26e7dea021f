#!/usr/bin/env bash
# Prints the class path of the benchmark programs (io.jdiffusion.bench, test sources of the cli module, kept
# out of the library jars): every module's classes and test classes, and the libraries. Builds what is needed.
#   CP="$(bench/classpath.sh)"; java -cp "$CP" io.jdiffusion.bench.SamplerBench ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$root/target"
# in a reactor build every module writes the list; the cli module is built last, so its list is the one kept
mvn -q -B -f "$root/pom.xml" -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile="$root/target/bench-classpath.txt" >&2
dirs=""
for m in core data train eval serve cli; do
  dirs+="$root/jdiffusion-$m/target/classes:$root/jdiffusion-$m/target/test-classes:"
done
echo "$dirs$(cat "$root/target/bench-classpath.txt")"
