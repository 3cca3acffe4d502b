import { createAuditRepository, MAX_AUDIT_EVENTS_PER_QUERY } from '@dsts/db';
import { type Command, integerOption, stringOption, timeOption } from '../command';
import { formatTime, table } from '../format';

const DAY_MS = 86_400_000;

export const auditCommands: Command[] = [
  {
    group: 'audit',
    name: 'list',
    summary: "list a tenant's audit events, oldest first (reads PostgreSQL: DATABASE_URL)",
    source: 'database',
    options: {
      tid: { type: 'string', description: 'tenant id', required: true, value: 'T' },
      since: { type: 'string', description: 'from this time on, ISO 8601 (default: 24 hours ago)', value: 'TIME' },
      until: { type: 'string', description: 'before this time, ISO 8601 (default: now)', value: 'TIME' },
      limit: { type: 'string', description: `at most N events (default 100, at most ${MAX_AUDIT_EVENTS_PER_QUERY})`, value: 'N' },
    },
    async run(prisma, values) {
      const until = timeOption(values, 'until', new Date());
      const since = timeOption(values, 'since', new Date(until.getTime() - DAY_MS));
      const limit = integerOption(values, 'limit', 100);
      const events = await createAuditRepository(prisma).list({ tenantId: stringOption(values, 'tid'), since, until, limit });
      const rows = events.map((event) => [
        formatTime(event.occurredAt),
        event.operation,
        event.reason ? `${event.outcome} (${event.reason})` : event.outcome,
        `${event.actorKind}:${event.actorId}`,
        event.deviceId ?? '-',
        event.requestId,
      ]);
      return { json: { events }, text: table(['TIME', 'OPERATION', 'OUTCOME', 'ACTOR', 'DEVICE', 'REQUEST ID'], rows) };
    },
  },
];
