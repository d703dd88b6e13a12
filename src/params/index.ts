/** The parameter kinds, under one short name: `p.date()`, `p.int({ min: 1 })`, ... */
import { json, list } from './composite.js';
import { bool, enumOf, float, int, string } from './scalars.js';
import { date, dateHour, dateInterval, dateMinute, duration, month } from './time.js';

export const p = {
  string,
  int,
  float,
  bool,
  enum: enumOf,
  date,
  month,
  dateHour,
  dateMinute,
  dateInterval,
  duration,
  list,
  json,
} as const;

export { Param, ParamValueError } from './param.js';
export type { AnyParam, ParamOptions, ParamShape } from './param.js';
export type { StringOptions } from './scalars.js';
export type { NumberOptions } from './scalars.js';
