import { freemem, loadavg, totalmem, uptime } from 'node:os';

/** One health sample of the machine the job runs on. */
export interface HealthSample {
  /** 1, 5 and 15 minute load averages. */
  load: [number, number, number];
  freeMemoryBytes: number;
  totalMemoryBytes: number;
  uptimeSeconds: number;
}

/** Reads the machine's load and memory; recorded as the `sample` task's result. */
export function sampleHealth(): HealthSample {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    load: [one, five, fifteen],
    freeMemoryBytes: freemem(),
    totalMemoryBytes: totalmem(),
    uptimeSeconds: Math.round(uptime()),
  };
}
