import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export const loadAverages = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

interface CpuTimes {
  busy: number;
  total: number;
}

function cpuTimes(): CpuTimes | undefined {
  try {
    // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal …, summed over all cores.
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - fields[3] - fields[4], total };
  } catch {
    return undefined;
  }
}

/** Starts measuring the whole machine's CPU use; the returned function gives the busy share since then (0–1), if Linux tells. */
export function machineBusy(): () => number | undefined {
  const start = cpuTimes();
  return () => {
    const end = cpuTimes();
    return start && end && end.total > start.total ? (end.busy - start.busy) / (end.total - start.total) : undefined;
  };
}
