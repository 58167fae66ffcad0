/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line
 * must be a HELP, a TYPE or a sample of a declared family, names and labels well formed,
 * values numbers; histogram buckets must be cumulative and end with +Inf = _count.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const where = `line ${i + 1}: ${line}`;
    if (line.startsWith("# HELP ")) continue;
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      if (
        !name ||
        !NAME.test(name) ||
        !["counter", "gauge", "histogram", "summary", "untyped"].includes(type ?? "")
      )
        throw new Error(`bad TYPE, ${where}`);
      types.set(name, type as string);
      continue;
    }
    if (line.startsWith("#")) throw new Error(`unknown comment, ${where}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad sample, ${where}`);
    const [, name = "", , body, raw = ""] = m;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    if (!types.has(family)) throw new Error(`sample before its TYPE, ${where}`);
    const labels: Record<string, string> = {};
    if (body) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let pos = 0;
      while (pos < body.length) {
        re.lastIndex = pos;
        const l = re.exec(body);
        if (!l) throw new Error(`bad labels, ${where}`);
        labels[l[1] as string] = (l[2] as string)
          .replace(/\\n/g, "\n")
          .replace(/\\"/g, '"')
          .replace(/\\\\/g, "\\");
        pos = re.lastIndex;
      }
    }
    const value =
      raw === "+Inf" ? Number.POSITIVE_INFINITY : raw === "-Inf" ? Number.NEGATIVE_INFINITY : Number(raw);
    if (Number.isNaN(value) && raw !== "NaN") throw new Error(`bad value, ${where}`);
    samples.push({ name, labels, value });
  }
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const buckets = samples.filter((s) => s.name === `${family}_bucket`);
    const series = new Map<string, Sample[]>();
    for (const b of buckets) {
      const { le: _, ...rest } = b.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), b]);
    }
    for (const [key, list] of series) {
      for (let i = 1; i < list.length; i++)
        if ((list[i] as Sample).value < (list[i - 1] as Sample).value)
          throw new Error(`${family} buckets not cumulative`);
      const count = samples.find((s) => s.name === `${family}_count` && JSON.stringify(s.labels) === key);
      if (list.at(-1)?.labels.le !== "+Inf" || count?.value !== list.at(-1)?.value)
        throw new Error(`${family}: +Inf bucket must equal _count`);
    }
  }
  return { types, samples };
}
