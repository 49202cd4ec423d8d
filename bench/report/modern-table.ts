import type { ModernAtConcurrency, ModernMeasure } from '../measures/modern';

const COLUMNS = [
  '2026-07-28 (lean clients)',
  'direct',
  'gw 2026',
  'gw 2025',
  'sdk v2',
  '2026 − dir',
  '2026 ÷ v2',
];
const WIDTHS = [30, 9, 9, 9, 9, 11, 10];

function cell(value: number | string | undefined, digits = 3): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

function line(cells: Array<number | string | undefined>, digits = 3): string {
  return cells
    .map((value, i) =>
      i === 0 ? cell(value, digits).padEnd(WIDTHS[i]!) : cell(value, digits).padStart(WIDTHS[i]!),
    )
    .join(' ');
}

function rows(measure: ModernAtConcurrency): string[] {
  const { direct, 'gateway-2026': modern, 'gateway-2025': sessions, 'sdk-v2': sdk } = measure.subjects;
  const label = `c=${measure.concurrency}`;
  const cpu = (run: { serverCpuUsPerCall?: number }) => run.serverCpuUsPerCall ?? Number.NaN;
  return [
    line([
      `${label} p50 (ms)`,
      direct.latencyMs.p50,
      modern.latencyMs.p50,
      sessions.latencyMs.p50,
      sdk.latencyMs.p50,
      `+${cell(measure.addedP50Ms['gateway-2026'])}`,
      cell(modern.latencyMs.p50 / sdk.latencyMs.p50, 2),
    ]),
    line([
      `${label} p99 (ms)`,
      direct.latencyMs.p99,
      modern.latencyMs.p99,
      sessions.latencyMs.p99,
      sdk.latencyMs.p99,
    ]),
    line(
      [
        `${label} server CPU/call (µs)`,
        undefined,
        cpu(modern),
        cpu(sessions),
        cpu(sdk),
        '',
        cell(measure.cpuRatioVsSdkV2, 2),
      ],
      0,
    ),
    line(
      [
        `${label} calls/s`,
        direct.callsPerSecond,
        modern.callsPerSecond,
        sessions.callsPerSecond,
        sdk.callsPerSecond,
      ],
      0,
    ),
  ];
}

/** Measure 7 as its own small table: its subjects are not the 2025 measures' three. */
export function modernRows(measure: ModernMeasure): string[] {
  return [
    line(COLUMNS),
    '-'.repeat(WIDTHS.reduce((sum, width) => sum + width + 1, 0)),
    ...rows(measure.sequential),
    ...rows(measure.concurrent),
  ];
}
