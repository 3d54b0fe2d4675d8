/**
 * Feature matrices as the trainer and the prediction routes take them: dense rows (openai,
 * transformers, glove) or sparse rows (the builtin featurizer's hashed n-grams, and context
 * features built from them), so a sparse model never has to materialise `n × dimension` floats.
 * @module
 */

/** Row-major `rows × dimension` floats. */
export interface DenseMatrix {
  /** Tells the two shapes apart. */
  kind: "dense";
  /** Number of rows. */
  rows: number;
  /** Columns per row. */
  dimension: number;
  /** `rows × dimension`, row-major. */
  data: Float32Array;
}

/**
 * Compressed sparse rows: row r's features are `indices[offsets[r] .. offsets[r + 1])` with
 * their `values`; indices sorted and unique within a row, each in `[0, dimension)`.
 */
export interface SparseMatrix {
  /** Tells the two shapes apart. */
  kind: "sparse";
  /** Number of rows. */
  rows: number;
  /** Columns per row (the bound on `indices`). */
  dimension: number;
  /** `rows + 1` entries; `offsets[0] = 0`, `offsets[rows] = indices.length`. */
  offsets: Int32Array;
  /** Column of each stored value, row after row. */
  indices: Int32Array;
  /** The stored values, aligned with `indices`. */
  values: Float32Array;
}

/** What the trainer and the prediction routes accept. */
export type FeatureMatrix = DenseMatrix | SparseMatrix;

/** Expands any feature matrix to dense rows (for tfjs references and dense-only code). */
export function toDense(matrix: FeatureMatrix): DenseMatrix {
  if (matrix.kind === "dense") return matrix;
  const data = new Float32Array(matrix.rows * matrix.dimension);
  for (let r = 0; r < matrix.rows; r++) {
    const base = r * matrix.dimension;
    for (let k = matrix.offsets[r]!; k < matrix.offsets[r + 1]!; k++) {
      data[base + matrix.indices[k]!] = matrix.values[k]!;
    }
  }
  return { kind: "dense", rows: matrix.rows, dimension: matrix.dimension, data };
}

/** Rows `from … to − 1` of `matrix` as a matrix of their own (views, no copy of the values). */
export function sliceRows<M extends FeatureMatrix>(matrix: M, from: number, to: number): M {
  if (
    !(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to &&
      to <= matrix.rows)
  ) {
    throw new RangeError(`Cannot slice rows ${from}..${to} of a ${matrix.rows}-row matrix`);
  }
  if (matrix.kind === "dense") {
    const { dimension, data } = matrix;
    return { ...matrix, rows: to - from, data: data.subarray(from * dimension, to * dimension) };
  }
  const { offsets, indices, values } = matrix;
  const start = offsets[from]!;
  const end = offsets[to]!;
  return {
    ...matrix,
    rows: to - from,
    offsets: start === 0
      ? offsets.subarray(from, to + 1)
      : offsets.slice(from, to + 1).map((o) => o - start),
    indices: indices.subarray(start, end),
    values: values.subarray(start, end),
  };
}
