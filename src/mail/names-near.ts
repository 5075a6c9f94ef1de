/**
 * Names written next to a private address in prose — "our CFO Taro Yamada
 * (taro.yamada@example.co.jp)", "山田太郎様（taro@…）", "taro@… (Taro Yamada)" — name the same
 * person, so they are private too, though they appear in no header. Only the name-shaped words
 * right beside the address are taken: capitalised words in Latin script (not all-capital titles
 * such as CFO, not honorifics), a run of kanji or katakana in Japanese (a hiragana particle ends
 * it; a trailing 様, さん, 殿 or 氏 is dropped). A name written elsewhere cannot be found this way.
 */

const LATIN_BEFORE =
  /((?:\p{Lu}[\p{Ll}'’-]+\.?[ \t]+){0,3}\p{Lu}[\p{Ll}'’-]+)["'”]?[ \t]*[<(（[][ \t]*(?:mailto:)?$/u;
const CJK_BEFORE =
  /([\p{sc=Han}\p{sc=Katakana}ー々]{1,8}(?:[ \u3000][\p{sc=Han}\p{sc=Katakana}ー々]{1,8})?)(?:様|さん|殿|氏)?["'”]?[ \t]*[<(（[][ \t]*(?:mailto:)?$/u;
const AFTER =
  /^[ \t]*[>)）\]]?[ \t]*[(（][ \t]*((?:\p{Lu}[\p{Ll}'’-]+\.?[ \t]+){0,3}\p{Lu}[\p{Ll}'’-]+|[\p{sc=Han}\p{sc=Katakana}ー々]{1,8}(?:[ \u3000][\p{sc=Han}\p{sc=Katakana}ー々]{1,8})?)[ \t]*[)）]/u;
const HONORIFIC = /^(?:mr|mrs|ms|miss|dr|prof|sir|dear|hi|hello)\.?$/i;

/** Occurrences of each address looked at, per text; enough for any real note. */
const MAX_HITS = 200;

export function namesNearAddresses(texts: readonly string[], addresses: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const list = [...new Set([...addresses].map((a) => a.toLowerCase()))].filter((a) => a.includes('@'));
  for (const text of texts) {
    const lower = text.toLowerCase();
    for (const a of list) {
      let hits = 0;
      for (
        let i = lower.indexOf(a);
        i !== -1 && hits < MAX_HITS;
        i = lower.indexOf(a, i + a.length), hits++
      ) {
        const before = text.slice(Math.max(0, i - 80), i);
        const after = text.slice(i + a.length, i + a.length + 80);
        for (const m of [LATIN_BEFORE.exec(before), CJK_BEFORE.exec(before), AFTER.exec(after)]) {
          const name = m ? cleanName(m[1]!) : null;
          if (name) out.add(name);
        }
      }
    }
  }
  return out;
}

function cleanName(raw: string): string | null {
  const words = raw.trim().split(/[ \t]+/);
  while (words.length > 0 && HONORIFIC.test(words[0]!)) words.shift();
  const name = words.join(' ');
  return name.length >= 2 ? name : null;
}
