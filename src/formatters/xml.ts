// Characters XML 1.0 forbids even as references (§2.2): C0 controls but tab/LF/CR, U+FFFE/U+FFFF,
// and unpaired surrogates. They are replaced, so a stray byte in a message cannot break the file.
// With the `u` flag a surrogate class matches only unpaired surrogates.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

function clean(value: string | number): string {
  return String(value).replace(INVALID_XML, '\uFFFD');
}

/** Escapes text content of an element; CR is a reference, or parsers would turn CRLF into LF. */
export function xmlText(value: string | number): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/**
 * Escapes an attribute value for double quotes. Tab, LF and CR become character references,
 * because parsers normalise literal ones in attributes to spaces (XML 1.0 §3.3.3).
 */
export function xmlAttr(value: string | number): string {
  return xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}
