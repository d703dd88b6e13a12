/**
 * Writes synthetic food-delivery orders for one (date, country, kind) as CSV.
 * Seeded from the parameters, so the same arguments always give byte-identical output.
 *
 *   node generate-orders.mjs --date 2024-01-01 --country de --kind history --out orders.csv
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    date: { type: 'string' },
    country: { type: 'string' },
    kind: { type: 'string' },
    out: { type: 'string' },
  },
});
const { date, country, kind, out } = values;
if (!date || !country || !out || (kind !== 'history' && kind !== 'open')) {
  console.error(
    'usage: generate-orders.mjs --date YYYY-MM-DD --country CC --kind history|open --out FILE',
  );
  process.exit(2);
}

/** 32-bit FNV-1a: a stable seed from text. */
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/** mulberry32: tiny, fast, and good enough for synthetic data. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(fnv1a(`${date}|${country}|${kind}`));
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

// Countries differ in traffic (minutes per km) and kitchen speed; unknown ones get a stable mix.
const PROFILES = {
  de: { minutesPerKm: 3.0, prepMinutes: 9 },
  fr: { minutesPerKm: 3.6, prepMinutes: 11 },
  nl: { minutesPerKm: 2.4, prepMinutes: 8 },
};
const countryHash = fnv1a(country);
const profile = Object.hasOwn(PROFILES, country)
  ? PROFILES[country]
  : {
      minutesPerKm: 2.4 + (countryHash % 13) / 10,
      prepMinutes: 8 + (countryHash % 5),
    };

const isRush = (hour) => (hour >= 12 && hour <= 13) || (hour >= 18 && hour <= 20);

function order(index) {
  const distance = clamp(2.5 * Math.exp(0.55 * normal()), 0.2, 15);
  const peak = random();
  const hourFloat =
    peak < 0.4 ? 12.5 + normal() : peak < 0.85 ? 19.5 + 1.3 * normal() : 10 + 14 * random();
  const hour = Math.floor(clamp(hourFloat, 10, 23.99));
  const basket = Math.min(12, 1 + Math.floor(-Math.log(1 - random()) * 2.5));
  const load = clamp(0.35 + (isRush(hour) ? 0.3 : 0) + 0.12 * normal(), 0, 1);
  const minutes =
    profile.prepMinutes +
    1.2 * basket +
    profile.minutesPerKm * distance +
    0.06 * distance * distance +
    (isRush(hour) ? 6 : 0) +
    10 * load +
    3.5 * normal();
  const id = `${country}-${date.replaceAll('-', '')}-${kind[0]}${String(index + 1).padStart(5, '0')}`;
  const row = [id, distance.toFixed(2), hour, basket, load.toFixed(2)];
  if (kind === 'history') row.push(Math.max(5, minutes).toFixed(1));
  return row.join(',');
}

const header = ['order_id', 'distance_km', 'hour', 'basket_size', 'courier_load'];
if (kind === 'history') header.push('delivery_minutes');
const count = kind === 'history' ? 2000 : 500;
const lines = [header.join(',')];
for (let i = 0; i < count; i++) lines.push(order(i));
writeFileSync(out, lines.join('\n') + '\n');
