"""Build the installable plugin zip and install it into a QGIS profile.

``zip``: dist/clvnet.zip holding one top folder ``clvnet/`` (the name QGIS imports the plugin
as) with ``__init__.py``, ``metadata.txt``, ``icon.png``, ``LICENSE``, ``README.md``,
``clvnet_qgis/``, ``model_core/`` (with the bundled checkpoint) and ``i18n/`` (``.ts`` and
``.qm``); never ``training/``, ``tests/``, caches or compiled bytecode. Entries are sorted and
dated by ``metadata.txt`` so the same tree gives the same zip.

``deploy``: unpack that zip into a QGIS profile's ``python/plugins/clvnet`` (the default
profile unless ``--profile`` or ``--plugins-dir`` says otherwise), replacing an earlier copy.

Usage: python scripts/plugin_package.py zip [--out dist/clvnet.zip]
       python scripts/plugin_package.py deploy [--profile default | --plugins-dir DIR]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Iterator, List

REPO = Path(__file__).resolve().parents[1]
PLUGIN_NAME = "clvnet"
TOP_FILES = ("__init__.py", "metadata.txt", "icon.png", "LICENSE", "README.md")
TOP_DIRS = ("clvnet_qgis", "model_core", "i18n")
REQUIRED = ("__init__.py", "metadata.txt", "icon.png", "LICENSE", "clvnet_qgis", "model_core")
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".orig", ".rej", ".swp"}
I18N_SUFFIXES = {".ts", ".qm"}
BUNDLED_CHECKPOINT = Path("model_core") / "checkpoints" / "clvnet-tiny" / "model.safetensors"


def plugin_files(repo: Path) -> Iterator[Path]:
    """Files of the plugin, relative to ``repo``, in a stable order."""
    for name in TOP_FILES:
        if (repo / name).is_file():
            yield Path(name)
    for top in TOP_DIRS:
        root = repo / top
        if not root.is_dir():
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                path = Path(folder, name)
                if name.startswith(".") or path.suffix in SKIP_SUFFIXES:
                    continue
                if top == "i18n" and path.suffix not in I18N_SUFFIXES:
                    continue
                yield path.relative_to(repo)


def build_zip(repo: Path, out: Path) -> List[str]:
    """Write the plugin zip to ``out``; returns warnings (e.g. no bundled checkpoint).

    Raises SystemExit when a file the plugin cannot load without is missing.
    """
    missing = [name for name in REQUIRED if not (repo / name).exists()]
    if missing:
        raise SystemExit(f"Cannot build the plugin zip: {', '.join(missing)} missing in {repo}.")
    warnings = []
    if not (repo / BUNDLED_CHECKPOINT).is_file():
        warnings.append(
            f"No bundled checkpoint ({BUNDLED_CHECKPOINT}): the plugin will ask users for a "
            "checkpoint folder."
        )
    if not any((repo / "i18n").glob("*.qm")):
        warnings.append("No compiled translations (i18n/*.qm): run 'make transcompile' first.")
    stamp = _zip_time(repo / "metadata.txt")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel in plugin_files(repo):
            info = zipfile.ZipInfo(f"{PLUGIN_NAME}/{rel.as_posix()}", date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(repo / rel, "rb") as handle, archive.open(info, "w") as target:
                shutil.copyfileobj(handle, target, 1 << 20)
    partial.replace(out)
    return warnings


def _zip_time(path: Path) -> tuple:
    """Timestamp for every entry: the metadata file's, not before 1980 (zip's epoch)."""
    seconds = max(path.stat().st_mtime, 315532800.0)
    return time.localtime(seconds)[:6]


def default_plugins_dir(profile: str) -> Path:
    """``python/plugins`` of a QGIS 3 profile on this platform."""
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
        root = base / "QGIS" / "QGIS3"
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Application Support" / "QGIS" / "QGIS3"
    else:
        data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        root = Path(data) / "QGIS" / "QGIS3"
    return root / "profiles" / profile / "python" / "plugins"


def deploy(zip_path: Path, plugins_dir: Path) -> Path:
    """Unpack the zip into ``plugins_dir/clvnet`` (replacing it); returns that folder.

    The new copy is unpacked beside the old one first, so a failure leaves the old one.
    """
    plugins_dir.mkdir(parents=True, exist_ok=True)
    target = plugins_dir / PLUGIN_NAME
    staging = Path(tempfile.mkdtemp(prefix=".clvnet-", dir=plugins_dir))
    try:
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(staging)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        (staging / PLUGIN_NAME).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: List[str]) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    zip_cmd = sub.add_parser("zip", help="build dist/clvnet.zip")
    zip_cmd.add_argument("--out", type=Path, default=REPO / "dist" / f"{PLUGIN_NAME}.zip")
    dep = sub.add_parser("deploy", help="build the zip and install it into a QGIS profile")
    dep.add_argument("--out", type=Path, default=REPO / "dist" / f"{PLUGIN_NAME}.zip")
    where = dep.add_mutually_exclusive_group()
    where.add_argument("--profile", default="default", help="QGIS profile name")
    where.add_argument("--plugins-dir", type=Path, help="install into this plugins folder")
    args = parser.parse_args(argv)

    for warning in build_zip(REPO, args.out):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"plugin zip: {args.out}")
    if args.command == "deploy":
        target = deploy(args.out, args.plugins_dir or default_plugins_dir(args.profile))
        print(f"installed into {target}; restart QGIS and enable CLV-Net in Plugins > Manage.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
