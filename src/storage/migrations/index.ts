import type { Migration } from "bun-sqlite-migrations";
import { parseSqlContent } from "bun-sqlite-migrations";
import m001 from "./001-meta.sql" with { type: "text" };
import m002 from "./002-inbox.sql" with { type: "text" };
import m003 from "./003-runs.sql" with { type: "text" };
import m004 from "./004-alerts.sql" with { type: "text" };
import m005 from "./005-plume.sql" with { type: "text" };
import m006 from "./006-runs-prune.sql" with { type: "text" };
import m007 from "./007-plume-recent.sql" with { type: "text" };
import m008 from "./008-history.sql" with { type: "text" };
import m009 from "./009-run-owner.sql" with { type: "text" };
import m010 from "./010-run-requests.sql" with { type: "text" };
import m011 from "./011-alertmanager.sql" with { type: "text" };
import m012 from "./012-web.sql" with { type: "text" };

/**
 * Every migration, in order. Imported as text (not read from disk) so the compiled binary
 * carries them. Append only: never edit a migration that has shipped.
 */
const SOURCES: readonly string[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012];

export function allMigrations(): Migration[] {
  return SOURCES.map((sql, i) => ({ version: i + 1, up: parseSqlContent(sql), down: "" }));
}
