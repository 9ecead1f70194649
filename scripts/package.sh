#!/usr/bin/env bash
# Build the packaged app (dist/ArtSeek/) and run its --self-test.
#   scripts/package.sh            bundle the ONNX exports found in resources/models/ (production)
#   scripts/package.sh --tiny     bundle the tiny test model instead (CI / the packaging test)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
MODELS=resources/models
SELFTEST_ARGS=()
if [[ "${1:-}" == "--tiny" ]]; then
  MODELS=build/bundle-models
  rm -rf "$MODELS" && mkdir -p "$MODELS"
  # --int8 --static-int8: the towers ONNX Runtime and OpenVINO run (the latter measured here, if installed)
  $PY main.py models export --model tiny-test --int8 --static-int8 --dest "$MODELS" >/dev/null
  SELFTEST_ARGS=(--model tiny-test)
fi
ARTSEEK_BUNDLE_MODELS="$MODELS" $PY -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller pyinstaller.spec
$PY scripts/strip_bundle.py dist/ArtSeek  # debug info and symbol tables some wheels ship (about 80 MB)
EXE=dist/ArtSeek/ArtSeek
[[ -x "$EXE" ]] || EXE=dist/ArtSeek/ArtSeek.exe
echo "bundle size: $(du -sh dist/ArtSeek | cut -f1)"
# Self-test with no network (where unshare is allowed) and no Python on the PATH.
# ARTSEEK_OPENVINO=1: OpenVINO wherever it agrees, so the bundled OpenVINO is exercised even where it is not the
# faster runtime for the model (the tiny model runs about as fast on both).
RUN=(env -i HOME="$HOME" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen ARTSEEK_OPENVINO=1 "$EXE" --self-test \
     "${SELFTEST_ARGS[@]}")
if unshare -n true 2>/dev/null; then RUN=(unshare -n "${RUN[@]}"); fi
STATUS=0
REPORT=$("${RUN[@]}") || STATUS=$?
echo "$REPORT"
[[ $STATUS -eq 0 ]] || exit $STATUS
# A bundle with OpenVINO must run on it (the model's static int8 tower, checked on this machine).
if compgen -G "dist/ArtSeek/_internal/openvino/libs/*openvino_intel_cpu_plugin*" >/dev/null \
    && [[ "$REPORT" != *'"backend": "openvino"'* ]]; then
  echo "self-test: OpenVINO is bundled but the model did not run on it" >&2
  exit 1
fi
