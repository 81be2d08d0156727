// autocannon 8 ships no types; the soak test and the bench use this much of its result.
declare module 'autocannon' {
  export interface Result {
    '2xx': number;
    '5xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    requests: { average: number; total: number };
    latency: { p50: number; p99: number; average: number };
  }
  export default function autocannon(options: Record<string, unknown>): Promise<Result>;
}
