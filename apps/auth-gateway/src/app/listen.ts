import type { Server } from 'node:http';
import type { Express } from 'express';

/** Binds the app; rejects (instead of logging and living on) when the address cannot be bound. */
export function listen(app: Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
