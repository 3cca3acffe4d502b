import { createAuditRepository, MAX_AUDIT_EVENTS_PER_QUERY } from '@dsts/db';
import { type Command, integerOption, stringOption, timeOption, UsageError } from '../command';
import { formatTime, table } from '../format';

const DAY_MS = 86_400_000;
const DEFAULT_LIMIT = 100;

export const auditCommands: Command[] = [
  {
    group: 'audit',
    name: 'list',
    summary: "list a tenant's audit events, oldest first (reads PostgreSQL: DATABASE_URL)",
    source: 'database',
    options: {
      tid: { type: 'string', description: 'tenant id', required: true, value: 'T' },
      since: { type: 'string', description: 'from this time on, ISO 8601, UTC unless it has an offset (default: 24 hours ago)', value: 'TIME' },
      until: { type: 'string', description: 'before this time, ISO 8601, UTC unless it has an offset (default: now)', value: 'TIME' },
      limit: { type: 'string', description: `at most N events, 1-${MAX_AUDIT_EVENTS_PER_QUERY} (default ${DEFAULT_LIMIT})`, value: 'N' },
    },
    async run(prisma, values) {
      const until = timeOption(values, 'until', new Date());
      const since = timeOption(values, 'since', new Date(until.getTime() - DAY_MS));
      if (since.getTime() >= until.getTime()) {
        throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
      }
      const limit = integerOption(values, 'limit', DEFAULT_LIMIT, 1, MAX_AUDIT_EVENTS_PER_QUERY);
      const events = await createAuditRepository(prisma).list({ tenantId: stringOption(values, 'tid'), since, until, limit });
      const rows = events.map((event) => [
        formatTime(event.occurredAt),
        event.operation,
        event.reason ? `${event.outcome} (${event.reason})` : event.outcome,
        `${event.actorKind}:${event.actorId}`,
        event.deviceId ?? '-',
        event.requestId,
      ]);
      // Oldest first: a full page means the newest events may be the ones left out.
      const notice =
        events.length === limit
          ? `showing the first ${limit} events (the limit); later ones may be left out: narrow --since/--until or raise --limit (at most ${MAX_AUDIT_EVENTS_PER_QUERY})`
          : undefined;
      return { json: { events }, text: table(['TIME', 'OPERATION', 'OUTCOME', 'ACTOR', 'DEVICE', 'REQUEST ID'], rows), notice };
    },
  },
];
