#!/usr/bin/env bash
# Regenerates src/core/formats/onnx-proto.js (+ .d.ts) from tools/onnx/onnx.proto.
# A static module, not a runtime parse of the .proto: protobufjs's runtime
# reflection builds code with eval, which the app's strict CSP blocks.
# onnx.proto comes from Debian's python3-onnx (/usr/lib/python3/dist-packages/onnx/onnx.proto, ONNX 1.12).
# Decoding only: no encoders, converters or verifiers are generated.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=src/core/formats/onnx-proto
flags=(-t static-module -w es6 --no-encode --no-create --no-verify --no-convert --no-delimited --no-service --keep-case)
# pbts reads the JSDoc comments, so type the commented build, then ship the compact one.
npx pbjs "${flags[@]}" -o "$out.js" tools/onnx/onnx.proto
npx pbts -o "$out.d.ts" "$out.js"
npx pbjs "${flags[@]}" --no-comments -o "$out.js" tools/onnx/onnx.proto
echo "wrote $out.js and $out.d.ts"
