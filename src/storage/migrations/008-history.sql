-- Metric history, tiered like a round-robin database: tier 0 holds every check's value,
-- tiers 1, 15 and 60 hold minute, quarter-hour and hour buckets (min, avg, max, count).
CREATE TABLE metric_points (
  series TEXT NOT NULL,
  tier INTEGER NOT NULL,
  at INTEGER NOT NULL,
  min REAL NOT NULL,
  avg REAL NOT NULL,
  max REAL NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (series, tier, at)
) WITHOUT ROWID;

CREATE INDEX metric_points_age ON metric_points (tier, at);
