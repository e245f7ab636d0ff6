/**
 * HTML that escapes by default: every value interpolated into an `html` template is escaped unless it is
 * itself `SafeHtml` (the output of another `html` template). Approval pages and emails show data from
 * commits, config and requests; with this, forgetting to escape one of them cannot happen by accident.
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content and for a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  // `cond && html\`...\`` leaves false when the condition does not hold: it renders as nothing.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
