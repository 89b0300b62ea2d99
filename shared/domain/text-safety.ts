// Characters no request may carry: NUL and the other C0 controls (tab, CR and LF only inside text), DEL, the C1
// controls, lone surrogates and the noncharacters. PostgreSQL refuses NUL in text and jsonb, and the rest have no
// business in a name, an id or a notice; refusing them at the edge keeps them out of every store and document.

export interface UnsafeText {
  /** Where, as a JSON pointer into a body or a name like `query` or `header x-foo`. */
  where: string;
  /** What was found, in words, with its code point. */
  what: string;
}

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first unsafe character of `text` in words, or null. `multiline` allows tab, CR and LF. One pass, no pattern. */
export function unsafeCharacter(text: string, multiline: boolean): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (multiline && (c === 0x09 || c === 0x0a || c === 0x0d)) continue;
      return c === 0 ? 'a NUL character (U+0000)' : `a control character (${hex(c)})`;
    }
    if (c < 0x7f) continue;
    if (c <= 0x9f) return `a control character (${hex(c)})`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        if ((cp & 0xfffe) === 0xfffe) return `a noncharacter (${hex(cp)})`;
        i++;
        continue;
      }
      return `a lone surrogate (${hex(c)}): not a valid code point`;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return `a lone surrogate (${hex(c)}): not a valid code point`;
    if ((c >= 0xfdd0 && c <= 0xfdef) || c === 0xfffe || c === 0xffff) return `a noncharacter (${hex(c)})`;
  }
  return null;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The first unsafe key or string of a parsed JSON value: keys never allow controls, string values allow tab, CR and
 * LF. `skip` names pointers whose contents another check answers for (a batch's events, each answered on its own).
 */
export function unsafeInJson(value: unknown, skip: (pointer: string) => boolean = () => false): UnsafeText | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (skip(at)) continue;
    if (typeof v === 'string') {
      const what = unsafeCharacter(v, true);
      if (what) return { where: at || '/', what };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const what = unsafeCharacter(k, false);
        if (what) return { where: `${at}/${escapePointer(k)}`, what: `${what} in the key` };
        stack.push([child, `${at}/${escapePointer(k)}`]);
      }
    }
  }
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of UTF-8 bytes, or null when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The first unsafe character of a request target (path and query), percent-decoded as UTF-8; malformed escapes and
 * invalid UTF-8 are unsafe too. A `+` in a query is a space, which is safe either way.
 */
export function unsafeInTarget(target: string): UnsafeText | null {
  const q = target.indexOf('?');
  const parts: Array<[string, string]> = [['the path', q < 0 ? target : target.slice(0, q)]];
  if (q >= 0) parts.push(['the query string', target.slice(q + 1)]);
  for (const [where, raw] of parts) {
    const bytes = percentDecode(raw);
    const text = bytes ? decodeUtf8(bytes) : null;
    if (text === null) return { where, what: 'a malformed percent-escape or bytes that are not UTF-8' };
    const what = unsafeCharacter(text, false);
    if (what) return { where, what };
  }
  return null;
}

function percentDecode(text: string): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const digits = text.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/i.test(digits)) return null;
      out.push(Number.parseInt(digits, 16));
      i += 2;
    } else if (c <= 0xff)
      out.push(c); // Node hands the target over one latin1 character per byte
    else for (const b of Buffer.from(String.fromCharCode(c), 'utf8')) out.push(b);
  }
  return Uint8Array.from(out);
}

/**
 * A header value as Node hands it over (each byte one latin1 character): the bytes must be UTF-8 and hold no
 * control character other than tab.
 */
export function unsafeInHeader(value: string): string | null {
  let text = value;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      const decoded = decodeUtf8(Buffer.from(value, 'latin1'));
      if (decoded === null) return 'bytes that are not UTF-8';
      text = decoded;
      break;
    }
  }
  return unsafeCharacter(text.replaceAll('\t', ' '), false);
}
