BEGIN IMMEDIATE
CREATE TABLE IF NOT EXISTS "hero" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "secret_name" VARCHAR NOT NULL, "age" INTEGER NULL )
CREATE INDEX IF NOT EXISTS "ix_hero_name" ON "hero" ("name")
CREATE INDEX IF NOT EXISTS "ix_hero_age" ON "hero" ("age")
COMMIT
BEGIN IMMEDIATE
INSERT INTO "hero" ("name", "secret_name", "age") VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?), (?, ?, ?) RETURNING "id", "name", "secret_name", "age"
    params: ["Deadpond", "Dive Wilson", NULL, "Spider-Boy", "Pedro Parqueador", NULL, "Rusty-Man", "Tommy Sharp", 48, "Tarantula", "Natalia Roman-on", 32, "Black Lion", "Trevor Challa", 35, "Dr. Weird", "Steve Weird", 36, "Captain North America", "Esteban Rogelios", 93]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Deadpond"]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" <= ?
    params: [35]
