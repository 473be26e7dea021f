#!/usr/bin/env bash
# Builds target/jdiffusion-image/: a trimmed Java runtime made by jlink (about 75 MB), the runnable jar
# and a launcher, bin/jdiffusion, that sets the same environment as the repository's bin/jdiffusion.
# Copy the folder to any Linux x86-64 machine: it needs neither Java nor Maven there.
#   scripts/image.sh            # builds the jar first when it is missing or older than the sources
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$(ls -t "$root"/target/jdiffusion-*.jar 2>/dev/null | head -1 || true)"
if [[ -z "$jar" || -n "$(find "$root"/jdiffusion-*/src/main "$root"/jdiffusion-*/pom.xml "$root/pom.xml" -newer "$jar" -print -quit)" ]]; then
  mvn -q -B -f "$root/pom.xml" -DskipTests package
  jar="$(ls -t "$root"/target/jdiffusion-*.jar | head -1)"
fi
out="$root/target/jdiffusion-image"
rm -rf "$out"
# the modules the tool uses: AWT images (java.desktop), process and JVM facts (java.management), the
# server (jdk.httpserver), downloads (java.net.http, jdk.crypto.ec for TLS's elliptic curves on Java 17)
# and JavaCPP's unsafe access (jdk.unsupported)
jlink --add-modules java.base,java.desktop,java.management,jdk.httpserver,java.net.http,jdk.unsupported,jdk.crypto.ec \
  --strip-debug --no-header-files --no-man-pages --output "$out/runtime"
mkdir -p "$out/lib" "$out/bin"
cp "$jar" "$out/lib/jdiffusion.jar"
cat > "$out/bin/jdiffusion" <<'LAUNCHER'
#!/usr/bin/env bash
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-17179869184}"
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
exec "$here/runtime/bin/java" ${JDIFFUSION_JAVA_OPTS:-} -jar "$here/lib/jdiffusion.jar" "$@"
LAUNCHER
chmod +x "$out/bin/jdiffusion"
echo "$out ($(du -sh "$out" | cut -f1)): $out/bin/jdiffusion sample -n 16"
