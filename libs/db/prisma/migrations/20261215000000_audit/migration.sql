-- Audit trail of state-changing lifecycle operations (README "Audit log").
-- Rows are only ever inserted; the lifecycle-api writes a change's row in the
-- change's own transaction, so a committed change always has its row.

CREATE TABLE "audit_events" (
    -- Chosen by the service per call: the row written with a change and the
    -- same row written again after the call (ON CONFLICT DO NOTHING) coincide.
    "id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "operation" VARCHAR(64) NOT NULL,
    "actor_kind" VARCHAR(16) NOT NULL,
    "actor_id" TEXT NOT NULL,
    "tenant_id" VARCHAR(128),
    "device_id" VARCHAR(128),
    -- 'ok' or the error kind the caller was answered with; reason = the error code.
    "outcome" VARCHAR(32) NOT NULL,
    "reason" VARCHAR(64),
    "request_id" VARCHAR(128) NOT NULL,
    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- A tenant's events in a time range (`dstsctl audit list --tid --since --until`).
CREATE INDEX "audit_events_tenant_time_idx" ON "audit_events"("tenant_id", "occurred_at");
