#!/bin/sh
# The minio-init service (compose.yaml): gives the app its own MinIO user, limited to the
# three buckets, so MinIO's root credentials (docker/minio-root.env) never reach the app.
# Idempotent: run at every `docker compose up`; a changed S3_SECRET_KEY becomes the user's secret.
# Shell builtins and `mc` only: the MinIO image has no sed or grep.
# ATHERA_PRINT_POLICY=1 prints the policy and exits (tests/unit/compose.spec.ts).
set -eu

prefix="${S3_BUCKET_PREFIX:-athera-}"

policy() {
  printf '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
  printf '    {\n      "Effect": "Allow",\n      "Action": ["s3:*"],\n      "Resource": [\n'
  printf '        "arn:aws:s3:::%sraw", "arn:aws:s3:::%sraw/*",\n' "$prefix" "$prefix"
  printf '        "arn:aws:s3:::%sprocessed", "arn:aws:s3:::%sprocessed/*",\n' "$prefix" "$prefix"
  printf '        "arn:aws:s3:::%spreviews", "arn:aws:s3:::%spreviews/*"\n' "$prefix" "$prefix"
  printf '      ]\n    }\n  ]\n}\n'
}

if [ "${ATHERA_PRINT_POLICY:-}" = "1" ]; then
  policy
  exit 0
fi

: "${MINIO_ROOT_USER:?set MINIO_ROOT_USER in docker/minio-root.env}"
: "${MINIO_ROOT_PASSWORD:?set MINIO_ROOT_PASSWORD in docker/minio-root.env}"
: "${S3_ACCESS_KEY:?set S3_ACCESS_KEY in .env}"
: "${S3_SECRET_KEY:?set S3_SECRET_KEY in .env}"
if [ "$S3_ACCESS_KEY" = "$MINIO_ROOT_USER" ]; then
  echo "minio-init: S3_ACCESS_KEY (.env) must differ from MINIO_ROOT_USER (docker/minio-root.env): the app gets its own user." >&2
  exit 1
fi

export MC_CONFIG_DIR=/tmp/mc
mc --quiet alias set athera http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
policy > /tmp/athera-app-policy.json
mc --quiet admin policy create athera athera-app /tmp/athera-app-policy.json
# Creates the user, or sets the secret of an existing one (rotation).
mc --quiet admin user add athera "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
if ! mc --quiet admin policy attach athera athera-app --user "$S3_ACCESS_KEY" 2>/dev/null; then
  # Attaching twice fails; check that it is attached rather than give up.
  info=$(mc --quiet admin user info athera "$S3_ACCESS_KEY" --json)
  case "$info" in
    *athera-app*) ;;
    *) echo "minio-init: could not attach the athera-app policy to $S3_ACCESS_KEY." >&2; exit 1 ;;
  esac
fi
echo "minio-init: user $S3_ACCESS_KEY may use ${prefix}raw, ${prefix}processed and ${prefix}previews only."
