/**
 * A small Prometheus registry: counters and histograms that code updates, gauges read at
 * scrape time, rendered in the text exposition format (version 0.0.4).
 */

export type Labels = Record<string, string>;

/** A metric read at scrape time from a running part (a feature, the outbox, storage). */
export interface Gauge {
  name: string;
  help: string;
  collect(): Iterable<[Labels, number]>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN");

interface Family {
  render(): string[];
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

export function createMetrics() {
  const families: Family[] = [];
  const header = (name: string, help: string, type: string) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
  ];

  return {
    counter(name: string, help: string): Counter {
      const values = new Map<string, { labels: Labels; value: number }>();
      families.push({
        render: () => [
          ...header(name, help, "counter"),
          ...[...values.values()].map((v) => `${name}${labelText(v.labels)} ${num(v.value)}`),
        ],
      });
      return {
        inc(labels = {}, by = 1) {
          const key = JSON.stringify(labels);
          const entry = values.get(key) ?? { labels, value: 0 };
          entry.value += by;
          values.set(key, entry);
        },
      };
    },
    histogram(name: string, help: string, buckets: readonly number[]): Histogram {
      const series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
      families.push({
        render: () => {
          const lines = header(name, help, "histogram");
          for (const s of series.values()) {
            for (const [i, b] of buckets.entries()) {
              lines.push(`${name}_bucket${labelText({ ...s.labels, le: num(b) })} ${s.counts[i]}`);
            }
            lines.push(`${name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
            lines.push(
              `${name}_sum${labelText(s.labels)} ${num(s.sum)}`,
              `${name}_count${labelText(s.labels)} ${s.count}`,
            );
          }
          return lines;
        },
      });
      return {
        observe(labels, value) {
          const key = JSON.stringify(labels);
          const s = series.get(key) ?? { labels, counts: buckets.map(() => 0), sum: 0, count: 0 };
          buckets.forEach((b, i) => {
            if (value <= b) s.counts[i] = (s.counts[i] as number) + 1;
          });
          s.sum += value;
          s.count++;
          series.set(key, s);
        },
      };
    },
    /** A gauge whose samples are read when scraped. */
    gauge(name: string, help: string, collect: () => Iterable<[Labels, number]>): void {
      families.push({
        render: () => [
          ...header(name, help, "gauge"),
          ...[...collect()].map(([l, v]) => `${name}${labelText(l)} ${num(v)}`),
        ],
      });
    },
    render(): string {
      return `${families.flatMap((f) => f.render()).join("\n")}\n`;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
