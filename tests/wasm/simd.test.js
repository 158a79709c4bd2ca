// Test 1: the module loads under Node with require() and Eigen uses SIMD packets. Eigen has no WASM
// backend, so a SIMD build reports the SSE family that emscripten maps onto WASM SIMD128
// (-msse4.2 -msimd128, see core/include/ae/eigen.h); a scalar build would report "None".
'use strict';
const assert = require('assert');
const {loadModule, run} = require('./common');

run(async () => {
  const ae = await loadModule();
  const isa = ae.simdInstructionSets();
  console.log(`simdInstructionSets() = "${isa}"`);
  assert.strictEqual(typeof isa, 'string');
  assert.notStrictEqual(isa, 'None', 'Eigen is scalar in this build: expected SSE packets mapped onto WASM SIMD');
  assert.match(isa, /SSE2/, 'expected at least SSE2 packets');
  // The default config round-trips through the core's JSON parser.
  const def = ae.defaultConfigJson();
  assert.strictEqual(ae.normalizeConfigJson(def), def);
  console.log('PASS');
});
