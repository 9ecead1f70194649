"""Strip the symbol tables and debug info that some wheels ship in their shared libraries (Linux builds).

Usage: python scripts/strip_bundle.py dist/ArtSeek

Debian's rule for shared libraries (``strip --strip-unneeded``): what the
dynamic loader needs stays, debug info and the static symbol table go. Only
ELF files that ``file`` reports "not stripped" are touched, and never those in
``*.libs`` folders (auditwheel/delocate rewrote those with patchelf, which
strip can break). Each stripped file is then loaded (``ctypes.CDLL``, with the
bundle's own libraries on the path) in a child process; one that no longer
loads is put back as it was. Prints the bytes saved. PyInstaller's own
``strip=True`` strips everything, the patched libraries included, so it stays off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LOADS = "import ctypes, sys; ctypes.CDLL(sys.argv[1])"


def candidates(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*.so*")):
        if path.is_symlink() or not path.is_file() or any(p.endswith(".libs") for p in path.relative_to(root).parts):
            continue
        with open(path, "rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
        desc = subprocess.run(["file", "-b", str(path)], capture_output=True, text=True).stdout
        if "not stripped" in desc:
            out.append(path)
    return out


def main(dist: Path) -> int:
    if not sys.platform.startswith("linux") or shutil.which("strip") is None or shutil.which("file") is None:
        print("strip_bundle: not Linux or no strip/file here; nothing stripped")
        return 0
    internal = dist / "_internal" if (dist / "_internal").is_dir() else dist
    env = {**os.environ, "LD_LIBRARY_PATH": f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"}
    saved, kept = 0, []
    for path in candidates(internal):
        before = path.stat().st_size
        backup = path.with_name(path.name + ".unstripped")
        shutil.copy2(path, backup)
        ok = subprocess.run(["strip", "--strip-unneeded", str(path)], capture_output=True).returncode == 0
        ok = ok and subprocess.run([sys.executable, "-c", LOADS, str(path)], env=env, capture_output=True,
                                   timeout=120).returncode == 0
        if ok:
            saved += before - path.stat().st_size
            backup.unlink()
        else:
            backup.replace(path)
            kept.append(str(path.relative_to(internal)))
    print(f"strip_bundle: {saved / 1e6:.1f} MB saved" + (f"; left as shipped (would not load): {', '.join(kept)}"
                                                           if kept else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/ArtSeek")))
