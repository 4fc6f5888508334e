#!/usr/bin/env bash
# Install the Debian packages the project needs (QGIS 3.22 with Python bindings, GDAL's
# rasterio and shapely, geopandas for model_core.api and matplotlib for docs/python.md, Java
# for METEOR, Qt tools for translations, and an X server with Mesa's software OpenGL for the
# desktop smoke test). Idempotent: when every package is already installed it returns at once.
set -euo pipefail
packages=(
  qgis python3-qgis qgis-providers
  python3-rasterio python3-shapely python3-gdal python3-venv python3-pip
  python3-geopandas python3-matplotlib
  default-jre-headless
  qttools5-dev-tools pyqt5-dev-tools
  zip unzip
  xvfb xauth libgl1-mesa-dri
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
