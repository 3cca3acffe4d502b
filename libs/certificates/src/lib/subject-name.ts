import { AsnConvert } from '@peculiar/asn1-schema';
import { type AttributeTypeAndValue, Certificate } from '@peculiar/asn1-x509';

/**
 * Short names as OpenSSL 3 prints them (`-nameopt RFC2253`): every X.520
 * attribute it knows, and the few others below; any other attribute is
 * `<dotted OID>=#<HEX DER>` (RFC 4514 §2.4, upper case as OpenSSL).
 */
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
  '2.5.4.13': 'description',
  '2.5.4.14': 'searchGuide',
  '2.5.4.15': 'businessCategory',
  '2.5.4.16': 'postalAddress',
  '2.5.4.17': 'postalCode',
  '2.5.4.18': 'postOfficeBox',
  '2.5.4.19': 'physicalDeliveryOfficeName',
  '2.5.4.20': 'telephoneNumber',
  '2.5.4.21': 'telexNumber',
  '2.5.4.22': 'teletexTerminalIdentifier',
  '2.5.4.23': 'facsimileTelephoneNumber',
  '2.5.4.24': 'x121Address',
  '2.5.4.25': 'internationaliSDNNumber',
  '2.5.4.26': 'registeredAddress',
  '2.5.4.27': 'destinationIndicator',
  '2.5.4.28': 'preferredDeliveryMethod',
  '2.5.4.29': 'presentationAddress',
  '2.5.4.30': 'supportedApplicationContext',
  '2.5.4.31': 'member',
  '2.5.4.32': 'owner',
  '2.5.4.33': 'roleOccupant',
  '2.5.4.34': 'seeAlso',
  '2.5.4.35': 'userPassword',
  '2.5.4.41': 'name',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.45': 'x500UniqueIdentifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.47': 'enhancedSearchGuide',
  '2.5.4.48': 'protocolInformation',
  '2.5.4.49': 'distinguishedName',
  '2.5.4.50': 'uniqueMember',
  '2.5.4.51': 'houseIdentifier',
  '2.5.4.52': 'supportedAlgorithms',
  '2.5.4.53': 'deltaRevocationList',
  '2.5.4.54': 'dmdName',
  '2.5.4.65': 'pseudonym',
  '2.5.4.72': 'role',
  '2.5.4.97': 'organizationIdentifier',
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
  // A value that is no string (several X.520 attributes hold sequences) is hex DER, under its name when it has one.
  if (!name || atv.value.anyValue) return `${name ?? atv.type}=#${Buffer.from(AsnConvert.serialize(atv.value)).toString('hex').toUpperCase()}`;
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
  /** Written as `#<hex DER>` (an unescaped `#` first). */
  hex: boolean;
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
    const hex = text[equals + 1] === '#';
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
    attributes.push({ type, value, hex, separator });
    if (separator === '') return attributes;
    index += 1;
  }
}

/** How `subjectDistinguishedName` writes the attribute; undefined for a type it never writes. */
function canonicalAttribute({ type, value, hex }: WrittenAttribute): string | undefined {
  if (!hex) return KNOWN_NAMES.has(type) ? `${type}=${escapeValue(value)}` : undefined;
  // Hex DER (taken as given: not decoded here) under a short name (a value that is no string), or under an OID without one.
  const hexType = KNOWN_NAMES.has(type) || (DOTTED_OID.test(type) && !(type in SHORT_NAMES));
  return hexType && HEX_DER.test(value) ? `${type}=${value}` : undefined;
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
