;; One dense layer of the browser explorer's decoder, in WebAssembly SIMD (f32x4).
;;
;; The source of the bytes embedded in browser_explorer.js (WASM_B64): after editing this
;; file, run `python tools/wasm.py` (it compiles with wat2wasm of the npm package wabt and
;; rewrites the embedded bytes and this file's sha256); tests/widgets/test_browser_wasm.py
;; checks that the embedded bytes are this file compiled.
;;
;; dense: out[i, j] = act(b[j] + sum_k h[i, k] W[j, k]) for i < n, j < o, in float32, with
;;   h    the input in blocks of 4 samples: h[i, k] at ((i / 4) * m + k) * 4 + i % 4,
;;   p    W packed in panels of 8 outputs: W[j, k] at ((j / 8) * m + k) * 8 + j % 8,
;;   b    the bias (o),
;;   out  the result, row-major (n x o), or ($blocked = 1) in blocks of 4 samples like h:
;;        the next layer's input,
;;   act  0 none, 1 tanh, 2 sigmoid, 3 relu (tanh and sigmoid from $exp: Cephes' expf,
;;        relative error about 1e-7);
;; n a multiple of 4, o a multiple of 8 (the caller pads with zeros); every pointer is a
;; byte offset into the imported memory. Each step of the inner loop multiplies 4 samples
;; by 8 outputs (8 f32x4 accumulators); the panel (m x 8 floats, 16 KB for m = 500) stays
;; in the L1 cache while every block of 4 samples goes by.
(module
  (import "env" "memory" (memory 1))
  ;; exp(x), 4 lanes: x = n ln 2 + r, |r| <= ln(2) / 2, exp(r) by Cephes' expf polynomial
  (func $exp (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x)
      (v128.const f32x4 88.3 88.3 88.3 88.3)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x)
      (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n)
      (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n)
      (v128.const f32x4 -0.00021219444 -0.00021219444 -0.00021219444 -0.00021219444))))
    (local.set $p (v128.const f32x4 0.000198756915 0.000198756915 0.000198756915 0.000198756915))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 0.0013981999507 0.0013981999507 0.0013981999507 0.0013981999507)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 0.0083334519073 0.0083334519073 0.0083334519073 0.0083334519073)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 0.041665795894 0.041665795894 0.041665795894 0.041665795894)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 0.16666665459 0.16666665459 0.16666665459 0.16666665459)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 0.50000001201 0.50000001201 0.50000001201 0.50000001201)))
    (local.set $p (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)))
    (local.set $p (f32x4.add (f32x4.add (local.get $p) (local.get $r))
      (v128.const f32x4 1.0 1.0 1.0 1.0)))
    ;; times 2^n, built in the exponent bits
    (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n))
      (v128.const i32x4 127 127 127 127)) (i32.const 23))))
  ;; the activation $kind (0 none, 1 tanh, 2 sigmoid, 3 relu) of 4 lanes
  (func $act (param $v v128) (param $kind i32) (result v128)
    (if (i32.eq (local.get $kind) (i32.const 1))  ;; tanh(v) = 1 - 2 / (exp(2v) + 1)
      (then (return (f32x4.sub (v128.const f32x4 1.0 1.0 1.0 1.0)
        (f32x4.div (v128.const f32x4 2.0 2.0 2.0 2.0)
          (f32x4.add (call $exp (f32x4.add (local.get $v) (local.get $v)))
            (v128.const f32x4 1.0 1.0 1.0 1.0)))))))
    (if (i32.eq (local.get $kind) (i32.const 2))  ;; sigmoid(v) = 1 / (1 + exp(-v))
      (then (return (f32x4.div (v128.const f32x4 1.0 1.0 1.0 1.0)
        (f32x4.add (v128.const f32x4 1.0 1.0 1.0 1.0) (call $exp (f32x4.neg (local.get $v))))))))
    (if (i32.eq (local.get $kind) (i32.const 3))
      (then (return (f32x4.max (local.get $v) (v128.const f32x4 0.0 0.0 0.0 0.0)))))
    (local.get $v))
  (func (export "dense")
    (param $h i32) (param $n i32) (param $m i32) (param $p i32) (param $b i32)
    (param $out i32) (param $o i32) (param $act i32) (param $blocked i32)
    (local $j i32) (local $i i32) (local $hp i32) (local $hend i32) (local $pp i32)
    (local $op i32) (local $os i32)
    (local $w0 v128) (local $w1 v128) (local $x v128) (local $t0 v128) (local $t1 v128)
    (local $t2 v128) (local $t3 v128)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $c0 v128) (local $c1 v128) (local $d0 v128) (local $d1 v128)
    (local.set $os (i32.shl (local.get $o) (i32.const 2)))  ;; bytes per output row
    (local.set $j (i32.const 0))
    (loop $panels
      (local.set $i (i32.const 0))
      (local.set $hp (local.get $h))
      (loop $blocks
        ;; the accumulators start at the bias
        (local.set $a0 (v128.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $a1 (v128.load offset=16
          (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $b0 (local.get $a0)) (local.set $b1 (local.get $a1))
        (local.set $c0 (local.get $a0)) (local.set $c1 (local.get $a1))
        (local.set $d0 (local.get $a0)) (local.set $d1 (local.get $a1))
        ;; the panel of outputs j..j+7: m rows of 8 floats
        (local.set $pp (i32.add (local.get $p) (i32.shl (i32.mul (local.get $j) (local.get $m))
          (i32.const 2))))
        (local.set $hend (i32.add (local.get $hp) (i32.shl (local.get $m) (i32.const 4))))
        (loop $k
          (local.set $w0 (v128.load (local.get $pp)))
          (local.set $w1 (v128.load offset=16 (local.get $pp)))
          (local.set $x (v128.load32_splat (local.get $hp)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat offset=4 (local.get $hp)))
          (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat offset=8 (local.get $hp)))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat offset=12 (local.get $hp)))
          (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $d1 (f32x4.add (local.get $d1) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $pp (i32.add (local.get $pp) (i32.const 32)))
          (local.set $hp (i32.add (local.get $hp) (i32.const 16)))
          (br_if $k (i32.lt_u (local.get $hp) (local.get $hend))))
        ;; the activation, then rows i..i+3, columns j..j+7 of out
        (local.set $a0 (call $act (local.get $a0) (local.get $act)))
        (local.set $a1 (call $act (local.get $a1) (local.get $act)))
        (local.set $b0 (call $act (local.get $b0) (local.get $act)))
        (local.set $b1 (call $act (local.get $b1) (local.get $act)))
        (local.set $c0 (call $act (local.get $c0) (local.get $act)))
        (local.set $c1 (call $act (local.get $c1) (local.get $act)))
        (local.set $d0 (call $act (local.get $d0) (local.get $act)))
        (local.set $d1 (call $act (local.get $d1) (local.get $act)))
        (if (local.get $blocked)
          (then  ;; 4 x 4 transposes: column j of the 4 samples at (i / 4 * o + j) * 16
          (local.set $op (i32.add (local.get $out) (i32.add (i32.shl (i32.mul (local.get $i)
            (local.get $o)) (i32.const 2)) (i32.shl (local.get $j) (i32.const 4)))))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
            (local.get $a0) (local.get $b0)))
          (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
            (local.get $a0) (local.get $b0)))
          (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
            (local.get $c0) (local.get $d0)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
            (local.get $c0) (local.get $d0)))
          (v128.store offset=0 (local.get $op)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (local.get $t0) (local.get $t2)))
          (v128.store offset=16 (local.get $op)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
              (local.get $t0) (local.get $t2)))
          (v128.store offset=32 (local.get $op)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (local.get $t1) (local.get $t3)))
          (v128.store offset=48 (local.get $op)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
              (local.get $t1) (local.get $t3)))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
            (local.get $a1) (local.get $b1)))
          (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
            (local.get $a1) (local.get $b1)))
          (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
            (local.get $c1) (local.get $d1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
            (local.get $c1) (local.get $d1)))
          (v128.store offset=64 (local.get $op)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (local.get $t0) (local.get $t2)))
          (v128.store offset=80 (local.get $op)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
              (local.get $t0) (local.get $t2)))
          (v128.store offset=96 (local.get $op)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (local.get $t1) (local.get $t3)))
          (v128.store offset=112 (local.get $op)
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
              (local.get $t1) (local.get $t3)))
          )
          (else
            (local.set $op (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $o)) (local.get $j))
                (i32.const 2))))
            (v128.store (local.get $op) (local.get $a0))
            (v128.store offset=16 (local.get $op) (local.get $a1))
            (local.set $op (i32.add (local.get $op) (local.get $os)))
            (v128.store (local.get $op) (local.get $b0))
            (v128.store offset=16 (local.get $op) (local.get $b1))
            (local.set $op (i32.add (local.get $op) (local.get $os)))
            (v128.store (local.get $op) (local.get $c0))
            (v128.store offset=16 (local.get $op) (local.get $c1))
            (local.set $op (i32.add (local.get $op) (local.get $os)))
            (v128.store (local.get $op) (local.get $d0))
            (v128.store offset=16 (local.get $op) (local.get $d1))
          ))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $blocks (i32.lt_u (local.get $i) (local.get $n))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br_if $panels (i32.lt_u (local.get $j) (local.get $o))))))
