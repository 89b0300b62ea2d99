/** Text as one cell of a Markdown table: pipes escaped, lines joined by a space, blank lines dropped. */
export const markdownCell = (text: string): string =>
  text
    .replace(/\|/g, '\\|')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
