/** Text into HTML for the reports: escaping and plain tables. */

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A table with a header row (or, with `rowHeaders`, no header and the first cell of each row a <th>). */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], id: string, rowHeaders = false): string {
  const head = rowHeaders ? '' : `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>\n`;
  const body = rows.map((r) => `<tr>${r.map((c, k) => (rowHeaders && k === 0 ? `<th>${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('\n');
  return `<table id="${escapeHtml(id)}"${rowHeaders ? ' class="metrics"' : ''}>\n${head}<tbody>\n${body}\n</tbody>\n</table>`;
}
