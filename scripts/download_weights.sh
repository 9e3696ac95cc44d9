#!/usr/bin/env bash
# Downloads the ali-vilab/i2vgen-xl diffusers folder (fp16 weights + configs) into Models/i2vgen-xl.
# Run on a host with internet access (i2v itself never downloads anything), then copy the folder
# to the serving host and run `i2v models verify Models/i2vgen-xl`.
#
# Uses the `hf` command of the huggingface_hub Python package (pip install -U huggingface_hub).
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="${1:-Models/i2vgen-xl}"
REVISION="${I2V_WEIGHTS_REVISION:-main}"

if ! command -v hf >/dev/null 2>&1 && ! command -v huggingface-cli >/dev/null 2>&1; then
  echo "download_weights: install the Hugging Face CLI first: python3 -m pip install -U huggingface_hub" >&2
  exit 1
fi
CLI=hf
command -v hf >/dev/null 2>&1 || CLI=huggingface-cli

mkdir -p "$DEST"
# Configs, tokenizer and the fp16 weight variant only (the fp32 files double the download).
"$CLI" download ali-vilab/i2vgen-xl --revision "$REVISION" --local-dir "$DEST" \
  --include "model_index.json" "*/config.json" "scheduler/scheduler_config.json" \
            "feature_extractor/preprocessor_config.json" "tokenizer/*" "*.fp16.safetensors"
echo "download_weights: done. Check it with: i2v models verify $DEST"
