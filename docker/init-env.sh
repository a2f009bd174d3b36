#!/bin/sh
# Writes .env from .env.example with fresh random secrets (APP_KEY, database, Redis and S3
# passwords, MinIO's encryption key), and docker/minio-root.env with MinIO's root credentials
# (read only by the minio and minio-init services; the app uses its own S3 user). Refuses to
# overwrite an existing .env: the MinIO key in it is the only way to read the stored objects.
set -eu
cd "$(dirname "$0")/.."

if [ -e .env ]; then
  echo "init-env: .env already exists; not touching it." >&2
  exit 1
fi
if [ -e docker/minio-root.env ]; then
  echo "init-env: docker/minio-root.env already exists; not touching it." >&2
  exit 1
fi

random() { head -c "$1" /dev/urandom | base64 | tr -d '\n=+/' | cut -c1-"$2"; }

app_key=$(random 48 40)
db_password=$(random 32 32)
s3_secret=$(random 32 32)
redis_password=$(random 32 32)
minio_root_password=$(random 32 32)
kms_key="athera-key:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"

sed -e "s|^APP_KEY=.*|APP_KEY=${app_key}|" \
    -e "s|^DB_PASSWORD=.*|DB_PASSWORD=${db_password}|" \
    -e "s|^S3_SECRET_KEY=.*|S3_SECRET_KEY=${s3_secret}|" \
    -e "s|^REDIS_PASSWORD=.*|REDIS_PASSWORD=${redis_password}|" \
    -e "s|^MINIO_KMS_SECRET_KEY=.*|MINIO_KMS_SECRET_KEY=${kms_key}|" \
    .env.example > .env
chmod 600 .env
umask 077
printf 'MINIO_ROOT_USER=athera-root\nMINIO_ROOT_PASSWORD=%s\n' "$minio_root_password" > docker/minio-root.env
echo "init-env: wrote .env and docker/minio-root.env with fresh secrets. Back up MINIO_KMS_SECRET_KEY apart from your data."
