import { hasForbiddenCharacters, optionalText, requiredId } from './request-fields';

describe('identifier rules', () => {
  it('accepts ordinary ids, including non-ASCII letters and emoji', () => {
    expect(requiredId('device-01_é', 'device_id')).toBe('device-01_é');
    expect(requiredId('🖨️printer', 'device_id')).toBe('🖨️printer');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['right-to-left override', 'abc\u202Egpj.exe'],
    ['line separator', 'a\u2028b'],
    ['replacement character (invalid UTF-8)', 'a\uFFFDb'],
  ])('refuses %s', (_label, value) => {
    expect(hasForbiddenCharacters(value)).toBe(true);
    expect(() => requiredId(value, 'tid')).toThrow('tid must be valid UTF-8 text without control characters');
  });

  it('requires a value and counts length in code points', () => {
    expect(() => requiredId('', 'app_id')).toThrow('app_id is required');
    expect(requiredId('😀'.repeat(128), 'tid')).toHaveLength(256);
    expect(() => requiredId('x'.repeat(129), 'tid')).toThrow('tid must be at most 128 characters');
    expect(optionalText('', 'hardware_hash', 256)).toBe('');
  });
});
