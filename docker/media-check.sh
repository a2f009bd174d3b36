#!/bin/sh
# Runs in the final stages once the media closure (docker/media-closure.sh) is copied in:
# ffmpeg encodes a test pattern with libx264 through the filters the pipeline uses (scale,
# pad, setsar, trim, drawtext with the watermark's font) and ffprobe reads it back, so a
# library the closure missed fails the build here, not a clip.
set -eu
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
dir=$(mktemp -d)
tini --version >/dev/null
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 -t 0.4 \
  -vf "scale=160:90:force_original_aspect_ratio=decrease,pad=160:90:(ow-iw)/2:(oh-ih)/2,setsar=1,trim=end_frame=8,drawtext=fontfile=$font:text='ATHERA':fontsize=h/9" \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -f mp4 "$dir/check.mp4"
ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$dir/check.mp4" | grep -qx h264
rm -r "$dir"
echo "media-check: ffmpeg, ffprobe, libx264, drawtext and tini work"
