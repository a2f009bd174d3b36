#!/usr/bin/env bash
# CI's image step (.ci/run runs it after the tests). Builds the CPU image (the Dockerfile's
# `app` target) with podman, boots it against this machine's PostgreSQL and Redis and an
# s3rver on loopback, and checks the appliance as an operator meets it:
#   - migrations ran on start (the database holds every migration the image ships);
#   - /healthz and /readyz answer 200; /setup offers the first administrator's form, and the
#     log prints the setup token; the page's built assets are served;
#   - every process runs as uid 10001; the image's HEALTHCHECK passes; web exits 0 on SIGTERM;
#   - the worker role starts and listens on no port;
#   - `node ace clip:process`, without network, turns a clip made by ffmpeg inside the image
#     into video.mp4, keypoints.json and previews, with the anonymization and pose models run.
# It fails when the image is larger than ATHERA_CI_IMAGE_MAX_MB, and past a time budget.
#
# No container registry is reachable in CI: the Dockerfile's base image is made locally by
# docker/node-base.sh (once; kept in the cache). Debian 12, as root. podman's settings live in
# a private containers.conf and storage under the cache; /etc/containers is never written.
#
# Settings (all optional): ATHERA_CACHE (~/.cache/athera), ATHERA_CI_IMAGE_BUDGET (seconds,
# 600), ATHERA_CI_IMAGE_MAX_MB (1000), ATHERA_CI_PORT (3390), ATHERA_CI_S3_PORT (4590),
# ATHERA_CI_REDIS_DB (13, must be empty).
set -euo pipefail
cd "$(dirname "$0")/.."

budget=${ATHERA_CI_IMAGE_BUDGET:-600}
max_mb=${ATHERA_CI_IMAGE_MAX_MB:-1000}
cache=${ATHERA_CACHE:-$HOME/.cache/athera}/podman
port=${ATHERA_CI_PORT:-3390}
s3_port=${ATHERA_CI_S3_PORT:-4590}
redis_db=${ATHERA_CI_REDIS_DB:-13}
tag=localhost/athera/app:ci
id=$$
web=athera-ci-web-$id
worker=athera-ci-worker-$id
clip=athera-ci-clip-$id
db=athera_ci_image_$id
started=$SECONDS
work=$(mktemp -d /tmp/athera-ci-image.XXXXXX)
step=setup
container=''
s3_pid=''
db_made=''
redis_ours=''

# fd 3: the step's own stderr, for failures raised while a command's output goes to a log.
exec 3>&2
log() { printf '== image [%ss] %s\n' "$((SECONDS - started))" "$*"; }
left() { echo $((budget - (SECONDS - started))); }

# The failing check, then what the container said last.
fail() {
  echo "image step FAILED ($step, after $((SECONDS - started)) s): $*" >&3
  if [ -n "$container" ] && podman container exists "$container" 2>/dev/null; then
    echo "--- last 40 log lines of $container:" >&3
    # Not `logs --tail`: podman 4.3 returns nothing for it after the migrations' progress lines.
    # (ioredis warns on every connection that CI's Redis wants no password: not news.)
    podman logs "$container" 2>&1 | grep -v 'does not require a password, but a password was supplied' \
      | tail -40 | sed 's/^/  | /' >&3
  fi
  exit 1
}

cleanup() {
  podman rm --force --ignore --time 5 "$web" "$worker" "$clip" >/dev/null 2>&1 || true
  # A build stopped midway leaves buildah's working containers in the (private) storage.
  podman ps --all --external --quiet 2>/dev/null | xargs -r podman rm --force >/dev/null 2>&1 || true
  if [ -n "$s3_pid" ]; then kill "$s3_pid" 2>/dev/null || true; fi
  if [ -n "$db_made" ]; then psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; fi
  if [ -n "$redis_ours" ]; then redis-cli -h 127.0.0.1 -n "$redis_db" flushdb >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A long command, stopped when the budget is spent.
budgeted() {
  local rc=0
  [ "$(left)" -gt 0 ] || fail "over the time budget of $budget s"
  timeout --kill-after=15 "$(left)" "$@" || rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then fail "over the time budget of $budget s"; fi
  return "$rc"
}

# Waits (within the budget) until "$@" succeeds; fails if the watched container stops.
wait_for() {
  local what=$1 limit=$2; shift 2
  local until=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$until" ] || fail "$what: not within $limit s"
    [ "$(left)" -gt 0 ] || fail "over the time budget of $budget s, waiting for: $what"
    if [ -n "$container" ] && [ "$(podman inspect --format '{{.State.Running}}' "$container" 2>/dev/null)" != true ]; then
      fail "$what: the container stopped (exit code $(podman inspect --format '{{.State.ExitCode}}' "$container" 2>/dev/null))"
    fi
    sleep 1
  done
}

# podman 4.3 schedules a container's HEALTHCHECK with a systemd timer and, with no systemd,
# logs an error for each container and goes on: those lines are dropped, the rest is kept.
pod() { podman "$@" 2> >(grep -v -e 'unable to get systemd connection' >&2); }

http_status() { curl -s -o "$work/body" -w '%{http_code}' "http://127.0.0.1:$port$1" || true; }
port_free() { [ -z "$(ss -Hltn "sport = :$1")" ]; }

# --- podman, privately configured ---------------------------------------------------------------
step=podman
for tool in node npm psql redis-cli openssl; do
  command -v "$tool" >/dev/null || fail "$tool is missing (.ci/run installs Node.js, PostgreSQL and Redis first)"
done
missing=()
for tool in podman runc crun slirp4netns fuse-overlayfs newuidmap debootstrap curl ss; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing podman and its helpers (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman runc crun \
    slirp4netns fuse-overlayfs uidmap debootstrap curl iproute2 ca-certificates >/dev/null
fi
mkdir -p "$cache"
nofile=$(ulimit -Hn) nproc=$(ulimit -Hu) pid_max=$(cat /proc/sys/kernel/pid_max)
[ "$nofile" = unlimited ] && nofile=1048576
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; } && nproc=$pid_max
# runc: bookworm's crun refuses this kind of host's hybrid cgroup v1 layout. cgroupfs: there is
# no systemd. Ulimits: podman's defaults (1048576) are above the host's hard limits, which
# a container without CAP_SYS_RESOURCE cannot exceed; runc is refused an nproc above
# kernel.pid_max here too. file: no journald to log events to.
cat >"$cache/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
# Layers and the base image persist in the cache between runs; run state does not.
cat >"$cache/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$cache/storage"
runroot = "/run/athera-ci-podman"
EOF
export CONTAINERS_CONF=$cache/containers.conf CONTAINERS_STORAGE_CONF=$cache/storage.conf
podman info --format 'podman {{.Version.Version}}: {{.Host.OCIRuntime.Name}}, cgroups {{.Host.CgroupsVersion}}, {{.Store.GraphDriverName}} in {{.Store.GraphRoot}}' \
  || fail "podman does not start with $CONTAINERS_CONF"

# --- the base image ----------------------------------------------------------------------------
step=base
node_image=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)
[ -n "$node_image" ] || fail "no ARG NODE_IMAGE in the Dockerfile"
if podman image exists "docker.io/library/$node_image"; then
  log "base $node_image: in the cache"
else
  log "base $node_image: making it (docker/node-base.sh)"
  budgeted bash docker/node-base.sh "$node_image" "$cache/base-work" || fail "the base image could not be made"
fi

# --- build -------------------------------------------------------------------------------------
step=build
for busy in "$port" "$s3_port"; do port_free "$busy" || fail "port $busy is in use (set ATHERA_CI_PORT / ATHERA_CI_S3_PORT)"; done
build_args=(--network host --format docker --pull=never)
# Behind a TLS-intercepting proxy, npm ci in the build trusts only Node's bundled CAs. Then the
# host's bundle is lent to the build's RUN steps through npm's global config: a directory
# mounted over the base's empty /usr/local/etc (mounting files would leave empty mount points
# in the layers), so nothing of it is in the image.
registry=$(npm config get registry)
if ! env -u NODE_EXTRA_CA_CERTS node -e 'fetch(process.argv[1]).then(() => {}, (e) => process.exit(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(String(e.cause?.code)) ? 3 : 0))' "$registry"; then
  host_ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
  [ -f "$host_ca" ] || fail "$registry needs a CA that Node does not bundle, and $host_ca is missing"
  mkdir -p "$work/npm-etc"
  cp "$host_ca" "$work/npm-etc/host-ca.crt"
  echo "cafile=/usr/local/etc/host-ca.crt" >"$work/npm-etc/npmrc"
  build_args+=(--volume "$work/npm-etc:/usr/local/etc:ro")
  log "npm in the build trusts this host's CA bundle ($registry is behind a proxy with its own CA)"
fi
build_log=$cache/build.log
log "podman build (log: $build_log)"
build_started=$SECONDS
if ! budgeted podman build "${build_args[@]}" --target app --tag "$tag" . >"$build_log" 2>&1; then
  tail -40 "$build_log" >&2
  fail "podman build failed (its last lines above; all of it in $build_log)"
fi
grep -E '^(\[[0-9]+/[0-9]+\] )?STEP |^--> Using cache' "$build_log" | sed 's/^/  /'
if [ -d "$work/npm-etc" ] && [ -n "$(pod run --rm --network none --entrypoint ls "$tag" -A /usr/local/etc)" ]; then
  fail "the build's CA mount left files in the image's /usr/local/etc"
fi
bytes=$(podman image inspect --format '{{.Size}}' "$tag")
size_mb=$((bytes / 1000000))
log "built in $((SECONDS - build_started)) s: $tag, $size_mb MB"
[ "$size_mb" -le "$max_mb" ] || fail "the image is $size_mb MB, over $max_mb MB (docker/README.md, 'Image size')"
# The stages worth caching (npm ci, the production packages, ffmpeg) keep a tag; every other
# layer goes: each build's source layers weigh a gigabyte and are stale after the next commit.
for stage in deps prod-deps media; do
  budgeted podman build "${build_args[@]}" --target "$stage" --tag "localhost/athera/cache:$stage" . >>"$build_log" 2>&1 \
    || fail "podman build --target $stage failed (see $build_log)"
done
podman image prune --force >/dev/null

# --- services: a fresh database, an empty Redis database, an s3rver ------------------------------
step=services
[ -f node_modules/s3rver/bin/s3rver.js ] || fail "node_modules/s3rver is missing: run npm ci first"
[ "$(redis-cli -h 127.0.0.1 -n "$redis_db" dbsize)" = 0 ] || fail "Redis database $redis_db is not empty (set ATHERA_CI_REDIS_DB)"
redis_ours=yes
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" || fail "could not create database $db"
db_made=yes
mkdir -p "$work/s3"
node node_modules/s3rver/bin/s3rver.js -d "$work/s3" -a 127.0.0.1 -p "$s3_port" --silent >"$work/s3rver.log" 2>&1 &
s3_pid=$!
wait_for "s3rver on port $s3_port" 30 curl -s "http://127.0.0.1:$s3_port"
secret() { openssl rand -hex "$1"; }
# Production settings, secrets that pass start/secret_checks.ts. PostgreSQL trusts loopback and
# Redis has no password here, so their passwords are only checked for form; s3rver knows the
# one access key S3RVER and does not verify SigV4 signatures.
cat >"$work/app.env" <<EOF
NODE_ENV=production
HOST=127.0.0.1
PORT=$port
APP_URL=http://127.0.0.1:$port
APP_KEY=$(secret 24)
LOG_LEVEL=info
SESSION_DRIVER=redis
LIMITER_STORE=redis
DB_HOST=127.0.0.1
DB_PORT=5432
DB_USER=postgres
DB_PASSWORD=$(secret 12)
DB_DATABASE=$db
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
REDIS_PASSWORD=$(secret 12)
REDIS_DB=$redis_db
S3_ENDPOINT=127.0.0.1
S3_PORT=$s3_port
S3_USE_SSL=false
S3_ACCESS_KEY=S3RVER
S3_SECRET_KEY=$(secret 12)
S3_REGION=us-east-1
S3_BUCKET_PREFIX=athera-ci-
S3_SERVER_SIDE_ENCRYPTION=false
EOF
run_app() { # name roles [podman run options…]
  local name=$1 roles=$2; shift 2
  pod run --detach --name "$name" --network host --env-file "$work/app.env" -e ATHERA_ROLES="$roles" "$@" "$tag" >/dev/null
}
# Every process of the container runs as uid 10001 (podman top reads the host's /proc).
all_uid_10001() {
  local uids
  uids=$(podman top "$1" huser | tail -n +2 | sort -u | paste -sd ' ')
  [ "$uids" = 10001 ] || fail "processes of $1 run as uid(s) '$uids', not 10001 only"
}
stops_cleanly() {
  pod stop --time 60 "$1" >/dev/null
  local code
  code=$(podman inspect --format '{{.State.ExitCode}}' "$1")
  [ "$code" = 0 ] || fail "$1 exited with code $code on SIGTERM, not 0"
}

# --- web and worker in one container (compose's app service) ------------------------------------
step=web
log "web,worker: start, migrate, serve"
run_app "$web" web,worker || fail "podman run failed"
container=$web
wait_for "GET /healthz" 120 curl -sf "http://127.0.0.1:$port/healthz"
[ "$(http_status /readyz)" = 200 ] || fail "GET /readyz is not 200: $(cat "$work/body")"
shipped=$(podman exec "$web" sh -c 'ls database/migrations' | sed -n 's/\.js$//p' | sort)
applied=$(psql -h 127.0.0.1 -U postgres -d "$db" -tAc 'SELECT name FROM adonis_schema' | sed 's#.*/##' | sort)
if [ -z "$shipped" ] || [ "$shipped" != "$applied" ]; then
  fail "migrations: the image ships [$(paste -sd ' ' <<<"$shipped")], the database has [$(paste -sd ' ' <<<"$applied")]"
fi
[ "$(http_status /setup)" = 200 ] || fail "GET /setup is not 200"
grep -q 'Create the first administrator' "$work/body" || fail "/setup does not offer the first administrator's form"
asset=$(grep -o '/assets/[^"]*\.css' "$work/body" | head -1)
if [ -z "$asset" ] || [ "$(http_status "$asset")" != 200 ]; then
  fail "the page's stylesheet (${asset:-none linked}) is not served"
fi
podman logs "$web" >"$work/web.log" 2>&1
grep -q 'setup: this instance has no administrator yet' "$work/web.log" || fail "the log prints no setup token"
all_uid_10001 "$web"
podman healthcheck run "$web" >/dev/null || fail "the image's HEALTHCHECK does not pass"
stops_cleanly "$web"
log "web: migrations $(echo "$applied" | wc -l)/$(echo "$shipped" | wc -l), /healthz /readyz /setup 200, uid 10001, healthy, exit 0 on SIGTERM"

# --- the worker role alone -----------------------------------------------------------------------
step=worker
run_app "$worker" worker || fail "podman run failed"
container=$worker
wait_for "the worker's 'job worker started'" 90 sh -c "podman logs '$worker' 2>&1 | grep -q 'job worker started'"
# No TCP listener belongs to the container's processes (it shares the host's network).
pids=$(podman top "$worker" hpid | tail -n +2 | paste -sd '|')
[ -n "$pids" ] || fail "podman top lists no process of $worker"
listening=$(ss -Hltnp | grep -E "pid=($pids)," || true)
[ -z "$listening" ] || fail "the worker listens: $listening"
all_uid_10001 "$worker"
podman healthcheck run "$worker" >/dev/null || fail "the HEALTHCHECK does not pass for the worker role"
stops_cleanly "$worker"
log "worker: started, no listening socket, uid 10001, healthy, exit 0 on SIGTERM"

# --- the pipeline inside the image, with no network ---------------------------------------------
step=clip
mkdir -p "$work/clip"
chown 10001:10001 "$work/clip"
container=''
log "clip:process on a 2 s clip made by ffmpeg in the image"
budgeted podman run --name "$clip" --network none --env-file "$work/app.env" \
  --volume "$work/clip:/app/tmp/processing" "$tag" sh -c '
    ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x360:rate=25 -t 2 -pix_fmt yuv420p -c:v libx264 tmp/processing/in.mp4 &&
    NO_COLOR=1 node ace clip:process tmp/processing/in.mp4 --out tmp/processing/out --size 640x360 --fps 25' \
  >"$work/clip.log" 2>&1 || { tail -30 "$work/clip.log" >&2; fail "clip:process failed (its last lines above)"; }
for file in video.mp4 keypoints.json metadata.json thumbnail.jpg preview.mp4; do
  [ -s "$work/clip/out/$file" ] || fail "clip:process wrote no $file"
done
grep -q 'Blurred (.*(models on cpu)' "$work/clip.log" || { cat "$work/clip.log" >&2; fail "clip:process did not report the models running"; }
node -e '
  const [metadata, keypoints] = process.argv.slice(1).map((file) => JSON.parse(require("node:fs").readFileSync(file, "utf8")))
  const ran = metadata.anonymization?.anonymize?.frames > 0 && metadata.pose?.pose?.frames > 0 && keypoints.frameCount > 0
  process.exit(ran ? 0 : 1)' "$work/clip/out/metadata.json" "$work/clip/out/keypoints.json" \
  || fail "metadata.json or keypoints.json shows no frame through the anonymization and pose models"
log "clip: $(grep -o 'Blurred (.*' "$work/clip.log")"

echo "image step: $((SECONDS - started)) s, image $size_mb MB"
