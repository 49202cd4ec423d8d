import type { DownloadProgress } from './model-download';

export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 30;
const MIN_REDRAW_MS = 200;

/**
 * Renders download progress on stderr (stdout may carry a protocol, e.g. MCP over stdio): a redrawn bar
 * on a terminal, a line per 10 % otherwise so that logs stay readable.
 */
export function createProgressBar(label: string, output: ProgressOutput, now: () => number = Date.now) {
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastDecile = -1;
  return (progress: DownloadProgress): void => {
    const fraction = progress.totalBytes ? progress.receivedBytes / progress.totalBytes : undefined;
    const done = fraction !== undefined && fraction >= 1;
    if (output.isTTY) {
      if (!done && now() - lastDraw < MIN_REDRAW_MS) return;
      lastDraw = now();
      output.write(`\r${label} ${renderBar(fraction)} ${renderAmount(progress)}${done ? '\n' : ''}`);
      return;
    }
    const decile = fraction === undefined ? -1 : Math.floor(fraction * 10);
    if (decile <= lastDecile) return;
    lastDecile = decile;
    output.write(`${label} ${renderAmount(progress)}\n`);
  };
}

function renderBar(fraction: number | undefined): string {
  if (fraction === undefined) return '[' + '?'.repeat(BAR_WIDTH) + ']';
  const filled = Math.round(Math.min(1, fraction) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

function renderAmount(progress: DownloadProgress): string {
  const received = formatBytes(progress.receivedBytes);
  if (!progress.totalBytes) return received;
  const percent = Math.floor((progress.receivedBytes / progress.totalBytes) * 100);
  return `${percent}% ${received} / ${formatBytes(progress.totalBytes)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
