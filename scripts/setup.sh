# Shared set-up for scripts/run, scripts/test and scripts/bench (sourced, not run).
# Installs the Debian packages that are missing, then configures and builds one preset.
set -euo pipefail

MPSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MPSCOPE_PACKAGES=(
    cmake ninja-build g++ pkg-config python3
    libboost-dev libssl-dev nlohmann-json3-dev
    qt6-base-dev qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
    libqt6opengl6-dev qt6-svg-dev qt6-translations-l10n fonts-noto-cjk
    clang-14 libclang-rt-14-dev
    xvfb xauth
)

mpscope_install_packages() {
    local missing=()
    for pkg in "${MPSCOPE_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "mpscope: installing missing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# mpscope_build PRESET [ninja targets...]
mpscope_build() {
    local preset="$1"
    shift
    cd "$MPSCOPE_ROOT"
    if [ ! -f "build/$preset/build.ninja" ]; then
        cmake --preset "$preset" >/dev/null
    fi
    cmake --build --preset "$preset" --parallel "$(nproc)" ${1:+--target "$@"}
}
