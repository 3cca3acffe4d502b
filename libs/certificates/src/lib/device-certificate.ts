import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  Certificate,
  ExtendedKeyUsage,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyUsage,
  KeyUsageFlags,
  type Name,
} from '@peculiar/asn1-x509';
import { DstsError } from '@dsts/errors';
import { hasForbiddenCharacters, MAX_ID_LENGTH } from '@dsts/validation';

const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const ALLOWED_EXTENDED_KEY_USAGES = new Set([id_kp_clientAuth, id_kp_serverAuth]);
const MIN_RSA_BITS = 2048;
/** Far above any real device certificate; bounds parsing work on hostile input. */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

export interface CertificatePolicy {
  /** Also accept EC P-256 keys signed with ecdsa-with-SHA256 (SPEC §2 [beyond]). */
  allowEcP256: boolean;
}

/** A device certificate that passed every rule of SPEC §2. */
export interface DeviceCertificate {
  der: Buffer;
  /** Lowercase hex SHA-256 over the DER bytes. */
  thumbprint: string;
  /** Subject CN: the device id. */
  commonName: string;
  /** Subject O: the tenant id, when present. */
  organization: string | undefined;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
}

function invalid(reason: string): DstsError {
  return new DstsError('INVALID_CERTIFICATE', `invalid device certificate: ${reason}`);
}

/** The single value of a subject attribute; several values are ambiguous and refused. */
function subjectAttribute(subject: Name, oid: string, label: string): string | undefined {
  const values = subject.flatMap((rdn) => rdn.filter((atv) => atv.type === oid)).map((atv) => atv.value.toString());
  if (values.length > 1) throw invalid(`subject has more than one ${label}`);
  // The name becomes a device or tenant id: the same character rules as ids sent by clients.
  if (values[0] !== undefined && hasForbiddenCharacters(values[0])) throw invalid(`subject ${label} contains control characters`);
  if (values[0] !== undefined && [...values[0]].length > MAX_ID_LENGTH) throw invalid(`subject ${label} is longer than ${MAX_ID_LENGTH} characters`);
  return values[0];
}

function checkKeyUsage(certificate: Certificate): void {
  const extensions = certificate.tbsCertificate.extensions ?? [];
  const keyUsage = extensions.find((e) => e.extnID === id_ce_keyUsage);
  if (!keyUsage) throw invalid('key usage extension is missing');
  const flags = AsnConvert.parse(keyUsage.extnValue, KeyUsage).toNumber();
  if (flags !== KeyUsageFlags.digitalSignature) throw invalid('key usage must be exactly digitalSignature');
  const extended = extensions.find((e) => e.extnID === id_ce_extKeyUsage);
  if (extended) {
    const usages = AsnConvert.parse(extended.extnValue, ExtendedKeyUsage);
    if (usages.length === 0 || usages.some((oid) => !ALLOWED_EXTENDED_KEY_USAGES.has(oid))) {
      throw invalid('extended key usage may only be clientAuth and/or serverAuth');
    }
  }
}

function checkKeyAndSignature(publicKey: KeyObject, signatureOid: string, policy: CertificatePolicy): void {
  const details = publicKey.asymmetricKeyDetails ?? {};
  const rsaKey = publicKey.asymmetricKeyType === 'rsa';
  const ecKey = policy.allowEcP256 && publicKey.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1';
  if (!rsaKey && !ecKey) throw invalid(policy.allowEcP256 ? 'public key must be RSA or EC P-256' : 'public key must be RSA');
  if (rsaKey && (details.modulusLength ?? 0) < MIN_RSA_BITS) throw invalid(`RSA key must be at least ${MIN_RSA_BITS} bits`);
  // The signature is the issuing CA's: with EC enabled, an EC CA may sign too.
  const signatureAllowed =
    signatureOid === OID_SHA256_WITH_RSA || (policy.allowEcP256 && signatureOid === OID_ECDSA_WITH_SHA256);
  if (!signatureAllowed) {
    throw invalid(policy.allowEcP256 ? 'signature must be sha256WithRSA or ecdsa-with-SHA256' : 'signature must be sha256WithRSA');
  }
}

function parseDer(bytes: Uint8Array): { der: Buffer; node: X509Certificate; asn: Certificate } {
  if (bytes.length === 0) throw invalid('certificate is empty');
  if (bytes.length > MAX_CERTIFICATE_BYTES) throw invalid(`certificate is larger than ${MAX_CERTIFICATE_BYTES} bytes`);
  const der = Buffer.from(bytes);
  let node: X509Certificate;
  let asn: Certificate;
  try {
    node = new X509Certificate(der);
    asn = AsnConvert.parse(der, Certificate);
  } catch {
    throw invalid('not a DER-encoded X.509 certificate');
  }
  // Node also accepts PEM and ignores trailing bytes; the contract is exact DER,
  // so that one certificate has exactly one thumbprint.
  if (!node.raw.equals(der)) throw invalid('not a DER-encoded X.509 certificate');
  return { der, node, asn };
}

/**
 * Parses a device certificate and applies every rule of SPEC §2 at instant
 * `now`. Throws `DstsError('INVALID_CERTIFICATE')` naming the first rule broken.
 * Subject names are read from the ASN.1 attributes, never from a printed string.
 */
export function parseDeviceCertificate(bytes: Uint8Array, policy: CertificatePolicy, now: Date): DeviceCertificate {
  const { der, node, asn } = parseDer(bytes);
  const tbs = asn.tbsCertificate;
  const commonName = subjectAttribute(tbs.subject, OID_COMMON_NAME, 'common name');
  if (!commonName) throw invalid('subject common name is missing');
  const organization = subjectAttribute(tbs.subject, OID_ORGANIZATION, 'organization');
  const notBefore = tbs.validity.notBefore.getTime();
  const notAfter = tbs.validity.notAfter.getTime();
  if (now < notBefore) throw invalid('certificate is not yet valid');
  if (now > notAfter) throw invalid('certificate has expired');
  checkKeyAndSignature(node.publicKey, asn.signatureAlgorithm.algorithm, policy);
  checkKeyUsage(asn);
  return {
    der,
    thumbprint: createHash('sha256').update(der).digest('hex'),
    commonName,
    organization,
    notBefore,
    notAfter,
    publicKey: node.publicKey,
  };
}

/** Lowercase hex SHA-256 over DER bytes (the stored thumbprint). */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
