import { AsnConvert } from '@peculiar/asn1-schema';
import { type AttributeTypeAndValue, Certificate } from '@peculiar/asn1-x509';

/** Short names as OpenSSL prints them; any other attribute is `<dotted OID>=#<hex DER>` (RFC 4514 §2.4). */
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
  if (!name) return `${atv.type}=#${Buffer.from(AsnConvert.serialize(atv.value)).toString('hex')}`;
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
