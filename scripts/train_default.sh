#!/usr/bin/env bash
# Reproduce the bundled default checkpoint (model_core/checkpoints/clvnet-tiny) from scratch:
# train the tiny preset on synthetic scenes in two stages, evaluate it on a held-out synthetic
# split and on the real GeoPixelD record, run the ablations, write the model card, install it.
#
# Usage: scripts/train_default.sh [PART]        (make train-default runs "all")
#   PART: all | train | evaluate | ablations | card
#   Stage 1: training/configs/tiny.json from scratch (batch 32, lr 1e-3, seed 0).
#   Stage 2: training/configs/tiny-stage2.json from stage 1 (lr 4e-4, a new data order, seed 1).
#   Ablations: training/configs/tiny-ablation.json, ABL_STEPS steps each (default 400).
# The step counts live in the config files; on a CUDA machine both stages run on the GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PART=${1:-all}
ABL_STEPS=${ABL_STEPS:-400}
STAGE1=runs/clvnet-tiny-stage1
RUN=runs/clvnet-tiny
TEST_SEED=777            # held-out: training uses seed 1
REAL=../shared/data/real/geopixeld_sample
DATA=synthetic:1:1000000
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

train() {
  $PY -m training.train --config training/configs/tiny.json --data $DATA --out "$STAGE1" \
      --overwrite
  $PY -m training.train --config training/configs/tiny-stage2.json --data $DATA --out "$RUN" \
      --overwrite --set init_checkpoint="$STAGE1"
}

evaluate() {
  $PY -m training.evaluate --checkpoint "$RUN" --synthetic-seed $TEST_SEED --n 500 \
      --out "$RUN/eval_synthetic.json"
  $PY -m training.evaluate --checkpoint "$STAGE1" --synthetic-seed $TEST_SEED --n 500 \
      --out "$STAGE1/eval_synthetic.json"
  if [ -d "$REAL" ]; then
    $PY -m training.evaluate --checkpoint "$RUN" --data "$REAL" --out "$RUN/eval_real.json"
  fi
}

ablations() {
  declare -A variants=(
    [full]=""
    [no_relation_stage]="model_overrides.decoder.relation_layers=0"
    [no_semantic_loss]="model_overrides.loss.semantic=0"
    [no_relationship_loss]="model_overrides.loss.relation_align=0 model_overrides.loss.relation_ce=0"
  )
  for name in full no_relation_stage no_semantic_loss no_relationship_loss; do
    sets=(--set steps="$ABL_STEPS")
    for kv in ${variants[$name]}; do sets+=(--set "$kv"); done
    $PY -m training.train --config training/configs/tiny-ablation.json --data $DATA \
        --out "runs/ablation/$name" --overwrite "${sets[@]}"
    $PY -m training.evaluate --checkpoint "runs/ablation/$name" --synthetic-seed $TEST_SEED \
        --n 200 --out "runs/ablation/$name.json"
  done
}

card() {
  local args=(--run "$RUN" --stage1 "$STAGE1" --synthetic "$RUN/eval_synthetic.json"
              --stage1-synthetic "$STAGE1/eval_synthetic.json")
  [ -f "$RUN/eval_real.json" ] && args+=(--real "$RUN/eval_real.json")
  for json in runs/ablation/*.json; do
    [ -f "$json" ] && args+=(--ablation "$json")
  done
  $PY -m training.model_card "${args[@]}" --command "make train-default"
  dest=model_core/checkpoints/clvnet-tiny
  mkdir -p "$dest"
  cp "$RUN"/{config.json,model.safetensors,tokenizer.json,MODEL_CARD.md} "$dest"/
  cp "$RUN/eval_synthetic.json" "$dest/eval_synthetic.json"
  [ -f "$RUN/eval_real.json" ] && cp "$RUN/eval_real.json" "$dest/eval_real.json"
  if compgen -G "runs/ablation/*.json" > /dev/null; then
    rm -rf "$dest/ablations"
    mkdir -p "$dest/ablations"
    cp runs/ablation/*.json "$dest/ablations/"
  fi
  echo "installed $dest"
}

case "$PART" in
  all) train; evaluate; ablations; card ;;
  train | evaluate | ablations | card) "$PART" ;;
  *) echo "unknown part '$PART' (all, train, evaluate, ablations, card)" >&2; exit 2 ;;
esac
