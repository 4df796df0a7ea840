import { sql, type Kysely } from "kysely";

// Frozen once merged: never edit, add a new migration instead.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("units")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("parent_id", "integer", (c) => c.references("units.id").onDelete("restrict"))
    .addColumn("kind", "text", (c) =>
      c.notNull().check(sql`kind in ('province', 'ward', 'residential_group')`),
    )
    .addColumn("name", "text", (c) => c.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One name per parent, compared case-insensitively (names are stored in NFC).
  await sql`create unique index units_parent_name_key on units (coalesce(parent_id, 0), lower(name))`.execute(db);
  await db.schema.createIndex("units_parent_id_idx").on("units").column("parent_id").execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull().check(sql`username ~ '^[a-z0-9._-]{3,40}$'`))
    .addColumn("full_name", "text", (c) => c.notNull().check(sql`char_length(full_name) between 1 and 120`))
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("disabled_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("password_changed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index users_username_key on users (username)`.execute(db);

  await db.schema
    .createTable("grants")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) =>
      c.notNull().check(sql`role in ('admin', 'front_officer', 'counting_member', 'committee_reader')`),
    )
    // A null unit is a grant over every unit; only an administrator may hold one.
    .addColumn("unit_id", "integer", (c) => c.references("units.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("grants_global_admin_only", sql`unit_id is not null or role = 'admin'`)
    .execute();
  await sql`create unique index grants_user_role_unit_key on grants (user_id, role, coalesce(unit_id, 0))`.execute(db);

  await db.schema
    .createTable("sessions")
    // The cookie carries a random token; only its SHA-256 is stored, so a copy of the table opens no session.
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user_id_idx").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("login_throttles")
    .addColumn("username", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("window_started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("locked_until", "timestamptz")
    .execute();

  await db.schema
    .createTable("position_titles")
    .addColumn("id", "serial", (c) => c.primaryKey())
    // Null: one of the built-in key positions; otherwise a title a ward's officer added.
    .addColumn("ward_id", "integer", (c) => c.references("units.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`char_length(name) between 1 and 150`))
    .addColumn("sort_order", "integer", (c) => c.notNull().defaultTo(1000))
    .execute();
  await sql`create unique index position_titles_ward_name_key on position_titles (coalesce(ward_id, 0), lower(name))`.execute(db);

  await db.schema
    .createTable("cadres")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("ward_id", "integer", (c) => c.notNull().references("units.id").onDelete("restrict"))
    .addColumn("full_name", "text", (c) => c.notNull().check(sql`char_length(full_name) between 1 and 120`))
    .addColumn("birth_year", "integer", (c) => c.check(sql`birth_year between 1900 and 2100`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("cadres_ward_id_idx").on("cadres").column("ward_id").execute();

  await db.schema
    .createTable("positions")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("cadre_id", "integer", (c) => c.notNull().references("cadres.id").onDelete("cascade"))
    .addColumn("unit_id", "integer", (c) => c.notNull().references("units.id").onDelete("restrict"))
    .addColumn("title_id", "integer", (c) => c.notNull().references("position_titles.id").onDelete("restrict"))
    .addColumn("started_on", "date", (c) => c.notNull())
    .addColumn("ended_on", "date")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("positions_dates_ordered", sql`ended_on is null or ended_on >= started_on`)
    .execute();
  // A cadre holds a given title in a given unit at most once at a time.
  await sql`create unique index positions_current_key on positions (cadre_id, unit_id, title_id) where ended_on is null`.execute(db);
  await db.schema.createIndex("positions_unit_id_idx").on("positions").column("unit_id").execute();

  await db.schema
    .createTable("import_drafts")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("ward_id", "integer", (c) => c.notNull().references("units.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('residential_groups', 'cadres')`))
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("rows", "jsonb", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("committed_at", "timestamptz")
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("actor_user_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("actor_label", "text", (c) => c.notNull())
    .addColumn("unit_id", "integer", (c) => c.references("units.id").onDelete("set null"))
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("details", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex("audit_log_unit_id_idx").on("audit_log").column("unit_id").execute();

  await db
    .insertInto("position_titles")
    .values(BUILTIN_TITLES.map((name, i) => ({ ward_id: null, name, sort_order: (i + 1) * 10 })))
    .execute();
}

/** The ward's key positions, as the migration seeded them. */
export const BUILTIN_TITLES = [
    "Bí thư Đảng ủy",
    "Phó Bí thư Đảng ủy",
    "Chủ tịch HĐND",
    "Phó Chủ tịch HĐND",
    "Chủ tịch UBND",
    "Phó Chủ tịch UBND",
    "Chủ tịch UBMTTQ",
    "Phó Chủ tịch UBMTTQ",
    "Chủ tịch Hội Liên hiệp Phụ nữ",
    "Chủ tịch Hội Cựu chiến binh",
    "Bí thư Đoàn Thanh niên",
    "Chủ tịch Công đoàn",
    "Tổ trưởng tổ dân phố",
    "Trưởng ban công tác Mặt trận",
];

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "audit_log",
    "import_drafts",
    "positions",
    "cadres",
    "position_titles",
    "login_throttles",
    "sessions",
    "grants",
    "users",
    "units",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
