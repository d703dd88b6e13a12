/**
 * A daily delivery-time model per country:
 *
 *   GenerateOrders(history) -> PrepareFeatures(history) -> TrainModel -> Evaluate ----\
 *   GenerateOrders(open)    -> PrepareFeatures(open) ------------------> BatchPredict -> Report
 *
 * Every artifact path embeds the task's parameters (paramPath()), so a new date, country or
 * hyperparameter gets new artifacts next to the old ones instead of replacing them.
 */
import { fileURLToPath } from 'node:url';
import { CommandTask, Task, artifact, p, type StagedPath } from 'dagwright';
import { cell, formatCsv, num, parseCsv, type Row } from './csv.js';
import { fitRidge, predict, type RidgeModel } from './ridge.js';

const orderParams = {
  date: p.date({ description: 'day of the orders' }),
  country: p.string({ pattern: /[a-z]{2}/, description: 'two-letter country code' }),
  kind: p.enum(['history', 'open'], {
    description: 'history: delivered orders with durations; open: orders to predict',
  }),
};

const l2 = p.float({ default: 1.0, min: 0, description: 'ridge penalty on standardized weights' });

const modelParams = {
  date: orderParams.date,
  country: orderParams.country,
  l2,
  holdoutPercent: p.int({
    default: 20,
    min: 1,
    max: 50,
    description: 'share of history orders held out for evaluation',
  }),
};

// Absolute, so the command works from any working directory.
const GENERATOR = fileURLToPath(new URL('./scripts/generate-orders.mjs', import.meta.url));

/** Raw orders, written by a plain Node script: the engine publishes its file after exit 0. */
export class GenerateOrders extends CommandTask.with(orderParams) {
  override output() {
    return artifact(`orders/${this.paramPath()}/orders.csv`);
  }

  override command(staged: StagedPath) {
    return [
      process.execPath,
      GENERATOR,
      ...['--date', this.date.toString(), '--country', this.country, '--kind', this.kind],
      ...['--out', staged.path],
    ];
  }
}

const FEATURES = [
  'distance_km',
  'distance_sq',
  'hour_sin',
  'hour_cos',
  'basket_size',
  'courier_load',
  'rush_hour',
] as const;
const LABEL = 'delivery_minutes';

const featureVector = (row: Row): number[] => FEATURES.map((name) => num(row, name));

function featuresOf(order: Row): number[] {
  const distance = num(order, 'distance_km');
  const hour = num(order, 'hour');
  // sin/cos keep 23:00 and 00:00 close together.
  const angle = (2 * Math.PI * hour) / 24;
  const rush = (hour >= 12 && hour <= 13) || (hour >= 18 && hour <= 20) ? 1 : 0;
  return [
    distance,
    distance * distance,
    Math.sin(angle),
    Math.cos(angle),
    num(order, 'basket_size'),
    num(order, 'courier_load'),
    rush,
  ];
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Model inputs per order (and the label, for history). */
export class PrepareFeatures extends Task.with(orderParams) {
  override requires() {
    return this.clone(GenerateOrders);
  }

  override output() {
    return artifact(`features/${this.paramPath()}/features.csv`);
  }

  override async run() {
    const orders = parseCsv(await this.input().readText());
    const withLabel = this.kind === 'history';
    const header = ['order_id', ...FEATURES, ...(withLabel ? [LABEL] : [])];
    const rows = orders.map((order) => [
      cell(order, 'order_id'),
      ...featuresOf(order).map((value) => round(value, 6)),
      ...(withLabel ? [num(order, LABEL)] : []),
    ]);
    await this.output().write(formatCsv(header, rows));
  }
}

/** Labelled examples; `holdout` decides by a hash of the order id, so it is stable. */
function examples(rows: readonly Row[], holdoutPercent: number, holdout: boolean) {
  const picked = rows.filter((row) => isHoldout(cell(row, 'order_id'), holdoutPercent) === holdout);
  return { x: picked.map(featureVector), y: picked.map((row) => num(row, LABEL)) };
}

function isHoldout(orderId: string, percent: number): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++)
    hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % 100 < percent;
}

/** Ridge regression of delivery minutes on the features, fitted on the non-holdout orders. */
export class TrainModel extends Task.with(modelParams) {
  override requires() {
    return this.clone(PrepareFeatures, { kind: 'history' });
  }

  override output() {
    return artifact(`models/${this.paramPath()}/model.json`);
  }

  override async run() {
    const rows = parseCsv(await this.input().readText());
    const { x, y } = examples(rows, this.holdoutPercent, false);
    const model = fitRidge(FEATURES, x, y, this.l2);
    await this.output().write(JSON.stringify(model, null, 2) + '\n');
  }
}

/** MAE and RMSE on the holdout, next to a baseline that always predicts the training mean. */
export class Evaluate extends Task.with(modelParams) {
  override requires() {
    return {
      model: this.clone(TrainModel),
      features: this.clone(PrepareFeatures, { kind: 'history' }),
    };
  }

  override output() {
    return artifact(`metrics/${this.paramPath()}/metrics.json`);
  }

  override async run() {
    const { model: modelFile, features } = this.input();
    const model = JSON.parse(await modelFile.readText()) as RidgeModel;
    const { x, y } = examples(parseCsv(await features.readText()), this.holdoutPercent, true);
    const predicted = x.map((row) => predict(model, row));
    const metrics: Metrics = {
      holdoutRows: y.length,
      model: errors(y, predicted),
      baseline: errors(
        y,
        predicted.map(() => model.intercept),
      ),
    };
    await this.output().write(JSON.stringify(metrics, null, 2) + '\n');
  }
}

interface Errors {
  readonly mae: number;
  readonly rmse: number;
}
interface Metrics {
  readonly holdoutRows: number;
  readonly model: Errors;
  readonly baseline: Errors;
}

function errors(actual: readonly number[], predicted: readonly number[]): Errors {
  const diffs = actual.map((value, i) => value - predicted[i]!);
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    mae: round(mean(diffs.map(Math.abs)), 4),
    rmse: round(Math.sqrt(mean(diffs.map((d) => d * d))), 4),
  };
}

/** Predicted delivery minutes for the day's open orders. */
export class BatchPredict extends Task.with(modelParams) {
  override requires() {
    return {
      model: this.clone(TrainModel),
      features: this.clone(PrepareFeatures, { kind: 'open' }),
    };
  }

  override output() {
    return artifact(`predictions/${this.paramPath()}/predictions.csv`);
  }

  override async run() {
    const { model: modelFile, features } = this.input();
    const model = JSON.parse(await modelFile.readText()) as RidgeModel;
    const rows = parseCsv(await features.readText()).map((row) => [
      cell(row, 'order_id'),
      round(predict(model, featureVector(row)), 2),
    ]);
    await this.output().write(formatCsv(['order_id', 'predicted_minutes'], rows));
  }
}

/** One markdown table comparing the countries' models and predictions. */
export class Report extends Task.with({
  date: p.date({ description: 'day to report on' }),
  countries: p.list(p.string({ pattern: /[a-z]{2}/ }), {
    default: ['de', 'fr', 'nl'],
    description: 'countries, comma-separated',
  }),
  l2,
}) {
  override requires() {
    return Object.fromEntries(
      this.countries.map((country) => [
        country,
        {
          metrics: this.clone(Evaluate, { country }),
          predictions: this.clone(BatchPredict, { country }),
        },
      ]),
    );
  }

  override output() {
    return artifact(`reports/${this.paramPath()}/report.md`);
  }

  override async run() {
    const inputs = this.input();
    const lines = [
      `# Delivery-time models, ${this.date.toString()}`,
      '',
      `Ridge regression with l2 = ${this.l2}; errors in minutes on the holdout orders.`,
      '',
      '| Country | MAE | RMSE | Baseline MAE | Predictions | Mean predicted minutes |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const country of this.countries) {
      const metrics = JSON.parse(await inputs[country]!.metrics.readText()) as Metrics;
      const predictions = parseCsv(await inputs[country]!.predictions.readText());
      const minutes = predictions.map((row) => num(row, 'predicted_minutes'));
      const meanMinutes = minutes.reduce((sum, v) => sum + v, 0) / (minutes.length || 1);
      lines.push(
        `| ${country} | ${metrics.model.mae.toFixed(2)} | ${metrics.model.rmse.toFixed(2)} ` +
          `| ${metrics.baseline.mae.toFixed(2)} | ${minutes.length} | ${meanMinutes.toFixed(1)} |`,
      );
    }
    await this.output().write(lines.join('\n') + '\n');
  }
}
