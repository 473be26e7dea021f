#!/usr/bin/env bash
# The runnable jar: builds it (mvn package, target/jdiffusion-VERSION.jar) and checks that its `doctor` runs
# from the jar alone and names the engine the project depends on (the presets' version from their own
# pom.properties, not the jar's manifest: the jar once reported "libtorch 0.1.0", the project's version).
# scripts/test runs it after the test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
offline=""
if [[ "${1:-}" == "-o" ]]; then offline="-o"; fi
mvn -q -B $offline package -DskipTests
want="$(sed -n 's:.*<pytorch.version>\(.*\)</pytorch.version>.*:\1:p' pom.xml)"
want="${want%%-*}"   # 2.10.0-1.5.13 -> 2.10.0
jar="target/jdiffusion-$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml).jar"
out="$(cd /tmp && OPENBLAS_NUM_THREADS=1 java -jar "$OLDPWD/$jar" doctor 2>&1)" || { echo "$out"; echo "error: $jar doctor failed" >&2; exit 1; }
engine="$(grep '^engine' <<<"$out" || true)"
echo "jar-check: $(du -m "$jar" | cut -f1) MB $jar; $engine"
if [[ -z "$want" || "$engine" != *"libtorch $want "* ]]; then
  echo "error: the jar's doctor does not name libtorch ${want:-?}" >&2
  exit 1
fi
