/** Who called: a client certificate's subject (RFC 4514), an app id, or nobody (open operations, compatibility mode). */
export interface CallerIdentity {
  kind: 'certificate' | 'app' | 'anonymous';
  id: string;
}

export const ANONYMOUS: CallerIdentity = Object.freeze({ kind: 'anonymous', id: 'anonymous' });
