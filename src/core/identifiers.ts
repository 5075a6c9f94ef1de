/**
 * Numbers that name something rather than count it — a port, an AS number, a year, a record id —
 * are printed as they are: `1433`, never `1,433`. Tables (CLI, front page) ask by column name.
 */
const IDENTIFIER_FIELD =
  /^(?:id|v|version|rev|gid|sid|pid|year|port|dport|sport|asn|as)$|[ _](?:id|port|asn|year)$/i;

export function isIdentifierField(name: string): boolean {
  return IDENTIFIER_FIELD.test(name);
}
