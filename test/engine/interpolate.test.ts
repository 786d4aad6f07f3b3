import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/engine/rule-options.js';

/** What interpolate did before it cut templates once: one regular-expression replace per call. */
const reference = (template: string, data: Record<string, unknown> | undefined) =>
  data ? template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (m, key: string) => (key in data ? String(data[key]) : m)) : template;

describe('interpolate', () => {
  const templates = [
    '',
    'No placeholders.',
    '{{a}}',
    'Expected {{ a }} to be {{b}}.',
    '{{a}}{{a}}{{b}}',
    'Unknown {{missing}} stays; {{a.b}} and {{a-b}} are keys; {{ not a key }} is text.',
    'Dollars $& $1 {{a}} $$',
    '{{a}',
    '{{toString}} is inherited',
  ];
  const data = { a: 'x$1', b: 2, 'a.b': null, 'a-b': undefined };

  it('replaces placeholders as a regular-expression replace would', () => {
    for (const t of templates) {
      expect(interpolate(t, data), t).toBe(reference(t, data));
      // Twice: the second call uses the template's cached parts.
      expect(interpolate(t, data), t).toBe(reference(t, data));
      expect(interpolate(t, {}), t).toBe(reference(t, {}));
      expect(interpolate(t, undefined), t).toBe(t);
    }
  });
});
