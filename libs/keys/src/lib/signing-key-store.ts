import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '@dsts/config';
import type { NewSigningKey, SigningKeyRecord, SigningKeyRepository } from '@dsts/db';
import { DstsError } from '@dsts/errors';
import { openPrivateKey, sealPrivateKey } from './envelope';
import { signingKeyId } from './key-id';
import { generateSigningKeyPair, signingJwk, signWith } from './signing-algorithms';

/** A JWKS entry: `kty`, `alg`, `use`, `kid` and the key's public members (`n`/`e` for RSA, `crv`/`x`(/`y`) for EC and OKP). */
export interface PublicJwk {
  kty: string;
  alg: string;
  use: string;
  kid: string;
  [member: string]: string;
}

export interface SigningKeyStoreDeps {
  repository: SigningKeyRepository;
  /** 32-byte AES key that envelope-encrypts private keys at rest. */
  encryptionKey: Buffer;
  /** Algorithm of keys created from now on; existing keys keep theirs. */
  algorithm: SigningAlgorithm;
  rsaBits: number;
  /** A rotated-in key is published this long before it signs. */
  activationDelaySeconds: number;
  /** Automatic rotation period; 0 = only {@link SigningKeyStore.rotate}. */
  rotationDays: number;
  /** How long this replica trusts its view of the key table. */
  refreshSeconds: number;
  /** Longest lifetime of a token signed here: a retired key stays published that much longer. */
  maxTokenLifetimeSeconds: number;
  clock: () => Date;
}

/**
 * Signing keys (SPEC §5): several published, one signing. Every replica
 * keeps a short-lived view of the key table; the database arbitrates races.
 */
export interface SigningKeyStore {
  /**
   * Creates the first primary key unless one exists — safe with any number of
   * replicas starting at once — and proves the primary can be decrypted.
   * Returns its kid. Call at start, before serving.
   */
  ensurePrimaryKey(): Promise<string>;
  /**
   * JWKS `keys`: every key whose tokens may still be live, and a pending
   * successor. While the key table cannot be read, the keys last read.
   */
  publishedJwks(): Promise<PublicJwk[]>;
  /** Signs `claims` as a compact JWS (header `alg`, `kid`, `typ: JWT`) with the current primary key. */
  signJwt(claims: object): Promise<string>;
  /**
   * Creates the successor key: published at once, signing from now +
   * activation delay. If a successor is already pending, returns that one.
   */
  rotate(): Promise<{ kid: string; activatesAt: Date }>;
}

/** Allowance for clocks of replicas and verifiers disagreeing. */
const CLOCK_SKEW_SECONDS = 60;

interface View {
  keys: SigningKeyRecord[];
  loadedAt: number;
}

const isPending = (key: SigningKeyRecord) => !key.isPrimary && key.retiredAt === null;
const base64url = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url');
const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

export function createSigningKeyStore(deps: SigningKeyStoreDeps): SigningKeyStore {
  const { repository, clock } = deps;
  let view: View | undefined;
  let loading: Promise<View> | undefined;
  /** When the last reload failed (undefined after a success): publishing waits for no retry until a refresh period later. */
  let failedAt: number | undefined;
  const privateKeys = new Map<string, KeyObject>();

  async function newKey(now: Date, activatesAt: Date): Promise<NewSigningKey> {
    const { publicKey, privateKey } = await generateSigningKeyPair(deps.algorithm, deps.rsaBits);
    const id = signingKeyId(publicKey);
    const publicJwk = await signingJwk(deps.algorithm, publicKey, id);
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    try {
      return {
        id,
        algorithm: deps.algorithm,
        publicJwk,
        encryptedPrivateKey: sealPrivateKey(der, deps.encryptionKey, id),
        createdAt: now,
        activatesAt,
      };
    } finally {
      der.fill(0);
    }
  }

  /** Promotes a due successor and starts a scheduled rotation; true when the table changed. */
  async function maintain(keys: SigningKeyRecord[], now: Date): Promise<boolean> {
    const primary = keys.find((key) => key.isPrimary);
    const pending = keys.find(isPending);
    if (!primary) return false;
    if (pending && pending.activatesAt <= now) {
      // Replicas with an older view sign with the old key for up to one refresh more.
      const lastSignedAt = addSeconds(now, deps.refreshSeconds + CLOCK_SKEW_SECONDS);
      await repository.promote({
        pendingId: pending.id,
        primaryId: primary.id,
        retiredAt: now,
        expiresAt: addSeconds(lastSignedAt, deps.maxTokenLifetimeSeconds),
      });
      return true;
    }
    const rotationDue = deps.rotationDays > 0 && addSeconds(primary.activatesAt, deps.rotationDays * 86_400) <= now;
    if (!pending && rotationDue) {
      await repository.insertPendingIfAbsent(await newKey(now, addSeconds(now, deps.activationDelaySeconds)));
      return true;
    }
    return false;
  }

  async function load(): Promise<View> {
    const now = clock();
    let keys = await repository.listPublished(now);
    if (await maintain(keys, now)) keys = await repository.listPublished(now);
    view = { keys, loadedAt: now.getTime() };
    failedAt = undefined;
    return view;
  }

  function current(): Promise<View> {
    if (view && clock().getTime() - view.loadedAt < deps.refreshSeconds * 1000) return Promise.resolve(view);
    // Single flight: concurrent requests share one reload.
    loading ??= load()
      .catch((error: unknown) => {
        failedAt = clock().getTime();
        throw error;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  /**
   * The view to publish: a fresh one when the table can be read, else the
   * last one read. Verifiers must keep getting the keys through a database
   * outage, and those are still the keys tokens were signed with (nothing can
   * rotate while the table cannot be written). After a failed reload the
   * next attempt waits a refresh period, so requests do not each wait for
   * a database that does not answer.
   */
  function publishable(): Promise<View> {
    const held = view;
    if (!held) return current();
    if (failedAt !== undefined && clock().getTime() - failedAt < deps.refreshSeconds * 1000) return Promise.resolve(held);
    return current().catch(() => held);
  }

  function privateKeyOf(key: SigningKeyRecord): KeyObject {
    let privateKey = privateKeys.get(key.id);
    if (!privateKey) {
      const der = openPrivateKey(key.encryptedPrivateKey, deps.encryptionKey, key.id);
      privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      der.fill(0);
      // The stored public JWK must belong to the decrypted key.
      if (signingKeyId(createPublicKey(privateKey)) !== key.id) {
        throw new DstsError('INTERNAL', `signing key ${key.id} does not match its id`);
      }
      privateKeys.set(key.id, privateKey);
    }
    return privateKey;
  }

  async function primaryKey(): Promise<SigningKeyRecord> {
    const primary = (await current()).keys.find((key) => key.isPrimary);
    if (!primary) throw new DstsError('INTERNAL', 'no primary signing key (ensurePrimaryKey was not called)');
    return primary;
  }

  return {
    async ensurePrimaryKey() {
      const now = clock();
      const existing = await repository.listPublished(now);
      if (!existing.some((key) => key.isPrimary)) {
        await repository.insertPrimaryIfAbsent(await newKey(now, now));
      }
      view = undefined;
      const primary = await primaryKey();
      privateKeyOf(primary);
      return primary.id;
    },

    async publishedJwks() {
      const { keys } = await publishable();
      const now = clock();
      return keys.filter((key) => key.expiresAt === null || key.expiresAt > now).map((key) => key.publicJwk as PublicJwk);
    },

    async signJwt(claims) {
      const key = await primaryKey();
      const signingInput = `${base64url({ alg: key.algorithm, kid: key.id, typ: 'JWT' })}.${base64url(claims)}`;
      const signature = await signWith(key.algorithm, privateKeyOf(key), Buffer.from(signingInput));
      return `${signingInput}.${signature.toString('base64url')}`;
    },

    async rotate() {
      const now = clock();
      const successor = await newKey(now, addSeconds(now, deps.activationDelaySeconds));
      await repository.insertPendingIfAbsent(successor);
      view = undefined;
      const pending = (await current()).keys.find(isPending);
      if (!pending) throw new DstsError('INTERNAL', 'rotation left no pending key');
      return { kid: pending.id, activatesAt: pending.activatesAt };
    },
  };
}
