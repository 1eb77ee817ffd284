/**
 * HTML built from template literals: every interpolated value is escaped unless it is already
 * `Html` (built by `html` itself, or an SVG drawn by ECharts marked with `trusted`). A page can
 * thus only hold markup that this code wrote; a name, a note, a query parameter is text.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let index = 0; index < values.length; index++) out += render(values[index]) + strings[index + 1]!;
  return new Html(out);
}

/** Markup this code did not write by hand but trusts (an SVG rendered by ECharts from numbers and our labels). */
export function trusted(markup: string): Html {
  return new Html(markup);
}
