#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the service need.
# Only what is missing is installed, so a second run costs one dpkg query.
set -euo pipefail

SMART_TRAINER_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libcaf-dev libboost-dev libboost-system-dev libpq-dev libcurl4-openssl-dev
  rapidjson-dev catch2 libssl-dev zlib1g-dev libcrypt-dev clang libclang-rt-14-dev
  libhowardhinnant-date-dev tzdata prometheus-cpp-dev libyaml-cpp-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev python3-pil
  libturbojpeg0-dev libpng-dev libwebp-dev
  postgresql-15 python3 python3-cryptography curl
)

install_missing_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Only the tests need these: the admin page is driven in headless Chromium.
SMART_TRAINER_TEST_PACKAGES=(chromium fonts-dejavu-core)

# npm fetches Swagger UI's static files for /docs at configure time
# (CMakeLists.txt); Debian's npm when the machine has none of its own.
install_deps() {
  install_missing_packages "${SMART_TRAINER_PACKAGES[@]}"
  command -v npm >/dev/null || install_missing_packages npm
}
install_test_deps() { install_missing_packages "${SMART_TRAINER_TEST_PACKAGES[@]}"; }

# build_project DIR TYPE [extra cmake args...]: configure once, then build
# everything, or only the targets named in BUILD_TARGETS.
build_project() {
  local dir=$1 type=$2
  shift 2
  # Paths relative to the checkout: every clone shares the compiler cache.
  export CCACHE_BASEDIR
  CCACHE_BASEDIR=$(repo_root)
  cmake -S "$(repo_root)" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" >/dev/null
  local targets=()
  for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
  cmake --build "$dir" --parallel "$(nproc)" "${targets[@]}"
}

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }
