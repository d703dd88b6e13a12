/**
 * Ridge regression on standardized features: solve (ZᵀZ + λI)w = Zᵀ(y - ȳ) by Cholesky.
 * Standardizing makes one λ weigh every feature alike; the intercept ȳ is not penalized.
 */

export interface RidgeModel {
  readonly features: readonly string[];
  readonly weights: readonly number[];
  readonly intercept: number;
  readonly means: readonly number[];
  readonly stds: readonly number[];
  readonly l2: number;
  readonly trainingRows: number;
}

type Matrix = readonly (readonly number[])[];

const mean = (values: readonly number[]): number =>
  values.reduce((sum, v) => sum + v, 0) / values.length;

export function fitRidge(
  features: readonly string[],
  x: Matrix,
  y: readonly number[],
  l2: number,
): RidgeModel {
  if (x.length === 0) throw new Error('no training rows');
  const d = features.length;
  const columns = features.map((_, j) => x.map((row) => row[j]!));
  const means = columns.map(mean);
  // A constant column keeps std 1: it is all zeros after centering and gets weight 0.
  const stds = columns.map((col, j) => Math.sqrt(mean(col.map((v) => (v - means[j]!) ** 2))) || 1);
  const z = columns.map((col, j) => col.map((v) => (v - means[j]!) / stds[j]!));
  const intercept = mean(y);
  const target = y.map((v) => v - intercept);

  const gram = z.map(() => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    for (let k = 0; k <= j; k++) {
      const sum = dot(z[j]!, z[k]!) + (j === k ? l2 : 0);
      gram[j]![k] = sum;
      gram[k]![j] = sum;
    }
  }
  const weights = solveCholesky(
    gram,
    z.map((col) => dot(col, target)),
  );
  return { features, weights, intercept, means, stds, l2, trainingRows: x.length };
}

export function predict(model: RidgeModel, row: readonly number[]): number {
  let sum = model.intercept;
  model.weights.forEach((w, j) => (sum += (w * (row[j]! - model.means[j]!)) / model.stds[j]!));
  return sum;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Solves A x = b for symmetric positive definite A: A = L Lᵀ, then two triangular solves. */
export function solveCholesky(a: Matrix, b: readonly number[]): number[] {
  const d = b.length;
  const l = a.map(() => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    for (let i = j; i < d; i++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i > j) l[i]![j] = sum / l[j]![j]!;
      else if (sum > 1e-12) l[j]![j] = Math.sqrt(sum);
      else throw new Error('XᵀX + λI is singular (collinear features?); use l2 > 0');
    }
  }
  const forward = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * forward[k]!;
    forward[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let sum = forward[i]!;
    for (let k = i + 1; k < d; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}
