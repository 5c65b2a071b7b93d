/** Latency quantiles (p50/p99) from a bounded sample: reservoir sampling keeps memory flat on long runs. */
const SIZE = 10_000;

export class LatencySample {
  private readonly values: number[] = [];
  private seen = 0;

  add(ms: number): void {
    this.seen += 1;
    if (this.values.length < SIZE) this.values.push(ms);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < SIZE) this.values[j] = ms;
    }
  }

  quantile(q: number): number | undefined {
    if (this.values.length === 0) return undefined;
    const sorted = [...this.values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
}
