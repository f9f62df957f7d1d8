#!/usr/bin/env bash
# `make container-test`: build the unmodified Dockerfile with podman and check the image.
#
# Machines without a Docker engine (CI's among them) can still build and run the image with
# Debian's podman. The Dockerfile's base, python:3.12-slim, cannot be pulled from a registry there,
# so a stand-in is made: a `debootstrap --variant=minbase` Debian trixie (Python 3.13, which the
# dolfinx wheel accepts; bookworm's 3.11 is too old) with python3-venv/-dev and the host's extra CA
# certificates, imported and tagged python:3.12-slim, and the Dockerfile is built with --pull=never.
#
# Steps (each timed; the total is printed at the end):
#   1. install podman, runc and debootstrap with apt-get where missing; only if podman cannot be
#      installed does it print "SKIPPED: ..." and exit 0;
#   2. write a containers.conf (runtime runc: crun refuses this machine's hybrid cgroup layout;
#      cgroupfs; default ulimits within the host's hard limits, nproc <= 32768) into a temporary
#      folder and export CONTAINERS_CONF;
#   3. the stand-in base: debootstrap into $SSBX_CONTAINER_CACHE (kept there, keyed by ISO week
#      and configuration, so later runs reuse it), import it as python:3.12-slim unless that
#      image already is this rootfs;
#   4. podman build --pull=never (layer cache kept: an unchanged tree rebuilds in seconds);
#   5. in the container: `ssbx info`; `ssbx run` of examples/flat_bv.toml into a bind-mounted host
#      folder with --user UID:GID, summary.json checked on the host (the folder's owner and file
#      owner); `mpirun -n 2 ssbx run` of the same case, cell voltage equal to the 1-rank run's
#      (relative 1e-8).
# Any failure exits non-zero with the step that failed.
#
# Needs root (apt-get, debootstrap, podman as root). Settings (environment):
#   SSBX_CONTAINER_CACHE  base rootfs cache (default /var/cache/ssbx-container-test)
#   SSBX_CONTAINER_IMAGE  tag of the built image (default localhost/ssbx:container-test)
#   SSBX_CONTAINER_CASE   case file (default examples/flat_bv.toml)
#   SSBX_CONTAINER_UID    uid:gid the runs use when this script runs as root (default 4321:4321:
#                         a folder owned by neither root nor the image's user ssbx, uid 1000);
#                         as another user, $(id -u):$(id -g)
#   SSBX_BASE_MIRROR      Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   SSBX_RUN_TIMEOUT      seconds one `podman run` may take (default 900)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

T0=$SECONDS
STEP=start
STEP_T0=$SECONDS
TMP=""
WORK=""
PASSED=0

say() { printf 'container-test: %s\n' "$*"; }
die() {
  printf 'container-test: error: %s\n' "$*" >&2
  exit 1
}
step_done() {
  if [ "$STEP" != start ]; then say "  ok: $STEP ($((SECONDS - STEP_T0)) s)"; fi
}
step() {
  step_done
  STEP=$1
  STEP_T0=$SECONDS
  say "==> $STEP  [t=$((SECONDS - T0)) s]"
}
on_exit() {
  local rc=$?
  [ -n "$WORK" ] && rm -rf "$WORK"
  [ -n "$TMP" ] && rm -rf "$TMP"
  if [ "$rc" != 0 ]; then
    printf 'container-test: FAILED at step "%s" (exit %s) after %s s\n' \
      "$STEP" "$rc" "$((SECONDS - T0))" >&2
  fi
  exit "$rc"
}
trap on_exit EXIT

IMAGE=${SSBX_CONTAINER_IMAGE:-localhost/ssbx:container-test}
CASE=${SSBX_CONTAINER_CASE:-examples/flat_bv.toml}
MIRROR=${SSBX_BASE_MIRROR:-http://deb.debian.org/debian}
RUN_TIMEOUT=${SSBX_RUN_TIMEOUT:-900}
SUITE=trixie
# python3-dev: Python.h for FFCx's compiled forms, which python:3.12-slim carries too.
INCLUDE=python3,python3-venv,python3-dev,ca-certificates
# `FROM python:3.12-slim` finds a local localhost/python:3.12-slim with --pull=never
BASE_TAG=localhost/python:3.12-slim
# bump to force a new base everywhere
BASE_RECIPE=1

[ -f "$CASE" ] || die "case file $CASE not found"

# ---------------------------------------------------------------------------------------------
step "tools (podman, runc, debootstrap)"
if [ "$(id -u)" != 0 ]; then
  if command -v podman >/dev/null 2>&1; then
    die "run as root: the stand-in base needs debootstrap and podman as root"
  fi
  say "SKIPPED: podman is not installed and cannot be installed without root (apt-get)"
  exit 0
fi
missing=()
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    if ! command -v podman >/dev/null 2>&1; then
      say "SKIPPED: podman is not installed and there is no apt-get to install it"
      exit 0
    fi
    die "missing ${missing[*]} and no apt-get to install them"
  fi
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt_log=$(mktemp)
  apt_ok=1
  apt-get update -qq >"$apt_log" 2>&1 || apt-get update -qq >"$apt_log" 2>&1 || apt_ok=0
  if [ "$apt_ok" = 1 ]; then
    # runc named here so that it, not crun, satisfies podman's "crun | runc"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$apt_log" 2>&1 || apt_ok=0
  fi
  if [ "$apt_ok" = 0 ]; then
    tail -n 20 "$apt_log" >&2
  fi
  rm -f "$apt_log"
  if ! command -v podman >/dev/null 2>&1; then
    say "SKIPPED: podman is not installed and apt-get could not install it (see above)"
    exit 0
  fi
  [ "$apt_ok" = 1 ] || die "apt-get failed to install ${missing[*]}"
fi
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found after installing it"
done
[ -e /usr/share/debootstrap/scripts/$SUITE ] || die "this debootstrap does not know $SUITE"
say "$(podman --version), $(runc --version | head -n 1)"

# ---------------------------------------------------------------------------------------------
step "containers.conf"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ssbx-container-test.XXXXXX")
hard_limit() { # the hard limit from `ulimit -H$1`, "unlimited" as $2, capped at $2
  local v
  v=$(ulimit -H"$1")
  if [ "$v" = unlimited ] || [ "$v" -gt "$2" ]; then v=$2; fi
  echo "$v"
}
nofile=$(hard_limit n 1048576)
nproc=$(hard_limit u 32768)
cat >"$TMP/containers.conf" <<EOF
# written by ci/container/test.sh
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF="$TMP/containers.conf"
say "CONTAINERS_CONF=$CONTAINERS_CONF (runc, cgroupfs, nofile=$nofile, nproc=$nproc)"
podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}} cgroups {{.Host.CgroupsVersion}}' \
  || die "podman info failed"

# ---------------------------------------------------------------------------------------------
step "stand-in base python:3.12-slim (debootstrap $SUITE)"
if [ -n "${SSBX_CONTAINER_CACHE:-}" ]; then
  CACHE=$SSBX_CONTAINER_CACHE
else
  CACHE=/var/cache/ssbx-container-test
fi
mkdir -p "$CACHE"
# one run at a time on this machine (shared cache, image tags)
exec 9>"$CACHE/.lock"
flock -w 1800 9 || die "another container-test has held $CACHE/.lock for 30 min"
certs=()
if [ -d /usr/local/share/ca-certificates ]; then
  while IFS= read -r -d '' f; do certs+=("$f"); done \
    < <(find /usr/local/share/ca-certificates -type f -name '*.crt' -print0 | sort -z)
fi
week=$(date -u +%G-W%V)
key=$(
  {
    echo "$BASE_RECIPE $SUITE minbase $INCLUDE $MIRROR"
    [ "${#certs[@]}" -gt 0 ] && cat "${certs[@]}"
  } | sha256sum | cut -c1-12
)
BASE_DIR="$CACHE/base-$SUITE-$week-$key"
if [ -s "$BASE_DIR/rootfs.tar" ] && [ -e "$BASE_DIR/ok" ]; then
  say "reusing $BASE_DIR"
else
  rm -rf "$BASE_DIR"
  mkdir -p "$BASE_DIR"
  rootfs="$BASE_DIR/rootfs"
  say "debootstrap --variant=minbase $SUITE ($MIRROR) into $rootfs"
  bootstrap() {
    debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$rootfs" "$MIRROR" \
      >"$BASE_DIR/debootstrap.log" 2>&1
  }
  if ! bootstrap; then # once more: a download may fail now and then
    say "debootstrap failed; once more from scratch"
    tail -n 5 "$BASE_DIR/debootstrap.log" >&2
    rm -rf "$rootfs"
    if ! bootstrap; then
      tail -n 30 "$BASE_DIR/debootstrap.log" >&2
      [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2
      die "debootstrap failed (log: $BASE_DIR/debootstrap.log)"
    fi
  fi
  if [ "${#certs[@]}" -gt 0 ]; then
    say "adding ${#certs[@]} CA certificate(s) from /usr/local/share/ca-certificates"
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    cp "${certs[@]}" "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  fi
  chroot "$rootfs" python3 -c 'import sys, venv, ensurepip, sysconfig, os
assert sys.version_info >= (3, 12), sys.version
assert os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
print("stand-in base: Python", sys.version.split()[0])'
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
  tar --numeric-owner --xattrs -C "$rootfs" -cf "$BASE_DIR/rootfs.tar" .
  rm -rf "$rootfs"
  touch "$BASE_DIR/ok"
  # older bases (other weeks or recipes)
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'base-*' ! -path "$BASE_DIR" \
    -exec rm -rf {} +
fi
base_id=$(podman image inspect --format '{{.Id}}' "$BASE_TAG" 2>/dev/null || true)
if [ -n "$base_id" ] && [ "$base_id" = "$(cat "$BASE_DIR/image-id" 2>/dev/null)" ]; then
  say "python:3.12-slim is already this base (${base_id:0:12})"
else
  say "importing $BASE_DIR/rootfs.tar as python:3.12-slim"
  # the image configuration python:3.12-slim has (PATH, LANG, CMD); without PATH the
  # Dockerfile's ENV PATH=/opt/ssbx/env/bin:${PATH} would lose /usr/bin
  podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    "$BASE_DIR/rootfs.tar" "$BASE_TAG" >/dev/null
  base_id=$(podman image inspect --format '{{.Id}}' "$BASE_TAG")
  echo "$base_id" >"$BASE_DIR/image-id"
fi

# ---------------------------------------------------------------------------------------------
step "podman build --pull=never (the Dockerfile, unmodified)"
old_id=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
build_log="$TMP/build.log"
build() { podman build --pull=never --network=host --layers -f Dockerfile -t "$IMAGE" . >"$build_log" 2>&1; }
if ! build; then
  # once more (the layers built so far are reused): apt-get and pip download in the build
  tail -n 20 "$build_log" >&2
  say "podman build failed; once more"
  if ! build; then
    tail -n 60 "$build_log" >&2
    die "podman build failed"
  fi
fi
grep -E '^(STEP|COMMIT|--> Using cache|installing ssbx)' "$build_log" | cut -c1-150 || true
new_id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
  # the previous build, so that repeated runs do not fill the disk (its layers still shared
  # with the new image or with the build cache stay)
  podman rmi "$old_id" >/dev/null 2>&1 || true
fi
podman image ls --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' "$IMAGE"

RUN=(podman run --rm --network=none --timeout "$RUN_TIMEOUT")

# ---------------------------------------------------------------------------------------------
step "ssbx info in the container"
info=$("${RUN[@]}" "$IMAGE" ssbx info) || {
  echo "$info" >&2
  die "ssbx info failed in the container"
}
echo "$info" | head -n 25
grep -qi dolfinx <<<"$info" || die "ssbx info does not mention dolfinx"
PASSED=$((PASSED + 1))

# ---------------------------------------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  RUN_USER=${SSBX_CONTAINER_UID:-4321:4321}
else
  RUN_USER="$(id -u):$(id -g)"
fi
run_uid=${RUN_USER%%:*}
step "ssbx run $CASE into a mounted folder, --user $RUN_USER"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ssbx-container-work.XXXXXX")
cp "$CASE" "$WORK/case.toml"
chown -R "$RUN_USER" "$WORK"
"${RUN[@]}" --user "$RUN_USER" -v "$WORK":/work "$IMAGE" \
  ssbx run /work/case.toml --out /work/serial --quiet || die "ssbx run failed in the container"
[ -s "$WORK/serial/summary.json" ] || die "no serial/summary.json in the mounted folder"
owner=$(stat -c %u "$WORK/serial/summary.json")
[ "$owner" = "$run_uid" ] || die "summary.json belongs to uid $owner, not $run_uid"
say "summary.json on the host: $WORK/serial/summary.json (uid $owner)"
PASSED=$((PASSED + 1))

# ---------------------------------------------------------------------------------------------
step "mpirun -n 2 ssbx run (same case) against 1 rank"
"${RUN[@]}" --user "$RUN_USER" -v "$WORK":/work "$IMAGE" \
  mpirun -n 2 ssbx run /work/case.toml --out /work/mpi2 --quiet \
  || die "mpirun -n 2 ssbx run failed in the container"
[ -s "$WORK/mpi2/summary.json" ] || die "no mpi2/summary.json in the mounted folder"
PASSED=$((PASSED + 1))
cat >"$WORK/compare.py" <<'EOF'
import json
import sys

s = json.load(open("/work/serial/summary.json"))
m = json.load(open("/work/mpi2/summary.json"))
for name, d, n in (("1 rank", s, 1), ("2 ranks", m, 2)):
    if d["status"] != "ok" or d["ranks"] != n:
        sys.exit(f"{name}: status {d['status']!r}, ranks {d['ranks']!r}")
v1 = s["results"]["scalars"]["cell_voltage"]["value"]
v2 = m["results"]["scalars"]["cell_voltage"]["value"]
rel = abs(v2 - v1) / abs(v1)
print(f"cell voltage: 1 rank {v1!r} V, 2 ranks {v2!r} V, relative difference {rel:.2e}")
sys.exit(0 if rel <= 1e-8 else "cell voltages differ by more than 1e-8 (relative)")
EOF
"${RUN[@]}" --user "$RUN_USER" -v "$WORK":/work:ro "$IMAGE" python /work/compare.py \
  || die "1-rank and 2-rank results disagree"
PASSED=$((PASSED + 1))

step_done
say "total $((SECONDS - T0)) s"
say "$PASSED passed, 0 failed"
