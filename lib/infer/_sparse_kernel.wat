;; The sparse fast path of inference: Dense(relu) → Dense(classes) logits for a batch of sparse
;; rows. `deno task wasm` assembles this file with wabt into _sparse_kernel_wasm.ts; a test checks
;; the committed bytes are what this source assembles to. `sparse.ts` lays out the memory.
;;
;; mlp(rows, n, b1, w2t, stride, classes, partial, panel, from, to), addresses in bytes:
;; W1 is stored as panels of 32 hidden units: panel p holds units 32p … 32p+31 of every input row,
;; 128 bytes per row, `panel` bytes in all (the whole W1 does not fit in L2, one panel does, so the
;; batch runs panel by panel; rows 4 KB apart would all fall into the same few cache sets).
;; Features are pairs (row offset in a panel: i32, value: f32); rows[m] … rows[m+1] delimit row
;; m's features. partial[m][c] is an f32x4 of partial sums the caller adds up (plus b2).
;;
;;   for blk in from, from + 128, … < to; base = (blk / 128) · panel, …: 32 hidden units at a time
;;     for m in 0 … n-1:                                      every row of the batch
;;       a[0..8) = b1[blk ..]                                 8 × f32x4, kept in registers
;;       for k in rows[m] … rows[m+1] step 8:                  (two at a time while two are left:
;;                                                             one loop test per 16 multiply-adds,
;;                                                             4-5% less time in this kernel)
;;         a[j] += splat(f32 @ k+4) · w1[base + (i32 @ k) + 16j ..]   relaxed_madd: one fused
;;                                          multiply-add where the CPU has FMA (rounds once, not twice:
;;                                          within float rounding of the reference), else mul + add
;;       a[j] = pmax(0, a[j])                                 relu (one maxps: max's NaN and -0 rules
;;                                                            cost ~6 instructions, and neither occurs)
;;       for c in 0 … classes-1:
;;         partial[m][c] += Σ_j a[j] · w2t[c][blk + 16j ..]        (relaxed_madd too)
;;
;; from … to (multiples of 128, to ≤ stride) is the range of hidden-unit blocks a call computes:
;; a caller going panel by panel gets the same sums in the same order as one call over them all,
;; and V8 runs each call in the code it has at that call's start (no on-stack replacement in
;; wasm), so calls of one panel switch from the baseline compiler's code to the optimised one
;; a few panels into the first batch instead of after it.
;;
;; rows(rows, n, dest, panel, from, to): writes extra input rows into W1's panels, row m being the
;; weighted sum of the rows its features name (same feature format as mlp) and going to row
;; offset dest + 128m of every panel: a word's own features summed once, then read as one row.
;;
;;   for blk in from, from + 128, … < to; base = (blk / 128) · panel, …:
;;     for m in 0 … n-1:
;;       a[0..8) = 0; a[j] += splat(f32 @ k+4) · w1[base + (i32 @ k) + 16j ..] (as mlp)
;;       w1[base + dest + 128m + 16j ..] = a[j]
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func (export "mlp")
    (param $rows i32) (param $n i32) (param $b1 i32) (param $w2t i32) (param $stride i32)
    (param $classes i32) (param $partial i32) (param $panel i32) (param $from i32) (param $to i32)
    (local $blk i32) (local $m i32) (local $k i32) (local $end_k i32) (local $off i32)
    (local $c i32) (local $p i32) (local $wc i32) (local $row i32) (local $base i32) (local $off2 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $vs v128) (local $s v128) (local $vs2 v128)
    (local.set $blk (local.get $from))
    (local.set $base (i32.mul (i32.shr_u (local.get $from) (i32.const 7)) (local.get $panel)))
    (block $blocks_done
      (loop $next_block
        (br_if $blocks_done (i32.ge_u (local.get $blk) (local.get $to)))
        (local.set $m (i32.const 0))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $m) (local.get $n)))
        (local.set $off (i32.add (local.get $b1) (local.get $blk)))
        (local.set $a0 (v128.load offset=0 (local.get $off)))
        (local.set $a1 (v128.load offset=16 (local.get $off)))
        (local.set $a2 (v128.load offset=32 (local.get $off)))
        (local.set $a3 (v128.load offset=48 (local.get $off)))
        (local.set $a4 (v128.load offset=64 (local.get $off)))
        (local.set $a5 (v128.load offset=80 (local.get $off)))
        (local.set $a6 (v128.load offset=96 (local.get $off)))
        (local.set $a7 (v128.load offset=112 (local.get $off)))
        (local.set $row (i32.add (local.get $rows) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $k (i32.load (local.get $row)))
        (local.set $end_k (i32.load offset=4 (local.get $row)))
        ;; two features a turn while two are left (the same additions in the same order: one
        ;; loop test and one address step for 16 multiply-adds instead of 8)
        (block $pairs_done
          (loop $next_pair
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $k) (i32.const 16)) (local.get $end_k)))
            (local.set $off (i32.add (i32.load (local.get $k)) (local.get $base)))
            (local.set $vs (v128.load32_splat offset=4 (local.get $k)))
            (local.set $off2 (i32.add (i32.load offset=8 (local.get $k)) (local.get $base)))
            (local.set $vs2 (v128.load32_splat offset=12 (local.get $k)))
            (local.set $a0 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=0 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=0 (local.get $off)) (local.get $a0))))
            (local.set $a1 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=16 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=16 (local.get $off)) (local.get $a1))))
            (local.set $a2 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=32 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=32 (local.get $off)) (local.get $a2))))
            (local.set $a3 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=48 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=48 (local.get $off)) (local.get $a3))))
            (local.set $a4 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=64 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=64 (local.get $off)) (local.get $a4))))
            (local.set $a5 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=80 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=80 (local.get $off)) (local.get $a5))))
            (local.set $a6 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=96 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=96 (local.get $off)) (local.get $a6))))
            (local.set $a7 (f32x4.relaxed_madd (local.get $vs2) (v128.load offset=112 (local.get $off2))
              (f32x4.relaxed_madd (local.get $vs) (v128.load offset=112 (local.get $off)) (local.get $a7))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $next_pair)))
        (block $features_done
          (loop $next_feature
            (br_if $features_done (i32.ge_u (local.get $k) (local.get $end_k)))
            (local.set $off (i32.add (i32.load (local.get $k)) (local.get $base)))
            (local.set $vs (v128.load32_splat offset=4 (local.get $k)))
            (local.set $a0 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=0 (local.get $off)) (local.get $a0)))
            (local.set $a1 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=16 (local.get $off)) (local.get $a1)))
            (local.set $a2 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=32 (local.get $off)) (local.get $a2)))
            (local.set $a3 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=48 (local.get $off)) (local.get $a3)))
            (local.set $a4 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=64 (local.get $off)) (local.get $a4)))
            (local.set $a5 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=80 (local.get $off)) (local.get $a5)))
            (local.set $a6 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=96 (local.get $off)) (local.get $a6)))
            (local.set $a7 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=112 (local.get $off)) (local.get $a7)))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br $next_feature)))
        (local.set $a0 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a0)))
        (local.set $a1 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a1)))
        (local.set $a2 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a2)))
        (local.set $a3 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a3)))
        (local.set $a4 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a4)))
        (local.set $a5 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a5)))
        (local.set $a6 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a6)))
        (local.set $a7 (f32x4.pmax (v128.const i32x4 0 0 0 0) (local.get $a7)))
        (local.set $p (i32.add (local.get $partial)
          (i32.shl (i32.mul (local.get $m) (local.get $classes)) (i32.const 4))))
        (local.set $wc (i32.add (local.get $w2t) (local.get $blk)))
        (local.set $c (i32.const 0))
        (block $classes_done
          (loop $next_class
            (br_if $classes_done (i32.ge_u (local.get $c) (local.get $classes)))
            ;; a tree of four independent pairs, not a chain of eight dependent multiply-adds
            (local.set $s (f32x4.add (v128.load (local.get $p))
              (f32x4.add
                (f32x4.add
                  (f32x4.relaxed_madd (local.get $a1) (v128.load offset=16 (local.get $wc))
                                    (f32x4.mul (local.get $a0) (v128.load offset=0 (local.get $wc))))
                  (f32x4.relaxed_madd (local.get $a3) (v128.load offset=48 (local.get $wc))
                                    (f32x4.mul (local.get $a2) (v128.load offset=32 (local.get $wc)))))
                (f32x4.add
                  (f32x4.relaxed_madd (local.get $a5) (v128.load offset=80 (local.get $wc))
                                    (f32x4.mul (local.get $a4) (v128.load offset=64 (local.get $wc))))
                  (f32x4.relaxed_madd (local.get $a7) (v128.load offset=112 (local.get $wc))
                                    (f32x4.mul (local.get $a6) (v128.load offset=96 (local.get $wc))))))))
            (v128.store (local.get $p) (local.get $s))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $wc (i32.add (local.get $wc) (local.get $stride)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $next_class)))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $next_row)))
        (local.set $blk (i32.add (local.get $blk) (i32.const 128)))
        (local.set $base (i32.add (local.get $base) (local.get $panel)))
        (br $next_block))))

  (func (export "rows")
    (param $rows i32) (param $n i32) (param $dest i32) (param $panel i32) (param $from i32)
    (param $to i32)
    (local $blk i32) (local $m i32) (local $k i32) (local $end_k i32) (local $off i32)
    (local $row i32) (local $base i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $vs v128)
    (local.set $blk (local.get $from))
    (local.set $base (i32.mul (i32.shr_u (local.get $from) (i32.const 7)) (local.get $panel)))
    (block $blocks_done
      (loop $next_block
        (br_if $blocks_done (i32.ge_u (local.get $blk) (local.get $to)))
        (local.set $m (i32.const 0))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $m) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $a4 (v128.const i32x4 0 0 0 0))
        (local.set $a5 (v128.const i32x4 0 0 0 0))
        (local.set $a6 (v128.const i32x4 0 0 0 0))
        (local.set $a7 (v128.const i32x4 0 0 0 0))
        (local.set $row (i32.add (local.get $rows) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $k (i32.load (local.get $row)))
        (local.set $end_k (i32.load offset=4 (local.get $row)))
        (block $features_done
          (loop $next_feature
            (br_if $features_done (i32.ge_u (local.get $k) (local.get $end_k)))
            (local.set $off (i32.add (i32.load (local.get $k)) (local.get $base)))
            (local.set $vs (v128.load32_splat offset=4 (local.get $k)))
            (local.set $a0 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=0 (local.get $off)) (local.get $a0)))
            (local.set $a1 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=16 (local.get $off)) (local.get $a1)))
            (local.set $a2 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=32 (local.get $off)) (local.get $a2)))
            (local.set $a3 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=48 (local.get $off)) (local.get $a3)))
            (local.set $a4 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=64 (local.get $off)) (local.get $a4)))
            (local.set $a5 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=80 (local.get $off)) (local.get $a5)))
            (local.set $a6 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=96 (local.get $off)) (local.get $a6)))
            (local.set $a7 (f32x4.relaxed_madd
              (local.get $vs) (v128.load offset=112 (local.get $off)) (local.get $a7)))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br $next_feature)))
        (local.set $off (i32.add (i32.add (local.get $base) (local.get $dest))
          (i32.shl (local.get $m) (i32.const 7))))
        (v128.store offset=0 (local.get $off) (local.get $a0))
        (v128.store offset=16 (local.get $off) (local.get $a1))
        (v128.store offset=32 (local.get $off) (local.get $a2))
        (v128.store offset=48 (local.get $off) (local.get $a3))
        (v128.store offset=64 (local.get $off) (local.get $a4))
        (v128.store offset=80 (local.get $off) (local.get $a5))
        (v128.store offset=96 (local.get $off) (local.get $a6))
        (v128.store offset=112 (local.get $off) (local.get $a7))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $next_row)))
        (local.set $blk (i32.add (local.get $blk) (i32.const 128)))
        (local.set $base (i32.add (local.get $base) (local.get $panel)))
        (br $next_block))))
)
