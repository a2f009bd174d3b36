#!/usr/bin/env python3
"""Independent second opinion for the privacy evaluation.

Finds faces with OpenCV's Haar cascades, and digit strings and words with the tesseract CLI. Neither
shares code, models or training data with the anonymizer, so what they still find in a
blurred frame is evidence the blur leaked, not an echo of our own detector.

Usage: independent.py [--min-face PX] [--min-conf N] [--upscale F] [--no-ocr] PATH [PATH ...]
PATH is an image or a directory of images. Prints one JSON object:
{"images": [{"path", "width", "height", "faces": [...], "numbers": [...], "words": [...]}]}
numbers: words with a digit; words: words of 3 or more letters and no digit (names, signs).
Boxes are {x, y, width, height} in the image's pixels.
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

import cv2

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}
CASCADE_DIRS = ["/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades"]
if getattr(cv2, "data", None) is not None:
    CASCADE_DIRS.insert(0, cv2.data.haarcascades)

# minNeighbors trades false alarms for recall; these are the commonly used values for each
# cascade. alt2 is stricter by construction, so it gets fewer neighbours.
CASCADES = [
    ("frontal_default", "haarcascade_frontalface_default.xml", 5),
    ("frontal_alt2", "haarcascade_frontalface_alt2.xml", 4),
    ("profile", "haarcascade_profileface.xml", 4),
]


def load_cascade(file_name):
    for directory in CASCADE_DIRS:
        path = os.path.join(directory, file_name)
        if os.path.exists(path):
            cascade = cv2.CascadeClassifier(path)
            if not cascade.empty():
                return cascade
    sys.exit(f"independent.py: cannot find {file_name} (install opencv-data)")


def iou(a, b):
    ax2, ay2 = a["x"] + a["width"], a["y"] + a["height"]
    bx2, by2 = b["x"] + b["width"], b["y"] + b["height"]
    iw = min(ax2, bx2) - max(a["x"], b["x"])
    ih = min(ay2, by2) - max(a["y"], b["y"])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / (a["width"] * a["height"] + b["width"] * b["height"] - inter)


def find_faces(gray, cascades, min_face):
    found = []
    width = gray.shape[1]
    flipped = cv2.flip(gray, 1)
    for name, cascade, neighbours in cascades:
        boxes = [(tuple(b), False) for b in cascade.detectMultiScale(
            gray, scaleFactor=1.1, minNeighbors=neighbours, minSize=(min_face, min_face))]
        # The profile cascade only knows faces looking one way; mirror for the other.
        if name == "profile":
            boxes += [(tuple(b), True) for b in cascade.detectMultiScale(
                flipped, scaleFactor=1.1, minNeighbors=neighbours, minSize=(min_face, min_face))]
        for (x, y, w, h), mirrored in boxes:
            if mirrored:
                x = width - x - w
            found.append({"x": int(x), "y": int(y), "width": int(w), "height": int(h), "cascade": name})
    # Several cascades fire on the same face; one box per face keeps counts comparable.
    merged = []
    for box in sorted(found, key=lambda b: -b["width"] * b["height"]):
        same = next((m for m in merged if iou(m, box) >= 0.3), None)
        if same is None:
            merged.append({k: box[k] for k in ("x", "y", "width", "height")} | {"cascades": [box["cascade"]]})
        elif box["cascade"] not in same["cascades"]:
            same["cascades"].append(box["cascade"])
    return merged


def read_words(path, min_conf, scale):
    # psm 11 (sparse text) suits shirt numbers: isolated words anywhere, no page layout.
    # One thread: tesseract's OpenMP threads only contend on small images and shared machines.
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    result = subprocess.run(["tesseract", path, "stdout", "--psm", "11", "tsv"],
                            capture_output=True, text=True, timeout=120, env=env)
    if result.returncode != 0:
        sys.exit(f"independent.py: tesseract failed on {path}: {result.stderr.strip()}")
    words = []
    for row in csv.DictReader(io.StringIO(result.stdout), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        digits = "".join(c for c in text if c.isdigit())
        letters = "".join(c for c in text if c.isalpha()).upper()
        if row.get("level") != "5" or not (digits or len(letters) >= 3):
            continue
        conf = float(row["conf"])
        # Boxes a few pixels high are texture, not text anyone could read.
        if conf < min_conf or int(row["height"]) / scale < 8:
            continue
        words.append({
            "text": text,
            "digits": digits,
            "letters": letters,
            "conf": round(conf, 1),
            "x": round(int(row["left"]) / scale), "y": round(int(row["top"]) / scale),
            "width": round(int(row["width"]) / scale), "height": round(int(row["height"]) / scale),
        })
    return words


def find_text(path, gray, min_conf, upscale):
    """(numbers, words): words with a digit, and words of 3+ letters without one."""
    found = read_words(path, min_conf, 1)
    if upscale > 1:
        # Shirt numbers are often 15-30 px high in a 720p frame, below what tesseract reads
        # well; a second, enlarged pass finds several that the first misses.
        with tempfile.TemporaryDirectory() as tmp:
            big = os.path.join(tmp, "up.png")
            cv2.imwrite(big, cv2.resize(gray, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC))
            for word in read_words(big, min_conf, upscale):
                if not any(n["digits"] == word["digits"] and n["letters"] == word["letters"] and iou(n, word) > 0 for n in found):
                    found.append(word)
    return [w for w in found if w["digits"]], [w for w in found if not w["digits"]]


def image_paths(arguments):
    for argument in arguments:
        if os.path.isdir(argument):
            for name in sorted(os.listdir(argument)):
                if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                    yield os.path.join(argument, name)
        else:
            yield argument


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--min-face", type=int, default=20, help="smallest face side in px (default 20)")
    parser.add_argument("--min-conf", type=float, default=50, help="tesseract word confidence 0-100 (default 50)")
    parser.add_argument("--upscale", type=float, default=2, help="second OCR pass enlarged this much; 1 = none (default 2)")
    parser.add_argument("--no-ocr", action="store_true", help="faces only")
    args = parser.parse_args()

    cascades = [(name, load_cascade(file_name), n) for name, file_name, n in CASCADES]
    images = []
    for path in image_paths(args.paths):
        image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if image is None:
            sys.exit(f"independent.py: cannot read {path}")
        equalized = cv2.equalizeHist(image)
        numbers, words = ([], []) if args.no_ocr else find_text(path, image, args.min_conf, args.upscale)
        images.append({
            "path": path,
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "faces": find_faces(equalized, cascades, args.min_face),
            "numbers": numbers,
            "words": words,
        })
    json.dump({"images": images}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
