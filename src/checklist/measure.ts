// How a measured value and its bound are written for people: a prometheus step may say what its value
// measures ("error rate") and in which unit, so that its result reads "error rate 0.31% < 10%" rather
// than "0.0031 < 0.1". Pure; shared by the executor (results) and the describer (show, dry runs).

export const MEASURE_UNITS = ["ratio", "percent", "seconds", "milliseconds"] as const;
export type MeasureUnit = (typeof MEASURE_UNITS)[number];

/** Four significant digits, no float noise (0.1 * 100 is 10, not 10.000000000000002). */
function plain(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** A value in its unit: ratio 0.0031 -> 0.31%, seconds 0.8534 -> 853.4ms, seconds 2 -> 2s. */
export function formatMeasure(value: number, unit: MeasureUnit | undefined): string {
  if (!Number.isFinite(value)) return plain(value);
  switch (unit) {
    case "ratio":
      return `${plain(value * 100)}%`;
    case "percent":
      return `${plain(value)}%`;
    case "seconds":
      return Math.abs(value) < 1 && value !== 0 ? `${plain(value * 1000)}ms` : `${plain(value)}s`;
    case "milliseconds":
      return `${plain(value)}ms`;
    default:
      return plain(value);
  }
}

/** "error rate 0.31%" (or just "0.31%" without a name). */
export function namedMeasure(
  value: number,
  unit: MeasureUnit | undefined,
  measures: string | undefined,
): string {
  const shown = formatMeasure(value, unit);
  return measures ? `${measures} ${shown}` : shown;
}
