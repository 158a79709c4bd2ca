#!/usr/bin/env bash
# Scripted run of the desktop app under Xvfb (Mesa llvmpipe, OpenGL 4.5 core): it loads the real MNIST
# digits, trains a VAE (2-D latent) for a fixed number of minibatches on its background thread while
# rendering, writes a screenshot and a JSON summary, and exits 0. Then we check the summary (the logged loss fell, frames
# were rendered while training) and the screenshot (right size; the latent map region shows many
# class colours, not a uniform fill; the whole window is not uniform either).
set -euo pipefail
APP=$1
ART=$2   # CI keeps this directory (build/artifacts)
WORK=$3
mkdir -p "$ART" "$WORK"
SHOT="$ART/ae-app.png"
rm -f "$SHOT" "$WORK/summary.json"
xvfb-run -a -s "-screen 0 1600x1000x24" "$APP" --data mnist --model vae --encoder 256,128 --latent 2 --batch 128 \
  --seed 1 --threads 2 --steps 250 --screenshot "$SHOT" --frames 20 --summary "$WORK/summary.json" \
  --log-frame-times "$ART/ae-app-frame-times.txt"
[ -s "$SHOT" ] || { echo "no screenshot at $SHOT"; exit 1; }
read -r X0 Y0 W H < <(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["latent_map_rect"]
print(int(r[0]) + 2, int(r[1]) + 2, int(r[2] - r[0]) - 4, int(r[3] - r[1]) - 4)' "$WORK/summary.json")
convert "$SHOT" -crop "${W}x${H}+${X0}+${Y0}" +repage rgb:"$WORK/map.rgb"
convert "$SHOT" rgb:"$WORK/window.rgb"
/usr/bin/python3 - "$WORK" "$SHOT" "$W" "$H" <<'PY'
import json, struct, sys
work, shot, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = json.load(open(f'{work}/summary.json'))
loss = s['train_loss']
assert s['steps'] == 250 and len(loss) == 250, (s['steps'], len(loss))
first, last = sum(loss[:10]) / 10, sum(loss[-10:]) / 10
assert last < 0.8 * first, f'the loss did not fall: first 10 mean {first:.4f}, last 10 mean {last:.4f}'
assert not s['diverged']
assert s['frames_while_training'] >= 5, s['frames_while_training']
head = open(shot, 'rb').read(24)
assert head[:8] == b'\x89PNG\r\n\x1a\n'
assert struct.unpack('>II', head[16:24]) == (1600, 1000), struct.unpack('>II', head[16:24])
m = open(f'{work}/map.rgb', 'rb').read()
assert len(m) == w * h * 3 and w > 200 and h > 200, (len(m), w, h)
px = [m[i:i + 3] for i in range(0, len(m), 3)]
white = sum(p == b'\xff\xff\xff' for p in px) / len(px)
# Points coloured by class: count pixels whose colour is clearly saturated (not grey).
coloured = sum(max(p) - min(p) > 60 for p in px)
hues = {(p[0] // 64, p[1] // 64, p[2] // 64) for p in px if max(p) - min(p) > 60}
assert 0.2 < white < 0.995, f'latent map is uniform or empty: {white:.3f} white'
assert coloured > 500, f'only {coloured} coloured pixels in the latent map'
assert len(hues) >= 6, f'only {len(hues)} colour classes in the latent map'
win = open(f'{work}/window.rgb', 'rb').read()
assert len(set(win[i:i + 3] for i in range(0, len(win), 3 * 97))) > 50, 'the window is nearly uniform'
print(f'ok: loss {first:.4f} -> {last:.4f}; latent map {w}x{h}: {white:.2%} background, {coloured} coloured px, '
      f'{len(hues)} hue bins; frame interval p50 {s["frame_interval_ms_p50"]:.1f} ms p99 '
      f'{s["frame_interval_ms_p99"]:.1f} ms; {s["samples_per_sec_ui"]:.0f} samples/s with the UI running')
PY
# A lesson (lessons.h) opened with --lesson: its data set and model train; an unknown one is refused with the list.
xvfb-run -a -s "-screen 0 1600x1000x24" "$APP" --lesson cvae --threads 2 --steps 150 --tab swap \
  --screenshot "$ART/ae-app-lesson-cvae.png" --frames 10 --summary "$WORK/lesson.json" > "$WORK/lesson.log"
/usr/bin/python3 - "$WORK/lesson.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
loss = s['train_loss']
assert s['steps'] == 150 and loss[-1] < 0.8 * loss[0], (s['steps'], loss[0], loss[-1])
print(f'ok: lesson cvae: loss {loss[0]:.1f} -> {loss[-1]:.1f} nats per image')
PY
if err=$(xvfb-run -a -s "-screen 0 1600x1000x24" "$APP" --lesson nope --steps 1 --screenshot "$WORK/x.png" 2>&1); then
  echo "--lesson nope was accepted"; exit 1
fi
grep -q "not a lesson (bottleneck, " <<< "$err" || { echo "unexpected message: $err"; exit 1; }
