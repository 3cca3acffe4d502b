-- Initial schema of the device STS.

CREATE TABLE "management_services" (
    "id" VARCHAR(64) NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    CONSTRAINT "management_services_pkey" PRIMARY KEY ("id")
);

INSERT INTO "management_services" ("id", "name") VALUES
    ('none', 'Not managed'),
    ('hpconnect', 'HP Connect'),
    ('hpcem', 'HP Cloud Endpoint Manager');

CREATE TABLE "devices" (
    "tenant_id" VARCHAR(128) NOT NULL,
    "device_id" VARCHAR(128) NOT NULL,
    "certificate_thumbprint" CHAR(64) NOT NULL,
    "previous_certificate_thumbprint" CHAR(64),
    "certificate_issued_at" TIMESTAMPTZ(3) NOT NULL,
    "certificate_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "is_enabled" BOOLEAN NOT NULL DEFAULT true,
    "is_lost" BOOLEAN NOT NULL DEFAULT false,
    "management_service_id" VARCHAR(64) NOT NULL DEFAULT 'none',
    "hardware_hash" VARCHAR(256),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "devices_pkey" PRIMARY KEY ("tenant_id", "device_id"),
    CONSTRAINT "devices_ids_not_empty" CHECK ("tenant_id" <> '' AND "device_id" <> ''),
    -- Unknown hardware hash is NULL, never a blank string.
    CONSTRAINT "devices_hardware_hash_not_blank" CHECK ("hardware_hash" IS NULL OR "hardware_hash" ~ '[^[:space:]]'),
    CONSTRAINT "devices_thumbprint_hex" CHECK ("certificate_thumbprint" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "devices_previous_thumbprint_hex" CHECK ("previous_certificate_thumbprint" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "devices_certificate_validity" CHECK ("certificate_issued_at" <= "certificate_expires_at")
);

CREATE INDEX "devices_tenant_created_idx" ON "devices"("tenant_id", "created_at", "device_id");
CREATE INDEX "devices_tenant_enabled_created_idx" ON "devices"("tenant_id", "is_enabled", "created_at", "device_id");
CREATE INDEX "devices_hardware_hash_idx" ON "devices"("hardware_hash");

ALTER TABLE "devices" ADD CONSTRAINT "devices_management_service_id_fkey"
    FOREIGN KEY ("management_service_id") REFERENCES "management_services"("id")
    ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "tombstoned_devices" (
    "tenant_id" VARCHAR(128) NOT NULL,
    "device_id" VARCHAR(128) NOT NULL,
    "deleted_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tombstoned_devices_pkey" PRIMARY KEY ("tenant_id", "device_id"),
    CONSTRAINT "tombstoned_devices_ids_not_empty" CHECK ("tenant_id" <> '' AND "device_id" <> '')
);

CREATE TABLE "enrollment_tokens" (
    "tenant_id" VARCHAR(128) NOT NULL,
    "token" VARCHAR(64) NOT NULL,
    "issued_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    CONSTRAINT "enrollment_tokens_pkey" PRIMARY KEY ("tenant_id"),
    CONSTRAINT "enrollment_tokens_not_empty" CHECK ("tenant_id" <> '' AND "token" <> ''),
    CONSTRAINT "enrollment_tokens_validity" CHECK ("issued_at" <= "expires_at")
);

CREATE UNIQUE INDEX "enrollment_tokens_token_key" ON "enrollment_tokens"("token");

CREATE TABLE "signing_keys" (
    "id" VARCHAR(128) NOT NULL,
    "algorithm" VARCHAR(16) NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "encrypted_private_key" BYTEA NOT NULL,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activates_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(6),
    "expires_at" TIMESTAMPTZ(6),
    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("id")
);

-- At most one primary signing key, enforced by the database so that replicas
-- racing on first start cannot both create one.
CREATE UNIQUE INDEX "signing_keys_single_primary" ON "signing_keys" ((true)) WHERE "is_primary";
-- At most one pending key (published, not yet signing): replicas that decide
-- to rotate at the same moment create one successor, not several.
CREATE UNIQUE INDEX "signing_keys_single_pending" ON "signing_keys" ((true)) WHERE NOT "is_primary" AND "retired_at" IS NULL;

CREATE TABLE "registered_apps" (
    "id" VARCHAR(128) NOT NULL,
    "name" VARCHAR(256) NOT NULL,
    "is_enabled" BOOLEAN NOT NULL DEFAULT true,
    "public_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "registered_apps_pkey" PRIMARY KEY ("id")
);
