#!/usr/bin/env bash
# `ae embed`: a small model trained here, its test codes mapped by PCA and by t-SNE (and t-SNE of the
# pixels) into scatter PNGs, and the 2 x 2 comparison (--method compare) with a 5-NN line per map; a bad
# method and an out-of-range perplexity are usage errors (exit code 2).
# `ae traverse` on the same model: the traversal PNG (5 rows of the dimensions of largest code variance x 9
# steps), one line per row, and a histogram line per latent variable.
set -euo pipefail
AE=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
LIM=(--limit-train 2000 --limit-test 600)
"$AE" train --data fashion-mnist "${LIM[@]}" --encoder 64 --latent 8 --epochs 1 --seed 1 --threads 2 --out "$OUT/run" -q
M="$OUT/run/model.safetensors"
"$AE" embed "$M" "${LIM[@]}" --method pca --n 500 --out "$OUT/pca.png" | grep -q "PCA of the 8-D codes of 500 test images"
"$AE" embed "$M" "${LIM[@]}" --method tsne --n 500 --iterations 300 --perplexity 20 --out "$OUT/tsne.png" | tee "$OUT/tsne.txt"
grep -Eq "t-SNE of the 8-D codes of 500 test images: perplexity 20, .*300 iterations, KL [0-9.]+" "$OUT/tsne.txt"
"$AE" embed "$M" "${LIM[@]}" --method umap --n 500 --epochs 200 --out "$OUT/umap.png" | tee "$OUT/umap.txt"
grep -Eq "UMAP of the 8-D codes of 500 test images: 15 neighbours, min_dist 0.1, 200 epochs, 5-NN 0\.[0-9]{3}" "$OUT/umap.txt"
"$AE" embed "$M" "${LIM[@]}" --space pixels --n 300 --iterations 200 --out "$OUT/tsne_pixels.png" | grep -q "t-SNE of the pixels"
"$AE" embed "$M" "${LIM[@]}" --method compare --n 300 --iterations 200 --perplexity 20 --out "$OUT/compare.png" > "$OUT/compare.txt"
grep -q "^300 test images (spread over the test set), 5-NN accuracy of each 2-D map" "$OUT/compare.txt"
for t in "PCA of the pixels" "t-SNE of the pixels" "8-D codes (PCA)" "t-SNE of the 8-D codes"; do
  grep -Eq "^  $(printf '%s' "$t" | sed 's/[()]/\\&/g') +0\.[0-9]{3}" "$OUT/compare.txt" || { echo "no line for $t"; cat "$OUT/compare.txt"; exit 1; }
done
/usr/bin/python3 -c "
import struct, sys
h = open(sys.argv[1], 'rb').read(24)
assert struct.unpack('>II', h[16:24]) == (1400, 1080), struct.unpack('>II', h[16:24])" "$OUT/compare.png"
for png in pca.png tsne.png tsne_pixels.png; do
  /usr/bin/python3 -c "
import struct, sys
h = open(sys.argv[1], 'rb').read(24)
assert h[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', h[16:24]) == (1000, 760), sys.argv[1]" "$OUT/$png"
done
"$AE" traverse "$M" "${LIM[@]}" --image 3 --dims 5 --out "$OUT/traverse.png" > "$OUT/traverse.txt"
grep -q "test image 3 (Trouser): 5 rows x 9 steps, ranges from the code quantiles" "$OUT/traverse.txt"
[ "$(grep -c '^  row ' "$OUT/traverse.txt")" -eq 5 ] && [ "$(grep -Ec '^  z[0-9]+ +mean' "$OUT/traverse.txt")" -eq 8 ]
/usr/bin/python3 -c "
import struct, sys
h = open(sys.argv[1], 'rb').read(24)
assert struct.unpack('>II', h[16:24]) == (524, 292), struct.unpack('>II', h[16:24])" "$OUT/traverse.png"
"$AE" neighbors "$M" "${LIM[@]}" --query 3 --k 6 --out "$OUT/nn.png" > "$OUT/nn.txt"
grep -q "test image 3 (Trouser): its 6 nearest of the other 599 test images, euclidean distance" "$OUT/nn.txt"
grep -Eq "^  by code   precision@6 [01]\.[0-9]{3}: #[0-9]+ [A-Za-z]" "$OUT/nn.txt"
grep -Eq "^  by pixels precision@6 [01]\.[0-9]{3}: " "$OUT/nn.txt"
/usr/bin/python3 -c "
import struct, sys
h = open(sys.argv[1], 'rb').read(24)
assert struct.unpack('>II', h[16:24]) == (7 * 58 + 2, 2 * 58 + 2), struct.unpack('>II', h[16:24])" "$OUT/nn.png"
"$AE" arithmetic "$M" "${LIM[@]}" --image 3 --from trouser --to 0 --steps 5 --analogy 3,1,2 --out "$OUT/arith.png" > "$OUT/arith.txt"
grep -q "test image 3 (Trouser) + s (mean(T-shirt/top) - mean(Trouser)), class means over 2000 training codes, s = -1 -0.25 0.5 1.25 2" "$OUT/arith.txt"
grep -q "analogy: z(#3 Trouser) - z(#1 .*) + z(#2 .*), decoded" "$OUT/arith.txt"
/usr/bin/python3 -c "
import struct, sys
h = open(sys.argv[1], 'rb').read(24)
assert struct.unpack('>II', h[16:24]) == (5 * 58 + 2, 2 * 58 + 2), struct.unpack('>II', h[16:24])" "$OUT/arith.png"
set +e
msg=$("$AE" arithmetic "$M" "${LIM[@]}" --from shoe --to 0 --out "$OUT/x.png" 2>&1); code=$?
[ $code -eq 2 ] && echo "$msg" | grep -q -- "--from shoe: not a class of" || { echo "bad class: $code $msg"; exit 1; }
msg=$("$AE" neighbors "$M" "${LIM[@]}" --query 600 --out "$OUT/x.png" 2>&1); code=$?
[ $code -ne 0 ] && echo "$msg" | grep -q -- "--query 600: the test set has 600 images" || { echo "bad query: $code $msg"; exit 1; }
msg=$("$AE" traverse "$M" "${LIM[@]}" --image 600 --out "$OUT/x.png" 2>&1); code=$?
[ $code -ne 0 ] && echo "$msg" | grep -q -- "--image 600: the test set has 600 images" || { echo "bad image: $code $msg"; exit 1; }
msg=$("$AE" embed "$M" --method umapp --out "$OUT/x.png" 2>&1); code=$?
[ $code -eq 2 ] || { echo "bad method: exit code $code, expected 2: $msg"; exit 1; }
echo "$msg" | grep -q -- "--method: umapp not in {pca,tsne,umap,compare}" || { echo "unexpected message: $msg"; exit 1; }
msg=$("$AE" embed "$M" "${LIM[@]}" --n 30 --perplexity 30 --out "$OUT/x.png" 2>&1); code=$?
[ $code -eq 2 ] || { echo "bad perplexity: exit code $code, expected 2: $msg"; exit 1; }
echo "$msg" | grep -q "perplexity 30 out of range for 30 points" || { echo "unexpected message: $msg"; exit 1; }
set -e
[ ! -e "$OUT/x.png" ] || { echo "a PNG was written for a bad input"; exit 1; }
echo "ok: $(cat "$OUT/tsne.txt")"
