import type { AddressInfo } from 'node:net';
import express from 'express';
import { listen } from './listen';

describe('listen', () => {
  it('resolves with the server once it is bound', async () => {
    const server = await listen(express(), 0, '127.0.0.1');
    try {
      expect((server.address() as AddressInfo).port).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  // Regression: Express 5 hands a bind error to the listen callback, which
  // main.ts ignored, so a gateway on a taken port logged "listening" and lived on.
  it('rejects when the port is taken', async () => {
    const first = await listen(express(), 0, '127.0.0.1');
    try {
      const { port } = first.address() as AddressInfo;
      await expect(listen(express(), port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      first.close();
    }
  });
});
