;; The training step's inner loops, WebAssembly SIMD over the trainer's own memory.
;; `deno task wasm` assembles this file with wabt into _train_kernel_wasm.ts; a test checks the
;; committed bytes are what this source assembles to.
;;
;; Every pointer is a byte address, 16-byte aligned; every length `n` counts floats and is a
;; multiple of 8 (the trainer pads hidden layers with zeros that stay zero).
;;
;; Flush to zero: x86 takes a slow microcode path (~100× a normal operation) for every SIMD
;; instruction that reads or makes a denormal float, and WebAssembly cannot set the CPU's
;; flush-to-zero mode that TensorFlow's CPU runtime runs with. Adam's first moments decay
;; towards denormals wherever a hidden unit's gradient stays zero, which made every epoch after
;; the first ~50% slower; the Adam kernels therefore set moments below 2^-126 (the smallest
;; normal float) to zero, as FTZ hardware would. The weights they would still move change by
;; less than lr · 2^-126 / ε ≈ 1e-34.
;;
;; A second thread runs the same step on an instance over a memory of its own (not shared: V8
;; compiles a shared memory's loads and stores slower): `forward` and `backward` below take a
;; range of hidden units (a "part"), each thread runs its parts, and every value a call writes
;; belongs to its own range (the output layer's sums are kept per part and
;; added in part order), so the result does not depend on which thread ran which part.
;;
;; Multiply-adds in the training step use relaxed SIMD's f32x4.relaxed_madd, a fused multiply-add
;; (one rounding) on CPUs that have one, as classify's kernel does: fewer instructions in the
;; loops that dominate a step. The rounding differs from tfjs' separate multiply and add by an
;; ulp; the tests compare with tfjs within their stated tolerance, and both threads run the same
;; instructions, so one thread and two still agree bit for bit.
(module
  (import "env" "memory" (memory 1 65536))

  ;; dst[0 .. n) += a · src[0 .. n)
  ;; The forward pass of evaluation (z += x_i · W1[i]).
  (func (export "axpy") (param $dst i32) (param $src i32) (param $n i32) (param $a f32)
    (local $end i32) (local $va v128)
    (local.set $va (f32x4.splat (local.get $a)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (v128.store (local.get $dst)
          (f32x4.add (v128.load (local.get $dst))
                     (f32x4.mul (local.get $va) (v128.load (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $next))))

  ;; One Adam step of n weights with gradient g, as tf.train.adam computes it:
  ;;   m = b1·m + c1·g;  v = b2·v + c2·g²;  w = w − scale·m / (√v·unbias + eps)
  ;; with c1 = 1 − b1, c2 = 1 − b2, scale = lr / (1 − b1^t), unbias = 1 / √(1 − b2^t);
  ;; m and v flushed to zero below 2^-126.
  (func $adam (export "adam")
    (param $w i32) (param $m i32) (param $v i32) (param $g i32) (param $n i32)
    (param $scale f32) (param $unbias f32) (param $b1 f32) (param $c1 f32) (param $b2 f32)
    (param $c2 f32) (param $eps f32)
    (local $end i32) (local $vg v128) (local $vm v128) (local $vv v128)
    (local $sb1 v128) (local $sc1 v128) (local $sb2 v128) (local $sc2 v128)
    (local $ss v128) (local $su v128) (local $se v128) (local $tiny v128)
    (local.set $tiny (v128.const i32x4 0x00800000 0x00800000 0x00800000 0x00800000))
    (local.set $sb1 (f32x4.splat (local.get $b1)))
    (local.set $sc1 (f32x4.splat (local.get $c1)))
    (local.set $sb2 (f32x4.splat (local.get $b2)))
    (local.set $sc2 (f32x4.splat (local.get $c2)))
    (local.set $ss (f32x4.splat (local.get $scale)))
    (local.set $su (f32x4.splat (local.get $unbias)))
    (local.set $se (f32x4.splat (local.get $eps)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (local.set $vg (v128.load (local.get $g)))
        (local.set $vm
          (f32x4.add (f32x4.mul (local.get $sb1) (v128.load (local.get $m)))
                     (f32x4.mul (local.get $sc1) (local.get $vg))))
        (local.set $vv
          (f32x4.add (f32x4.mul (local.get $sb2) (v128.load (local.get $v)))
                     (f32x4.mul (local.get $sc2) (f32x4.mul (local.get $vg) (local.get $vg)))))
        (local.set $vm (v128.and (local.get $vm) (f32x4.ge (f32x4.abs (local.get $vm)) (local.get $tiny))))
        (local.set $vv (v128.and (local.get $vv) (f32x4.ge (local.get $vv) (local.get $tiny))))
        (v128.store (local.get $m) (local.get $vm))
        (v128.store (local.get $v) (local.get $vv))
        (v128.store (local.get $w)
          (f32x4.sub (v128.load (local.get $w))
            (f32x4.div (f32x4.mul (local.get $ss) (local.get $vm))
                       (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $vv)) (local.get $su))
                                  (local.get $se)))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (br $next))))

  ;; Catches bytes [h0, h1) of one W1 row (w, m, v: the row's addresses) up to the step before
  ;; this batch's, then adds the caught-up weights, times each pair's value, into the z rows of
  ;; the batch rows that use this input: pairs (z row address: i32, value: f32) at bytes
  ;; begin … end. One pass over the row does both, while its values sit in registers.
  ;; Catching up replays `count` zero-gradient Adam steps, first … first + count − 1:
  ;;   m = b1·m;  √v = rb2·√v (rb2 = √b2);  w = w − scale[t]·m / (√v·unbias[t] + eps)
  ;; eight weights at a time, and stores the caught-up weights. With `keep` it also stores the
  ;; moments, m·decay1 and v·decay2 (decay = b^k for all k skipped steps, which may exceed
  ;; count); a training step passes 0 and leaves that to `adam_sparse`, which reads the moments
  ;; anyway, so that they are written once per step. count = 0 leaves the row as it is. `tables` holds
  ;; (scale[t], unbias[t]) as f32 pairs, 8 bytes per step t. First moments below `least`
  ;; (2^-126 / b1^count: those that would turn denormal during the replay) start at zero, which
  ;; costs two instructions per row instead of two per replayed step.
  (func $row_forward (export "row_forward")
    (param $w i32) (param $m i32) (param $v i32) (param $h0 i32) (param $h1 i32)
    (param $tables i32) (param $first i32) (param $count i32)
    (param $b1 f32) (param $rb2 f32) (param $eps f32) (param $decay1 f32) (param $decay2 f32)
    (param $least f32) (param $begin i32) (param $end i32) (param $keep i32)
    (local $h i32) (local $p i32) (local $start i32) (local $stop i32) (local $q i32)
    (local $z i32) (local $zn i32) (local $z1 i32) (local $zx v128) (local $z2 i32) (local $zx2 v128)
    (local $ma v128) (local $mb v128) (local $ra v128) (local $rb v128) (local $va v128)
    (local $vb v128) (local $t v128) (local $tiny v128)
    (local $wa v128) (local $wb v128) (local $s v128) (local $u v128) (local $x v128)
    (local $s2 v128) (local $u2 v128) (local $m1 v128) (local $d1 v128) (local $d2 v128)
    (local $sb1 v128) (local $srb2 v128) (local $se v128) (local $sd1 v128) (local $sd2 v128)
    (local $floor v128)
    (local.set $tiny (v128.const i32x4 0x00800000 0x00800000 0x00800000 0x00800000))
    (local.set $floor (f32x4.splat (local.get $least)))
    (local.set $sb1 (f32x4.splat (local.get $b1)))
    (local.set $srb2 (f32x4.splat (local.get $rb2)))
    (local.set $se (f32x4.splat (local.get $eps)))
    (local.set $sd1 (f32x4.splat (local.get $decay1)))
    (local.set $sd2 (f32x4.splat (local.get $decay2)))
    (local.set $start (i32.add (local.get $tables) (i32.shl (local.get $first) (i32.const 3))))
    (local.set $stop (i32.add (local.get $start) (i32.shl (local.get $count) (i32.const 3))))
    ;; one or two pairs (four rows in five): read once, as in adam_sparse
    (local.set $zn (i32.shr_u (i32.sub (local.get $end) (local.get $begin)) (i32.const 3)))
    (if (i32.lt_u (i32.sub (local.get $zn) (i32.const 1)) (i32.const 2)) (then
      (local.set $z1 (i32.load (local.get $begin)))
      (local.set $zx (v128.load32_splat offset=4 (local.get $begin)))
      (if (i32.eq (local.get $zn) (i32.const 2)) (then
        (local.set $z2 (i32.load offset=8 (local.get $begin)))
        (local.set $zx2 (v128.load32_splat offset=12 (local.get $begin)))))))
    (local.set $h (local.get $h0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $h) (local.get $h1)))
        (local.set $wa (v128.load (i32.add (local.get $w) (local.get $h))))
        (local.set $wb (v128.load offset=16 (i32.add (local.get $w) (local.get $h))))
        (if (local.get $count)
          (then
            (local.set $ma (v128.load (i32.add (local.get $m) (local.get $h))))
            (local.set $mb (v128.load offset=16 (i32.add (local.get $m) (local.get $h))))
            (local.set $va (v128.load (i32.add (local.get $v) (local.get $h))))
            (local.set $vb (v128.load offset=16 (i32.add (local.get $v) (local.get $h))))
            (if (local.get $keep)
              (then
                (v128.store (i32.add (local.get $m) (local.get $h))
                  (v128.and (local.tee $t (f32x4.mul (local.get $ma) (local.get $sd1)))
                    (f32x4.ge (f32x4.abs (local.get $t)) (local.get $tiny))))
                (v128.store offset=16 (i32.add (local.get $m) (local.get $h))
                  (v128.and (local.tee $t (f32x4.mul (local.get $mb) (local.get $sd1)))
                    (f32x4.ge (f32x4.abs (local.get $t)) (local.get $tiny))))
                (v128.store (i32.add (local.get $v) (local.get $h))
                  (v128.and (local.tee $t (f32x4.mul (local.get $va) (local.get $sd2)))
                    (f32x4.ge (f32x4.abs (local.get $t)) (local.get $tiny))))
                (v128.store offset=16 (i32.add (local.get $v) (local.get $h))
                  (v128.and (local.tee $t (f32x4.mul (local.get $vb) (local.get $sd2)))
                    (f32x4.ge (f32x4.abs (local.get $t)) (local.get $tiny))))))
            (local.set $ra (f32x4.sqrt (local.get $va)))
            (local.set $rb (f32x4.sqrt (local.get $vb)))
            ;; moments that would turn denormal within the replayed steps start at zero
            (local.set $ma
              (v128.and (local.get $ma) (f32x4.ge (f32x4.abs (local.get $ma)) (local.get $floor))))
            (local.set $mb
              (v128.and (local.get $mb) (f32x4.ge (f32x4.abs (local.get $mb)) (local.get $floor))))
            ;; two steps j, j + 1 per division: with m' = b1·m after step j,
            ;;   s_j·m'/d_j + s_(j+1)·b1·m'/d_(j+1) = m'·(s_j·d_(j+1) + s_(j+1)·b1·d_j) / (d_j·d_(j+1))
            ;; the same sum, rounded differently (the divider is this loop's bottleneck)
            (local.set $p (local.get $start))
            (block $paired
              (loop $two_steps
                (br_if $paired (i32.ge_u (i32.add (local.get $p) (i32.const 8)) (local.get $stop)))
                (local.set $s (v128.load32_splat (local.get $p)))
                (local.set $u (v128.load32_splat offset=4 (local.get $p)))
                (local.set $s2 (f32x4.mul (v128.load32_splat offset=8 (local.get $p)) (local.get $sb1)))
                (local.set $u2 (v128.load32_splat offset=12 (local.get $p)))
                (local.set $m1 (f32x4.mul (local.get $ma) (local.get $sb1)))
                (local.set $d1
                  (f32x4.relaxed_madd (local.tee $ra (f32x4.mul (local.get $ra) (local.get $srb2)))
                                      (local.get $u) (local.get $se)))
                (local.set $d2
                  (f32x4.relaxed_madd (local.tee $ra (f32x4.mul (local.get $ra) (local.get $srb2)))
                                      (local.get $u2) (local.get $se)))
                (local.set $wa
                  (f32x4.relaxed_nmadd (local.get $m1)
                    (f32x4.div
                      (f32x4.relaxed_madd (local.get $s) (local.get $d2)
                                          (f32x4.mul (local.get $s2) (local.get $d1)))
                      (f32x4.mul (local.get $d1) (local.get $d2)))
                    (local.get $wa)))
                (local.set $ma (f32x4.mul (local.get $m1) (local.get $sb1)))
                (local.set $m1 (f32x4.mul (local.get $mb) (local.get $sb1)))
                (local.set $d1
                  (f32x4.relaxed_madd (local.tee $rb (f32x4.mul (local.get $rb) (local.get $srb2)))
                                      (local.get $u) (local.get $se)))
                (local.set $d2
                  (f32x4.relaxed_madd (local.tee $rb (f32x4.mul (local.get $rb) (local.get $srb2)))
                                      (local.get $u2) (local.get $se)))
                (local.set $wb
                  (f32x4.relaxed_nmadd (local.get $m1)
                    (f32x4.div
                      (f32x4.relaxed_madd (local.get $s) (local.get $d2)
                                          (f32x4.mul (local.get $s2) (local.get $d1)))
                      (f32x4.mul (local.get $d1) (local.get $d2)))
                    (local.get $wb)))
                (local.set $mb (f32x4.mul (local.get $m1) (local.get $sb1)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $two_steps)))
            ;; an odd count's last step
            (if (i32.lt_u (local.get $p) (local.get $stop)) (then
              (local.set $s (v128.load32_splat (local.get $p)))
              (local.set $u (v128.load32_splat offset=4 (local.get $p)))
              (local.set $ma (f32x4.mul (local.get $ma) (local.get $sb1)))
              (local.set $mb (f32x4.mul (local.get $mb) (local.get $sb1)))
              (local.set $ra (f32x4.mul (local.get $ra) (local.get $srb2)))
              (local.set $rb (f32x4.mul (local.get $rb) (local.get $srb2)))
              (local.set $wa
                (f32x4.sub (local.get $wa)
                  (f32x4.div (f32x4.mul (local.get $s) (local.get $ma))
                    (f32x4.relaxed_madd (local.get $ra) (local.get $u) (local.get $se)))))
              (local.set $wb
                (f32x4.sub (local.get $wb)
                  (f32x4.div (f32x4.mul (local.get $s) (local.get $mb))
                    (f32x4.relaxed_madd (local.get $rb) (local.get $u) (local.get $se)))))))
            (v128.store (i32.add (local.get $w) (local.get $h)) (local.get $wa))
            (v128.store offset=16 (i32.add (local.get $w) (local.get $h)) (local.get $wb))))
        (if (i32.lt_u (i32.sub (local.get $zn) (i32.const 1)) (i32.const 2))
          (then
            (local.set $z (i32.add (local.get $z1) (local.get $h)))
            (v128.store (local.get $z)
              (f32x4.relaxed_madd (local.get $zx) (local.get $wa) (v128.load (local.get $z))))
            (v128.store offset=16 (local.get $z)
              (f32x4.relaxed_madd (local.get $zx) (local.get $wb) (v128.load offset=16 (local.get $z))))
            (if (i32.eq (local.get $zn) (i32.const 2)) (then
              (local.set $z (i32.add (local.get $z2) (local.get $h)))
              (v128.store (local.get $z)
                (f32x4.relaxed_madd (local.get $zx2) (local.get $wa) (v128.load (local.get $z))))
              (v128.store offset=16 (local.get $z)
                (f32x4.relaxed_madd (local.get $zx2) (local.get $wb)
                                    (v128.load offset=16 (local.get $z)))))))
          (else
            (local.set $q (local.get $begin))
            (block $added
              (loop $pair
                (br_if $added (i32.ge_u (local.get $q) (local.get $end)))
                (local.set $x (v128.load32_splat offset=4 (local.get $q)))
                (local.set $z (i32.add (i32.load (local.get $q)) (local.get $h)))
                (v128.store (local.get $z)
                  (f32x4.relaxed_madd (local.get $x) (local.get $wa) (v128.load (local.get $z))))
                (v128.store offset=16 (local.get $z)
                  (f32x4.relaxed_madd (local.get $x) (local.get $wb) (v128.load offset=16 (local.get $z))))
                (local.set $q (i32.add (local.get $q) (i32.const 8)))
                (br $pair)))))
        (local.set $h (i32.add (local.get $h) (i32.const 32)))
        (br $next))))

  ;; The output layer's forward pass for one row over hidden bytes [h0, h1): partial[c] (an
  ;; f32x4 whose lanes the caller adds) = Σ_h relu(z[h]) · w2t[c][h] for c < classes; w2t is W2
  ;; transposed, its rows `row` bytes apart.
  (func $head_forward (export "head_forward")
    (param $z i32) (param $w2t i32) (param $h0 i32) (param $h1 i32) (param $row i32)
    (param $classes i32) (param $partial i32)
    (local $c i32) (local $h i32) (local $at i32) (local $acc v128)
    (block $classes_done
      (loop $next_class
        (br_if $classes_done (i32.ge_u (local.get $c) (local.get $classes)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $at (i32.add (local.get $w2t) (i32.mul (local.get $c) (local.get $row))))
        (local.set $h (local.get $h0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $h) (local.get $h1)))
            (local.set $acc
              (f32x4.relaxed_madd
                (f32x4.max (v128.load (i32.add (local.get $z) (local.get $h)))
                           (v128.const i32x4 0 0 0 0))
                (v128.load (i32.add (local.get $at) (local.get $h)))
                (local.get $acc)))
            (local.set $h (i32.add (local.get $h) (i32.const 16)))
            (br $next)))
        (v128.store (i32.add (local.get $partial) (i32.shl (local.get $c) (i32.const 4)))
          (local.get $acc))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $next_class))))

  ;; The output layer's backward pass for one row over hidden bytes [h0, h1), given dl[c] =
  ;; d loss / d logit c (f32s):
  ;;   gw2t[c][h] += relu(z[h]) · dl[c];  dz[h] = (z[h] > 0) · Σ_c dl[c] · w2t[c][h];
  ;;   gb1[h] += dz[h]
  ;; (w2t and gw2t rows `row` bytes apart; dz may be z itself).
  (func $head_backward
    (param $z i32) (param $w2t i32) (param $gw2t i32) (param $dz i32) (param $gb1 i32)
    (param $h0 i32) (param $h1 i32) (param $row i32) (param $classes i32) (param $dl i32)
    (local $c i32) (local $h i32) (local $off i32)
    (local $zv v128) (local $a v128) (local $d v128) (local $l v128)
    (local.set $h (local.get $h0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $h) (local.get $h1)))
        (local.set $zv (v128.load (i32.add (local.get $z) (local.get $h))))
        (local.set $a (f32x4.max (local.get $zv) (v128.const i32x4 0 0 0 0)))
        (local.set $d (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $classes_done
          (loop $next_class
            (br_if $classes_done (i32.ge_u (local.get $c) (local.get $classes)))
            (local.set $l (v128.load32_splat
              (i32.add (local.get $dl) (i32.shl (local.get $c) (i32.const 2)))))
            (local.set $off
              (i32.add (i32.mul (local.get $c) (local.get $row)) (local.get $h)))
            (local.set $d (f32x4.relaxed_madd
              (local.get $l) (v128.load (i32.add (local.get $w2t) (local.get $off))) (local.get $d)))
            (v128.store (i32.add (local.get $gw2t) (local.get $off))
              (f32x4.relaxed_madd (local.get $a) (local.get $l)
                (v128.load (i32.add (local.get $gw2t) (local.get $off)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $next_class)))
        (local.set $d
          (v128.and (local.get $d) (f32x4.gt (local.get $zv) (v128.const i32x4 0 0 0 0))))
        (v128.store (i32.add (local.get $dz) (local.get $h)) (local.get $d))
        (v128.store (i32.add (local.get $gb1) (local.get $h))
          (f32x4.add (v128.load (i32.add (local.get $gb1) (local.get $h))) (local.get $d)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (br $next))))

  ;; One Adam step of bytes [h0, h1) of a W1 row (w, m, v: the row's addresses) whose gradient
  ;; is a sum over the batch rows that used this input: g = Σ_p value_p · dz_p, over pairs
  ;; (address of that row's dz: i32, value: f32) at bytes begin … end, in batch order; then the
  ;; update of "adam" above, eight weights at a time. Computing g here, from dz rows that sit in
  ;; cache, spares writing and re-reading a gradient row per input. When `least` is not zero,
  ;; moments below it are flushed to zero: the trainer asks for that every few steps with a
  ;; floor high enough that decay alone cannot make a denormal in between, which costs far less
  ;; than testing every moment at every step. When `skipped` is not zero, `row_forward` replayed
  ;; that many idle steps for this row in this batch's forward pass and left the moments as they
  ;; were: they decay here first (m·decay1, v·decay2, flushed below 2^-126), so that each is
  ;; read and written once per step.
  ;; When the next batch reads the row too, its forward pass happens in the same pass: the
  ;; updated weights, times each of that batch's pairs' values, are added into its z rows
  ;; (pairs at bytes zbegin … zend, as in row_forward), so the row is read once for both.
  (func $adam_sparse
    (param $w i32) (param $m i32) (param $v i32) (param $h0 i32) (param $h1 i32)
    (param $begin i32) (param $end i32) (param $scale f32) (param $unbias f32) (param $b1 f32)
    (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $eps f32) (param $least f32)
    (param $skipped i32) (param $decay1 f32) (param $decay2 f32) (param $zbegin i32)
    (param $zend i32)
    (local $h i32) (local $p i32) (local $x v128) (local $dz i32) (local $wa v128) (local $wb v128)
    (local $gn i32) (local $g1 i32) (local $gx v128) (local $g2 i32) (local $gx2 v128)
    (local $zn i32) (local $z1 i32) (local $zx v128) (local $z2 i32) (local $zx2 v128)
    (local $sd1 v128) (local $sd2 v128) (local $t v128) (local $tiny v128)
    (local $ga v128) (local $gb v128) (local $ma v128) (local $mb v128) (local $va v128)
    (local $vb v128)
    (local $sb1 v128) (local $sc1 v128) (local $sb2 v128) (local $sc2 v128)
    (local $ss v128) (local $su v128) (local $se v128) (local $floor v128)
    (local.set $floor (f32x4.splat (local.get $least)))
    (local.set $tiny (v128.const i32x4 0x00800000 0x00800000 0x00800000 0x00800000))
    (local.set $sd1 (f32x4.splat (local.get $decay1)))
    (local.set $sd2 (f32x4.splat (local.get $decay2)))
    (local.set $sb1 (f32x4.splat (local.get $b1)))
    (local.set $sc1 (f32x4.splat (local.get $c1)))
    (local.set $sb2 (f32x4.splat (local.get $b2)))
    (local.set $sc2 (f32x4.splat (local.get $c2)))
    (local.set $ss (f32x4.splat (local.get $scale)))
    (local.set $su (f32x4.splat (local.get $unbias)))
    (local.set $se (f32x4.splat (local.get $eps)))
    ;; one or two pairs (four rows in five): their addresses and values are read once, not once
    ;; per 8 weights (every memory access costs a bounds check: Deno runs V8 without its trap
    ;; handler)
    (local.set $gn (i32.shr_u (i32.sub (local.get $end) (local.get $begin)) (i32.const 3)))
    (if (i32.lt_u (i32.sub (local.get $gn) (i32.const 1)) (i32.const 2)) (then
      (local.set $g1 (i32.load (local.get $begin)))
      (local.set $gx (v128.load32_splat offset=4 (local.get $begin)))
      (if (i32.eq (local.get $gn) (i32.const 2)) (then
        (local.set $g2 (i32.load offset=8 (local.get $begin)))
        (local.set $gx2 (v128.load32_splat offset=12 (local.get $begin)))))))
    (local.set $zn (i32.shr_u (i32.sub (local.get $zend) (local.get $zbegin)) (i32.const 3)))
    (if (i32.lt_u (i32.sub (local.get $zn) (i32.const 1)) (i32.const 2)) (then
      (local.set $z1 (i32.load (local.get $zbegin)))
      (local.set $zx (v128.load32_splat offset=4 (local.get $zbegin)))
      (if (i32.eq (local.get $zn) (i32.const 2)) (then
        (local.set $z2 (i32.load offset=8 (local.get $zbegin)))
        (local.set $zx2 (v128.load32_splat offset=12 (local.get $zbegin)))))))
    (local.set $h (local.get $h0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $h) (local.get $h1)))
        (local.set $ga (v128.const i32x4 0 0 0 0))
        (local.set $gb (v128.const i32x4 0 0 0 0))
        (if (i32.lt_u (i32.sub (local.get $gn) (i32.const 1)) (i32.const 2))
          (then
            (local.set $dz (i32.add (local.get $g1) (local.get $h)))
            (local.set $ga
              (f32x4.relaxed_madd (local.get $gx) (v128.load (local.get $dz)) (local.get $ga)))
            (local.set $gb
              (f32x4.relaxed_madd (local.get $gx) (v128.load offset=16 (local.get $dz)) (local.get $gb)))
            (if (i32.eq (local.get $gn) (i32.const 2)) (then
              (local.set $dz (i32.add (local.get $g2) (local.get $h)))
              (local.set $ga
                (f32x4.relaxed_madd (local.get $gx2) (v128.load (local.get $dz)) (local.get $ga)))
              (local.set $gb
                (f32x4.relaxed_madd (local.get $gx2) (v128.load offset=16 (local.get $dz))
                                    (local.get $gb))))))
          (else
            (local.set $p (local.get $begin))
            (block $summed
              (loop $next_pair
                (br_if $summed (i32.ge_u (local.get $p) (local.get $end)))
                (local.set $x (v128.load32_splat offset=4 (local.get $p)))
                (local.set $dz (i32.add (i32.load (local.get $p)) (local.get $h)))
                (local.set $ga
                  (f32x4.relaxed_madd (local.get $x) (v128.load (local.get $dz)) (local.get $ga)))
                (local.set $gb
                  (f32x4.relaxed_madd (local.get $x) (v128.load offset=16 (local.get $dz)) (local.get $gb)))
                (local.set $p (i32.add (local.get $p) (i32.const 8)))
                (br $next_pair)))))
        (local.set $ma (v128.load (i32.add (local.get $m) (local.get $h))))
        (local.set $mb (v128.load offset=16 (i32.add (local.get $m) (local.get $h))))
        (local.set $va (v128.load (i32.add (local.get $v) (local.get $h))))
        (local.set $vb (v128.load offset=16 (i32.add (local.get $v) (local.get $h))))
        (if (local.get $skipped) (then
          ;; the moments' decay over the steps `row_forward` replayed
          (local.set $ma (f32x4.mul (local.get $ma) (local.get $sd1)))
          (local.set $ma
            (v128.and (local.get $ma) (f32x4.ge (f32x4.abs (local.get $ma)) (local.get $tiny))))
          (local.set $mb (f32x4.mul (local.get $mb) (local.get $sd1)))
          (local.set $mb
            (v128.and (local.get $mb) (f32x4.ge (f32x4.abs (local.get $mb)) (local.get $tiny))))
          (local.set $va (f32x4.mul (local.get $va) (local.get $sd2)))
          (local.set $va
            (v128.and (local.get $va) (f32x4.ge (f32x4.abs (local.get $va)) (local.get $tiny))))
          (local.set $vb (f32x4.mul (local.get $vb) (local.get $sd2)))
          (local.set $vb
            (v128.and (local.get $vb) (f32x4.ge (f32x4.abs (local.get $vb)) (local.get $tiny))))))
        (local.set $ma
          (f32x4.relaxed_madd (local.get $sc1) (local.get $ga)
                              (f32x4.mul (local.get $sb1) (local.get $ma))))
        (local.set $mb
          (f32x4.relaxed_madd (local.get $sc1) (local.get $gb)
                              (f32x4.mul (local.get $sb1) (local.get $mb))))
        (local.set $va
          (f32x4.relaxed_madd (local.get $sc2) (f32x4.mul (local.get $ga) (local.get $ga))
                              (f32x4.mul (local.get $sb2) (local.get $va))))
        (local.set $vb
          (f32x4.relaxed_madd (local.get $sc2) (f32x4.mul (local.get $gb) (local.get $gb))
                              (f32x4.mul (local.get $sb2) (local.get $vb))))
        (if (f32.gt (local.get $least) (f32.const 0)) (then
          (local.set $ma
            (v128.and (local.get $ma) (f32x4.ge (f32x4.abs (local.get $ma)) (local.get $floor))))
          (local.set $mb
            (v128.and (local.get $mb) (f32x4.ge (f32x4.abs (local.get $mb)) (local.get $floor))))
          (local.set $va (v128.and (local.get $va) (f32x4.ge (local.get $va) (local.get $floor))))
          (local.set $vb (v128.and (local.get $vb) (f32x4.ge (local.get $vb) (local.get $floor))))))
        (v128.store (i32.add (local.get $m) (local.get $h)) (local.get $ma))
        (v128.store offset=16 (i32.add (local.get $m) (local.get $h)) (local.get $mb))
        (v128.store (i32.add (local.get $v) (local.get $h)) (local.get $va))
        (v128.store offset=16 (i32.add (local.get $v) (local.get $h)) (local.get $vb))
        (local.set $wa
          (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $h)))
            (f32x4.div (f32x4.mul (local.get $ss) (local.get $ma))
              (f32x4.relaxed_madd (f32x4.sqrt (local.get $va)) (local.get $su) (local.get $se)))))
        (local.set $wb
          (f32x4.sub (v128.load offset=16 (i32.add (local.get $w) (local.get $h)))
            (f32x4.div (f32x4.mul (local.get $ss) (local.get $mb))
              (f32x4.relaxed_madd (f32x4.sqrt (local.get $vb)) (local.get $su) (local.get $se)))))
        (v128.store (i32.add (local.get $w) (local.get $h)) (local.get $wa))
        (v128.store offset=16 (i32.add (local.get $w) (local.get $h)) (local.get $wb))
        ;; the next batch's forward pass
        (if (i32.lt_u (i32.sub (local.get $zn) (i32.const 1)) (i32.const 2))
          (then
            (local.set $dz (i32.add (local.get $z1) (local.get $h)))
            (v128.store (local.get $dz)
              (f32x4.relaxed_madd (local.get $zx) (local.get $wa) (v128.load (local.get $dz))))
            (v128.store offset=16 (local.get $dz)
              (f32x4.relaxed_madd (local.get $zx) (local.get $wb) (v128.load offset=16 (local.get $dz))))
            (if (i32.eq (local.get $zn) (i32.const 2)) (then
              (local.set $dz (i32.add (local.get $z2) (local.get $h)))
              (v128.store (local.get $dz)
                (f32x4.relaxed_madd (local.get $zx2) (local.get $wa) (v128.load (local.get $dz))))
              (v128.store offset=16 (local.get $dz)
                (f32x4.relaxed_madd (local.get $zx2) (local.get $wb)
                                    (v128.load offset=16 (local.get $dz)))))))
          (else
            (local.set $p (local.get $zbegin))
            (block $added
              (loop $next_z
                (br_if $added (i32.ge_u (local.get $p) (local.get $zend)))
                (local.set $x (v128.load32_splat offset=4 (local.get $p)))
                (local.set $dz (i32.add (i32.load (local.get $p)) (local.get $h)))
                (v128.store (local.get $dz)
                  (f32x4.relaxed_madd (local.get $x) (local.get $wa) (v128.load (local.get $dz))))
                (v128.store offset=16 (local.get $dz)
                  (f32x4.relaxed_madd (local.get $x) (local.get $wb) (v128.load offset=16 (local.get $dz))))
                (local.set $p (i32.add (local.get $p) (i32.const 8)))
                (br $next_z)))))
        (local.set $h (i32.add (local.get $h) (i32.const 32)))
        (br $next))))

  ;; A batch step's two halves, over hidden bytes [h0, h1) (multiples of 32), with everything
  ;; else read from the parameter block at $at (byte offsets; see _trainer.ts `PARAMS`):
  ;;   0 slots  4 slot count  8 first z row  12 batch rows  16 row bytes (W1, z, W2ᵀ rows)
  ;;   20 W1  24 M1  28 V1  32 step tables  36 b1  40 W2ᵀ  44 gW2ᵀ  48 gb1  52 m(b1)  56 v(b1)
  ;;   60 m(W2ᵀ)  64 v(W2ᵀ)  68 classes  72 partial sums  76 dl  (i32 addresses and counts)
  ;;   80 b1  84 √b2  88 eps  100 1 − b1  104 b2  108 1 − b2
  ;;   112 least: the pending step's W1 flush floor, or 0 (f32)  116 parts (i32)
  ;;   120 scale and 124 unbias of the pending step (f32)
  ;;   132 the pending slots no slot of this batch reads (i32 addresses), 136 their count
  ;;   140 the pending step's z rows, 144 its batch rows, 148 1 while its `backward` is pending
  ;; A slot (64 bytes) is one W1 row the batch reads: 0 its byte offset in W1, 4 first step to
  ;; replay, 8 steps to replay, 12 decay1, 16 decay2 (f32), 20 / 24 its pairs' byte range,
  ;; 28 least (f32, see row_forward), 32 the address of its slot in the previous batch when
  ;; that batch read the row too (else 0).
  ;;
  ;; A batch's backward pass and its Adam step on the W1 rows it read are left pending until
  ;; the next batch's `forward` (or `flush`), which runs them first on its range of hidden
  ;; units: one handshake between the threads a step instead of two (everything a range's
  ;; backward pass reads and writes belongs to that range), and since the next batch reads ~60%
  ;; of the same rows, its forward pass on them rides on the Adam pass (see adam_sparse): one
  ;; read of each such row instead of two. Adam on a row depends on nothing but the row and the
  ;; pending batch's dz rows, and the z sums are still added in slot order, so the results are
  ;; the same bit for bit.

  ;; The pending Adam step of W1 row slot `slot` (of the previous batch) over [h0, h1), adding
  ;; the updated weights into this batch's z rows through pairs zbegin … zend.
  (func $pending_adam (param $at i32) (param $slot i32) (param $h0 i32) (param $h1 i32)
    (param $zbegin i32) (param $zend i32)
    (local $off i32)
    (local.set $off (i32.load (local.get $slot)))
    (call $adam_sparse
      (i32.add (i32.load offset=20 (local.get $at)) (local.get $off))
      (i32.add (i32.load offset=24 (local.get $at)) (local.get $off))
      (i32.add (i32.load offset=28 (local.get $at)) (local.get $off))
      (local.get $h0) (local.get $h1)
      (i32.load offset=20 (local.get $slot))
      (i32.load offset=24 (local.get $slot))
      (f32.load offset=120 (local.get $at))
      (f32.load offset=124 (local.get $at))
      (f32.load offset=80 (local.get $at))
      (f32.load offset=100 (local.get $at))
      (f32.load offset=104 (local.get $at))
      (f32.load offset=108 (local.get $at))
      (f32.load offset=88 (local.get $at))
      (f32.load offset=112 (local.get $at))
      (i32.load offset=8 (local.get $slot))
      (f32.load offset=12 (local.get $slot))
      (f32.load offset=16 (local.get $slot))
      (local.get $zbegin) (local.get $zend)))

  ;; flush: the pending step's backward pass, if any, then its Adam step on the W1 rows listed
  ;; at 132 (those this batch does not read, or all of them before the weights are read), over
  ;; [h0, h1). Last listed first: the rows the previous batch read last may still be in cache.
  (func $flush (export "flush") (param $at i32) (param $h0 i32) (param $h1 i32)
    (local $list i32) (local $at_end i32)
    (if (i32.load offset=148 (local.get $at))
      (then (call $backward (local.get $at) (local.get $h0) (local.get $h1))))
    (local.set $list (i32.load offset=132 (local.get $at)))
    (local.set $at_end
      (i32.add (local.get $list) (i32.shl (i32.load offset=136 (local.get $at)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.le_u (local.get $at_end) (local.get $list)))
        (local.set $at_end (i32.sub (local.get $at_end) (i32.const 4)))
        (call $pending_adam (local.get $at) (i32.load (local.get $at_end))
          (local.get $h0) (local.get $h1) (i32.const 0) (i32.const 0))
        (br $next))))

  ;; forward: the pending step (see flush) on rows this batch does not read, z rows = b1 + Σ value ·
  ;; W1[input] (each slot's row caught up first, or given its pending Adam step), then the output
  ;; layer's partial sums of this range into partial[(row · parts + part) · classes].
  (func (export "forward") (param $at i32) (param $h0 i32) (param $h1 i32) (param $part i32)
    (local $r i32) (local $z i32) (local $h i32) (local $slot i32) (local $slots_end i32)
    (local $row i32) (local $off i32) (local $classes i32)
    (local.set $row (i32.load offset=16 (local.get $at)))
    (local.set $classes (i32.load offset=68 (local.get $at)))
    (call $flush (local.get $at) (local.get $h0) (local.get $h1))
    ;; z = b1
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (i32.load offset=12 (local.get $at))))
        (local.set $z (i32.add (i32.load offset=8 (local.get $at))
                               (i32.mul (local.get $r) (local.get $row))))
        (local.set $h (local.get $h0))
        (block $copied
          (loop $copy
            (br_if $copied (i32.ge_u (local.get $h) (local.get $h1)))
            (v128.store (i32.add (local.get $z) (local.get $h))
              (v128.load (i32.add (i32.load offset=36 (local.get $at)) (local.get $h))))
            (local.set $h (i32.add (local.get $h) (i32.const 16)))
            (br $copy)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    ;; + the W1 rows, caught up
    (local.set $slot (i32.load (local.get $at)))
    (local.set $slots_end
      (i32.add (local.get $slot) (i32.shl (i32.load offset=4 (local.get $at)) (i32.const 6))))
    (block $slots_done
      (loop $slots
        (br_if $slots_done (i32.ge_u (local.get $slot) (local.get $slots_end)))
        (local.set $off (i32.load (local.get $slot)))
        (if (i32.load offset=32 (local.get $slot))
          (then
            (call $pending_adam (local.get $at) (i32.load offset=32 (local.get $slot))
              (local.get $h0) (local.get $h1)
              (i32.load offset=20 (local.get $slot)) (i32.load offset=24 (local.get $slot))))
          (else
            (call $row_forward
              (i32.add (i32.load offset=20 (local.get $at)) (local.get $off))
              (i32.add (i32.load offset=24 (local.get $at)) (local.get $off))
              (i32.add (i32.load offset=28 (local.get $at)) (local.get $off))
              (local.get $h0) (local.get $h1)
              (i32.load offset=32 (local.get $at))
              (i32.load offset=4 (local.get $slot))
              (i32.load offset=8 (local.get $slot))
              (f32.load offset=80 (local.get $at))
              (f32.load offset=84 (local.get $at))
              (f32.load offset=88 (local.get $at))
              (f32.load offset=12 (local.get $slot))
              (f32.load offset=16 (local.get $slot))
              (f32.load offset=28 (local.get $slot))
              (i32.load offset=20 (local.get $slot))
              (i32.load offset=24 (local.get $slot))
              (i32.const 0))))
        (local.set $slot (i32.add (local.get $slot) (i32.const 64)))
        (br $slots)))
    ;; the output layer's partial sums
    (local.set $r (i32.const 0))
    (block $heads_done
      (loop $heads
        (br_if $heads_done (i32.ge_u (local.get $r) (i32.load offset=12 (local.get $at))))
        (call $head_forward
          (i32.add (i32.load offset=8 (local.get $at)) (i32.mul (local.get $r) (local.get $row)))
          (i32.load offset=40 (local.get $at))
          (local.get $h0) (local.get $h1) (local.get $row) (local.get $classes)
          (i32.add (i32.load offset=72 (local.get $at))
            (i32.shl
              (i32.mul
                (i32.add (i32.mul (local.get $r) (i32.load offset=116 (local.get $at)))
                         (local.get $part))
                (local.get $classes))
              (i32.const 4))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $heads))))

  ;; backward, of the pending step (its z rows at 140, its rows at 144, run by the next
  ;; `forward` or `flush`): given dl (row r's d loss / d logits at dl + 16·r·⌈classes/4⌉), the
  ;; gradients of this range (dz over z in place, gb1, gW2ᵀ) and Adam step t of b1 and W2ᵀ.
  (func $backward (param $at i32) (param $h0 i32) (param $h1 i32)
    (local $r i32) (local $z i32) (local $h i32) (local $c i32) (local $row i32) (local $off i32)
    (local $classes i32)
    (local $dl_row i32) (local $n i32)
    (local.set $row (i32.load offset=16 (local.get $at)))
    (local.set $classes (i32.load offset=68 (local.get $at)))
    (local.set $dl_row
      (i32.shl (i32.shr_u (i32.add (local.get $classes) (i32.const 3)) (i32.const 2))
               (i32.const 4)))
    (local.set $n (i32.shr_u (i32.sub (local.get $h1) (local.get $h0)) (i32.const 2)))
    ;; gb1 = 0, gW2ᵀ = 0
    (local.set $h (local.get $h0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $h) (local.get $h1)))
        (v128.store (i32.add (i32.load offset=48 (local.get $at)) (local.get $h))
          (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $classes_zeroed
          (loop $zero_class
            (br_if $classes_zeroed (i32.ge_u (local.get $c) (local.get $classes)))
            (v128.store
              (i32.add (i32.load offset=44 (local.get $at))
                (i32.add (i32.mul (local.get $c) (local.get $row)) (local.get $h)))
              (v128.const i32x4 0 0 0 0))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $zero_class)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (br $zero)))
    ;; the output layer's backward pass, row by row
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (i32.load offset=144 (local.get $at))))
        (local.set $z (i32.add (i32.load offset=140 (local.get $at))
                               (i32.mul (local.get $r) (local.get $row))))
        (call $head_backward
          (local.get $z)
          (i32.load offset=40 (local.get $at))
          (i32.load offset=44 (local.get $at))
          (local.get $z)
          (i32.load offset=48 (local.get $at))
          (local.get $h0) (local.get $h1) (local.get $row) (local.get $classes)
          (i32.add (i32.load offset=76 (local.get $at))
                   (i32.mul (local.get $r) (local.get $dl_row))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    ;; Adam on b1 and W2ᵀ (W1's rows wait for the next forward or flush)
    (call $adam
      (i32.add (i32.load offset=36 (local.get $at)) (local.get $h0))
      (i32.add (i32.load offset=52 (local.get $at)) (local.get $h0))
      (i32.add (i32.load offset=56 (local.get $at)) (local.get $h0))
      (i32.add (i32.load offset=48 (local.get $at)) (local.get $h0))
      (local.get $n)
      (f32.load offset=120 (local.get $at)) (f32.load offset=124 (local.get $at))
      (f32.load offset=80 (local.get $at)) (f32.load offset=100 (local.get $at))
      (f32.load offset=104 (local.get $at)) (f32.load offset=108 (local.get $at))
      (f32.load offset=88 (local.get $at)))
    (local.set $c (i32.const 0))
    (block $classes_done
      (loop $classes
        (br_if $classes_done (i32.ge_u (local.get $c) (local.get $classes)))
        (local.set $off (i32.add (i32.mul (local.get $c) (local.get $row)) (local.get $h0)))
        (call $adam
          (i32.add (i32.load offset=40 (local.get $at)) (local.get $off))
          (i32.add (i32.load offset=60 (local.get $at)) (local.get $off))
          (i32.add (i32.load offset=64 (local.get $at)) (local.get $off))
          (i32.add (i32.load offset=44 (local.get $at)) (local.get $off))
          (local.get $n)
          (f32.load offset=120 (local.get $at)) (f32.load offset=124 (local.get $at))
          (f32.load offset=80 (local.get $at)) (f32.load offset=100 (local.get $at))
          (f32.load offset=104 (local.get $at)) (f32.load offset=108 (local.get $at))
          (f32.load offset=88 (local.get $at)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $classes))))
)
