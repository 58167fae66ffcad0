-- The last Plume locations each user looked at, offered as buttons by /locations.
CREATE TABLE plume_recent (
  user_id INTEGER NOT NULL,
  customer_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  name TEXT,
  used_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, customer_id, location_id)
) WITHOUT ROWID;
