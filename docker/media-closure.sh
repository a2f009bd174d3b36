#!/bin/sh
# Runs in a throw-away build stage (Dockerfile: `media`, `gpu-media`): installs the
# distribution's ffmpeg and tini, then gathers under OUT only what the image runs: ffmpeg,
# ffprobe and tini, the shared libraries in their `ldd` closure, the font the preview watermark
# uses, and the copyright files of the packages all of these come from. The final stage copies
# OUT over the same base image.
#
# Why not the packages: even with --no-install-recommends, Debian's ffmpeg brings about 680 MB,
# and ffmpeg links only about a third of it. The rest is loaded with dlopen() for hardware
# acceleration, which the pipeline does not use (it decodes, filters and encodes with libx264 on
# the CPU): Mesa's GL driver with the LLVM and Z3 it needs (165 MB), the Intel Media SDK's
# plugins; or it is data for other programs (keyboard and MIME databases). `ldd` lists exactly
# what the dynamic loader maps when ffmpeg starts, so codecs, filters and formats stay as the
# distribution built them. The Dockerfile then runs ffmpeg on a
# test pattern through the pipeline's filters and encoder, so a missing library fails the
# build, not a clip.
#
#   sh media-closure.sh OUT
set -eu

out=${1:?usage: media-closure.sh OUT}
binaries="ffmpeg ffprobe tini"
# drawtext's font (workers/pipeline/previews.ts, WATERMARK_FONT).
data_packages="fonts-dejavu-core"

# The libraries the base image already has stay out: the final stage has them at the same paths.
base_files=$(mktemp)
find /usr -xdev \( -type f -o -type l \) >"$base_files"

apt-get update -q
apt-get install -y -q --no-install-recommends ffmpeg tini $data_packages >/dev/null

mkdir -p "$out/usr/bin"
libraries=$(mktemp)
for name in $binaries; do
  path=$(command -v "$name")
  cp -L "$path" "$out/usr/bin/$name"
  if ldd "$path" | grep -q 'not found'; then
    ldd "$path" | grep 'not found' >&2
    echo "media-closure: $path has unresolved libraries" >&2
    exit 1
  fi
  # "libx.so.1 => /lib/…/libx.so.1 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)"; not the vDSO.
  ldd "$path" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' >>"$libraries"
done

owners=$(mktemp)
for library in $(sort -u "$libraries"); do
  # Where the loader finds it, with merged /usr resolved (/lib → /usr/lib): copying into a
  # path through the base's /lib symlink would replace that symlink with a directory.
  target=$(realpath "$(dirname "$library")")/$(basename "$library")
  grep -qxF "$target" "$base_files" && continue
  mkdir -p "$out$(dirname "$target")"
  cp -L "$library" "$out$target"
  dpkg-query -S "*/$(basename "$(realpath "$library")")" 2>/dev/null | sed 's/[:,].*//' >>"$owners"
done

for package in $data_packages; do
  dpkg-query -L "$package" | while read -r path; do
    if [ -f "$path" ] && ! grep -qxF "$path" "$base_files"; then
      mkdir -p "$out$(dirname "$path")"
      cp -P "$path" "$out$path"
    fi
  done
  echo "$package" >>"$owners"
done

for name in $binaries; do
  dpkg-query -S "$(realpath "$(command -v "$name")")" | sed 's/[:,].*//' >>"$owners"
done
for package in $(sort -u "$owners"); do
  copyright=/usr/share/doc/$package/copyright
  if [ -f "$copyright" ] && ! grep -qxF "$copyright" "$base_files"; then
    mkdir -p "$out/usr/share/doc/$package"
    cp "$copyright" "$out$copyright"
  fi
done

echo "media-closure: $(find "$out" -type f | wc -l) files, $(du -sm "$out" | cut -f1) MB"
