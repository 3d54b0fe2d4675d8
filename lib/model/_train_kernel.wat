;; The training step's inner loops, WebAssembly SIMD over the trainer's own memory.
;; `deno task wasm` assembles this file with wabt into _train_kernel_wasm.ts; a test checks the
;; committed bytes are what this source assembles to.
;;
;; Every pointer is a byte address, 16-byte aligned; every length `n` counts floats and is a
;; multiple of 8 (the trainer pads hidden layers with zeros that stay zero).
(module
  (import "env" "memory" (memory 1))

  ;; dst[0 .. n) += a · src[0 .. n)
  ;; The forward pass (z += x_i · W1[i]) and the first layer's gradient (G[i] += x_i · dz).
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
  ;; with c1 = 1 − b1, c2 = 1 − b2, scale = lr / (1 − b1^t), unbias = 1 / √(1 − b2^t).
  (func (export "adam")
    (param $w i32) (param $m i32) (param $v i32) (param $g i32) (param $n i32)
    (param $scale f32) (param $unbias f32) (param $b1 f32) (param $c1 f32) (param $b2 f32)
    (param $c2 f32) (param $eps f32)
    (local $end i32) (local $vg v128) (local $vm v128) (local $vv v128)
    (local $sb1 v128) (local $sc1 v128) (local $sb2 v128) (local $sc2 v128)
    (local $ss v128) (local $su v128) (local $se v128)
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

  ;; Replays `count` zero-gradient Adam steps, first … first + count − 1, on n weights:
  ;;   m = b1·m;  √v = rb2·√v (rb2 = √b2);  w = w − scale[t]·m / (√v·unbias[t] + eps)
  ;; keeping eight weights in registers across all the steps, then stores m·decay1 and
  ;; v·decay2 (decay = b^k for all k skipped steps, which may exceed count).
  ;; `tables` holds (scale[t], unbias[t]) as f32 pairs, 8 bytes per step t.
  (func (export "replay")
    (param $w i32) (param $m i32) (param $v i32) (param $n i32)
    (param $tables i32) (param $first i32) (param $count i32)
    (param $b1 f32) (param $rb2 f32) (param $eps f32) (param $decay1 f32) (param $decay2 f32)
    (local $end i32) (local $p i32) (local $stop i32)
    (local $ma v128) (local $mb v128) (local $ra v128) (local $rb v128)
    (local $wa v128) (local $wb v128) (local $s v128) (local $u v128)
    (local $sb1 v128) (local $srb2 v128) (local $se v128)
    (local.set $sb1 (f32x4.splat (local.get $b1)))
    (local.set $srb2 (f32x4.splat (local.get $rb2)))
    (local.set $se (f32x4.splat (local.get $eps)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $p (i32.add (local.get $tables) (i32.shl (local.get $first) (i32.const 3))))
    (local.set $stop (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (local.set $ma (v128.load (local.get $m)))
        (local.set $mb (v128.load offset=16 (local.get $m)))
        (local.set $ra (f32x4.sqrt (v128.load (local.get $v))))
        (local.set $rb (f32x4.sqrt (v128.load offset=16 (local.get $v))))
        (local.set $wa (v128.load (local.get $w)))
        (local.set $wb (v128.load offset=16 (local.get $w)))
        (v128.store (local.get $m) (f32x4.mul (local.get $ma) (f32x4.splat (local.get $decay1))))
        (v128.store offset=16 (local.get $m)
          (f32x4.mul (local.get $mb) (f32x4.splat (local.get $decay1))))
        (v128.store (local.get $v)
          (f32x4.mul (v128.load (local.get $v)) (f32x4.splat (local.get $decay2))))
        (v128.store offset=16 (local.get $v)
          (f32x4.mul (v128.load offset=16 (local.get $v)) (f32x4.splat (local.get $decay2))))
        (local.set $p (i32.add (local.get $tables) (i32.shl (local.get $first) (i32.const 3))))
        (block $replayed
          (loop $step
            (br_if $replayed (i32.ge_u (local.get $p) (local.get $stop)))
            (local.set $s (v128.load32_splat (local.get $p)))
            (local.set $u (v128.load32_splat offset=4 (local.get $p)))
            (local.set $ma (f32x4.mul (local.get $ma) (local.get $sb1)))
            (local.set $mb (f32x4.mul (local.get $mb) (local.get $sb1)))
            (local.set $ra (f32x4.mul (local.get $ra) (local.get $srb2)))
            (local.set $rb (f32x4.mul (local.get $rb) (local.get $srb2)))
            (local.set $wa
              (f32x4.sub (local.get $wa)
                (f32x4.div (f32x4.mul (local.get $s) (local.get $ma))
                           (f32x4.add (f32x4.mul (local.get $ra) (local.get $u)) (local.get $se)))))
            (local.set $wb
              (f32x4.sub (local.get $wb)
                (f32x4.div (f32x4.mul (local.get $s) (local.get $mb))
                           (f32x4.add (f32x4.mul (local.get $rb) (local.get $u)) (local.get $se)))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $step)))
        (v128.store (local.get $w) (local.get $wa))
        (v128.store offset=16 (local.get $w) (local.get $wb))
        (local.set $w (i32.add (local.get $w) (i32.const 32)))
        (local.set $m (i32.add (local.get $m) (i32.const 32)))
        (local.set $v (i32.add (local.get $v) (i32.const 32)))
        (br $next))))

  ;; The output layer's forward pass for one row: partial[c] (an f32x4 whose lanes the caller
;; adds) = Σ_h relu(z[h]) · w2t[c][h] for c < classes; w2t is W2 transposed, rows n apart.
  (func (export "head_forward")
    (param $z i32) (param $w2t i32) (param $n i32) (param $classes i32) (param $partial i32)
    (local $c i32) (local $h i32) (local $bytes i32) (local $row i32) (local $acc v128)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (block $classes_done
      (loop $next_class
        (br_if $classes_done (i32.ge_u (local.get $c) (local.get $classes)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $row (i32.add (local.get $w2t) (i32.mul (local.get $c) (local.get $bytes))))
        (local.set $h (i32.const 0))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $h) (local.get $bytes)))
            (local.set $acc
              (f32x4.add (local.get $acc)
                (f32x4.mul
                  (f32x4.max (v128.load (i32.add (local.get $z) (local.get $h)))
                             (v128.const i32x4 0 0 0 0))
                  (v128.load (i32.add (local.get $row) (local.get $h))))))
            (local.set $h (i32.add (local.get $h) (i32.const 16)))
            (br $next)))
        (v128.store (i32.add (local.get $partial) (i32.shl (local.get $c) (i32.const 4)))
          (local.get $acc))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $next_class))))

  ;; The output layer's backward pass for one row, given dl[c] = d loss / d logit c (f32s):
  ;;   gw2t[c][h] += relu(z[h]) · dl[c];  dz[h] = (z[h] > 0) · Σ_c dl[c] · w2t[c][h];
  ;;   gb1[h] += dz[h]
  (func (export "head_backward")
    (param $z i32) (param $w2t i32) (param $gw2t i32) (param $dz i32) (param $gb1 i32)
    (param $n i32) (param $classes i32) (param $dl i32)
    (local $c i32) (local $h i32) (local $bytes i32) (local $off i32)
    (local $zv v128) (local $a v128) (local $d v128) (local $l v128)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $h) (local.get $bytes)))
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
              (i32.add (i32.mul (local.get $c) (local.get $bytes)) (local.get $h)))
            (local.set $d (f32x4.add (local.get $d)
              (f32x4.mul (local.get $l) (v128.load (i32.add (local.get $w2t) (local.get $off))))))
            (v128.store (i32.add (local.get $gw2t) (local.get $off))
              (f32x4.add (v128.load (i32.add (local.get $gw2t) (local.get $off)))
                         (f32x4.mul (local.get $a) (local.get $l))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $next_class)))
        (local.set $d
          (v128.and (local.get $d) (f32x4.gt (local.get $zv) (v128.const i32x4 0 0 0 0))))
        (v128.store (i32.add (local.get $dz) (local.get $h)) (local.get $d))
        (v128.store (i32.add (local.get $gb1) (local.get $h))
          (f32x4.add (v128.load (i32.add (local.get $gb1) (local.get $h))) (local.get $d)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (br $next))))

  ;; One Adam step of n weights whose gradient is a sum over the batch rows that used this
  ;; input: g = Σ_p value_p · dz_p, over pairs (address of that row's dz: i32, value: f32) at
  ;; bytes begin … end, in batch order; then the update of "adam" above. Computing g here, from
  ;; dz rows that sit in cache, spares writing and re-reading a gradient row per input.
  (func (export "adam_sparse")
    (param $w i32) (param $m i32) (param $v i32) (param $n i32) (param $begin i32)
    (param $end i32) (param $scale f32) (param $unbias f32) (param $b1 f32) (param $c1 f32)
    (param $b2 f32) (param $c2 f32) (param $eps f32)
    (local $h i32) (local $bytes i32) (local $p i32)
    (local $vg v128) (local $vm v128) (local $vv v128)
    (local $sb1 v128) (local $sc1 v128) (local $sb2 v128) (local $sc2 v128)
    (local $ss v128) (local $su v128) (local $se v128)
    (local.set $sb1 (f32x4.splat (local.get $b1)))
    (local.set $sc1 (f32x4.splat (local.get $c1)))
    (local.set $sb2 (f32x4.splat (local.get $b2)))
    (local.set $sc2 (f32x4.splat (local.get $c2)))
    (local.set $ss (f32x4.splat (local.get $scale)))
    (local.set $su (f32x4.splat (local.get $unbias)))
    (local.set $se (f32x4.splat (local.get $eps)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $h) (local.get $bytes)))
        (local.set $vg (v128.const i32x4 0 0 0 0))
        (local.set $p (local.get $begin))
        (block $summed
          (loop $next_pair
            (br_if $summed (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $vg
              (f32x4.add (local.get $vg)
                (f32x4.mul (v128.load32_splat offset=4 (local.get $p))
                           (v128.load (i32.add (i32.load (local.get $p)) (local.get $h))))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $next_pair)))
        (local.set $vm
          (f32x4.add (f32x4.mul (local.get $sb1) (v128.load (i32.add (local.get $m) (local.get $h))))
                     (f32x4.mul (local.get $sc1) (local.get $vg))))
        (local.set $vv
          (f32x4.add (f32x4.mul (local.get $sb2) (v128.load (i32.add (local.get $v) (local.get $h))))
                     (f32x4.mul (local.get $sc2) (f32x4.mul (local.get $vg) (local.get $vg)))))
        (v128.store (i32.add (local.get $m) (local.get $h)) (local.get $vm))
        (v128.store (i32.add (local.get $v) (local.get $h)) (local.get $vv))
        (v128.store (i32.add (local.get $w) (local.get $h))
          (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $h)))
            (f32x4.div (f32x4.mul (local.get $ss) (local.get $vm))
                       (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $vv)) (local.get $su))
                                  (local.get $se)))))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (br $next))))
)
