#!/usr/bin/env bash
# Reproduce the bundled default checkpoint (model_core/checkpoints/clvnet-tiny) from scratch:
# train the tiny preset on synthetic scenes, evaluate it on a held-out synthetic split and on
# the real GeoPixelD record, run the ablations, write the model card, install the checkpoint.
# Usage: scripts/train_default.sh [STEPS] [ABLATION_STEPS]   (make train-default)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
STEPS=${1:-2400}
ABL_STEPS=${2:-400}
RUN=runs/clvnet-tiny
TEST_SEED=777            # held-out: training uses seed 1
REAL=../shared/data/real/geopixeld_sample
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

$PY -m training.train --config training/configs/tiny.json --data synthetic:1:1000000 \
    --out "$RUN" --overwrite --set steps="$STEPS"
$PY -m training.evaluate --checkpoint "$RUN" --synthetic-seed $TEST_SEED --n 500 \
    --out "$RUN/eval_synthetic.json"
real_args=()
if [ -d "$REAL" ]; then
  $PY -m training.evaluate --checkpoint "$RUN" --data "$REAL" --out "$RUN/eval_real.json"
  real_args=(--real "$RUN/eval_real.json")
fi

ablations=()
if [ "$ABL_STEPS" -gt 0 ]; then
  declare -A variants=(
    [full]=""
    [no_relation_stage]="model_overrides.decoder.relation_layers=0"
    [no_semantic_loss]="model_overrides.loss.semantic=0"
    [no_relationship_loss]="model_overrides.loss.relation_align=0 model_overrides.loss.relation_ce=0"
  )
  for name in full no_relation_stage no_semantic_loss no_relationship_loss; do
    sets=(--set steps="$ABL_STEPS")
    for kv in ${variants[$name]}; do sets+=(--set "$kv"); done
    $PY -m training.train --config training/configs/tiny.json --data synthetic:1:1000000 \
        --out "runs/ablation/$name" --overwrite "${sets[@]}"
    $PY -m training.evaluate --checkpoint "runs/ablation/$name" --synthetic-seed $TEST_SEED \
        --n 200 --out "runs/ablation/$name.json"
    ablations+=(--ablation "runs/ablation/$name.json")
  done
fi

$PY -m training.model_card --run "$RUN" --synthetic "$RUN/eval_synthetic.json" "${real_args[@]}" \
    "${ablations[@]}" --command "make train-default (scripts/train_default.sh $STEPS $ABL_STEPS)"
dest=model_core/checkpoints/clvnet-tiny
mkdir -p "$dest"
cp "$RUN"/{config.json,model.safetensors,tokenizer.json,MODEL_CARD.md} "$dest"/
cp "$RUN/eval_synthetic.json" "$dest/eval_synthetic.json"
[ -f "$RUN/eval_real.json" ] && cp "$RUN/eval_real.json" "$dest/eval_real.json"
if [ ${#ablations[@]} -gt 0 ]; then
  mkdir -p "$dest/ablations"
  cp runs/ablation/*.json "$dest/ablations/"
fi
echo "installed $dest"
