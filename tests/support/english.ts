/**
 * The English words in a text a clerk reads. Allowed: codes and identifiers (a token with a digit,
 * such as a USCC, a 文号 or a project number), one capital letter (the grades A–D), a name quoted
 * from a department's record in 「」, and the units and abbreviations of ALLOWED.
 */
const ALLOWED = new Set([
  'kWh',
  'MWh',
  'tce',
  'm',
  'USCC',
  'GB',
  'T',
  'CSV',
  'xlsx',
  // the names of the web's own things, which Chinese software writes as they are
  'API',
  'JSON',
  'GET',
  'POST',
  'URL',
  'KB',
  'BOM',
  'PostgreSQL',
]);

export function englishWords(text: string): string[] {
  const words: string[] = [];
  const own = text.replace(/「[^」]*」/g, '');
  for (const [token] of own.matchAll(/[A-Za-z0-9_-]*[A-Za-z][A-Za-z0-9_-]*/g)) {
    if (/\d/.test(token) || /^[A-Z]$/.test(token) || ALLOWED.has(token)) continue;
    words.push(token);
  }
  return words;
}
