import { AsnConvert } from '@peculiar/asn1-schema';
import { type AttributeTypeAndValue, Certificate } from '@peculiar/asn1-x509';

/** Short names as OpenSSL prints them; any other attribute is `<dotted OID>=#<HEX DER>` (RFC 4514 §2.4, upper case as OpenSSL). */
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

const hexByte = (byte: number) => `\\${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * RFC 4514 escaping as `openssl -nameopt RFC2253` does it: the special
 * characters with a backslash, control characters and every byte of a
 * non-ASCII character as `\XX`, so the result is printable ASCII.
 */
function escapeValue(value: string): string {
  const characters = [...value];
  return characters
    .map((character, index) => {
      const code = character.codePointAt(0) as number;
      if (code < 0x20 || code === 0x7f) return hexByte(code);
      if (code > 0x7f) return [...Buffer.from(character, 'utf8')].map(hexByte).join('');
      if (',+"\\<>;'.includes(character)) return `\\${character}`;
      if ((index === 0 && (character === '#' || character === ' ')) || (index === characters.length - 1 && character === ' ')) return `\\${character}`;
      return character;
    })
    .join('');
}

function attribute(atv: AttributeTypeAndValue): string {
  const name = SHORT_NAMES[atv.type];
  if (!name) return `${atv.type}=#${Buffer.from(AsnConvert.serialize(atv.value)).toString('hex').toUpperCase()}`;
  return `${name}=${escapeValue(atv.value.toString())}`;
}

/**
 * The certificate's subject as an RFC 4514 string: last RDN first, `,`
 * between RDNs, `+` inside a multi-valued one. For the usual attributes it is
 * exactly what `openssl x509 -noout -subject -nameopt RFC2253` prints, so an
 * operator can read a caller's identity off its certificate file.
 * Built from the parsed ASN.1 Name, never from a printed subject.
 */
export function subjectDistinguishedName(der: Buffer): string {
  const subject = AsnConvert.parse(der, Certificate).tbsCertificate.subject;
  return [...subject]
    .reverse()
    .map((rdn) => [...rdn].reverse().map(attribute).join('+'))
    .join(',');
}

const DOTTED_OID = /^\d+(\.\d+)+$/;
const HEX_DER = /^#(?:[0-9A-F]{2})+$/;
const SPECIALS = ',+"\\<>;';
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
/** What RFC 4514 lets a backslash escape besides a hex pair. */
const ESCAPABLE = `${SPECIALS} #=`;
const KNOWN_NAMES = new Set(Object.values(SHORT_NAMES));

interface WrittenAttribute {
  type: string;
  /** The value with its escapes resolved. */
  value: string;
  /** `,` (next RDN), `+` (same RDN) or `` (last). */
  separator: string;
}

/**
 * `text` read as RFC 4514 attributes, or undefined where it breaks the
 * grammar: no `=`, an unescaped special character, a stray backslash,
 * escaped bytes that are not UTF-8.
 */
function readAttributes(text: string): WrittenAttribute[] | undefined {
  const attributes: WrittenAttribute[] = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let index = 0;
  for (;;) {
    const equals = text.indexOf('=', index);
    if (equals < 0) return undefined;
    const type = text.slice(index, equals);
    const bytes: number[] = [];
    for (index = equals + 1; index < text.length && text[index] !== ',' && text[index] !== '+'; ) {
      const character = text[index];
      if (character !== '\\') {
        if (SPECIALS.includes(character)) return undefined;
        bytes.push(...Buffer.from(character, 'utf8'));
        index += 1;
      } else if (HEX_PAIR.test(text.slice(index + 1, index + 3))) {
        bytes.push(parseInt(text.slice(index + 1, index + 3), 16));
        index += 3;
      } else if (index + 1 < text.length && ESCAPABLE.includes(text[index + 1])) {
        bytes.push(text.charCodeAt(index + 1));
        index += 2;
      } else {
        return undefined;
      }
    }
    let value: string;
    try {
      value = utf8.decode(Uint8Array.from(bytes));
    } catch {
      return undefined;
    }
    const separator = text[index] ?? '';
    attributes.push({ type, value, separator });
    if (separator === '') return attributes;
    index += 1;
  }
}

/** How `subjectDistinguishedName` writes the attribute; undefined for a type it never writes. */
function canonicalAttribute({ type, value }: WrittenAttribute): string | undefined {
  if (KNOWN_NAMES.has(type)) return `${type}=${escapeValue(value)}`;
  // Only attributes without a short name are written as OID and hex DER (taken as given: not decoded here).
  if (DOTTED_OID.test(type) && !(type in SHORT_NAMES) && HEX_DER.test(value)) return `${type}=${value}`;
  return undefined;
}

/**
 * Whether `text` is written exactly as `subjectDistinguishedName` (and
 * `openssl x509 -noout -subject -nameopt RFC2253`) writes a subject, so that
 * comparing it with a certificate's subject as strings is meaningful. Other
 * spellings of a name (a space after a comma, `cn=`, `\2C` for `\,`,
 * OpenSSL's default `/O=…/CN=…`) are refused, not rewritten: guessing what
 * an operator meant is no way to name a security principal.
 */
export function isCanonicalSubjectName(text: string): boolean {
  const attributes = readAttributes(text);
  if (!attributes) return false;
  const rewritten = attributes.map((attribute) => {
    const written = canonicalAttribute(attribute);
    return written === undefined ? undefined : `${written}${attribute.separator}`;
  });
  return rewritten.every((part) => part !== undefined) && rewritten.join('') === text;
}
