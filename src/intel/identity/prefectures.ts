/**
 * The 47 prefectures of Japan in JIS X 0401 order (code = index + 1), with their English and
 * Japanese names, so a member's location can be given as `34`, `hiroshima` or `広島県` and is
 * stored one way. Statistics count distinct prefectures per indicator (the reference case of
 * docs/background.md#sharing-network: 13 operators in 11 prefectures).
 */
const PREFECTURES: readonly (readonly [string, string])[] = [
  ['hokkaido', '北海道'],
  ['aomori', '青森県'],
  ['iwate', '岩手県'],
  ['miyagi', '宮城県'],
  ['akita', '秋田県'],
  ['yamagata', '山形県'],
  ['fukushima', '福島県'],
  ['ibaraki', '茨城県'],
  ['tochigi', '栃木県'],
  ['gunma', '群馬県'],
  ['saitama', '埼玉県'],
  ['chiba', '千葉県'],
  ['tokyo', '東京都'],
  ['kanagawa', '神奈川県'],
  ['niigata', '新潟県'],
  ['toyama', '富山県'],
  ['ishikawa', '石川県'],
  ['fukui', '福井県'],
  ['yamanashi', '山梨県'],
  ['nagano', '長野県'],
  ['gifu', '岐阜県'],
  ['shizuoka', '静岡県'],
  ['aichi', '愛知県'],
  ['mie', '三重県'],
  ['shiga', '滋賀県'],
  ['kyoto', '京都府'],
  ['osaka', '大阪府'],
  ['hyogo', '兵庫県'],
  ['nara', '奈良県'],
  ['wakayama', '和歌山県'],
  ['tottori', '鳥取県'],
  ['shimane', '島根県'],
  ['okayama', '岡山県'],
  ['hiroshima', '広島県'],
  ['yamaguchi', '山口県'],
  ['tokushima', '徳島県'],
  ['kagawa', '香川県'],
  ['ehime', '愛媛県'],
  ['kochi', '高知県'],
  ['fukuoka', '福岡県'],
  ['saga', '佐賀県'],
  ['nagasaki', '長崎県'],
  ['kumamoto', '熊本県'],
  ['oita', '大分県'],
  ['miyazaki', '宮崎県'],
  ['kagoshima', '鹿児島県'],
  ['okinawa', '沖縄県'],
];

/** The English name of a prefecture given by JIS code, English or Japanese name; null if none matches. */
export function canonicalPrefecture(s: string): string | null {
  const t = s.trim().toLowerCase();
  if (/^\d{1,2}$/.test(t)) return PREFECTURES[Number(t) - 1]?.[0] ?? null;
  for (const [en, ja] of PREFECTURES) {
    if (t === en || t === `${en}-ken` || t === ja || t === ja.replace(/[都府県]$/, '')) return en;
  }
  return null;
}

export const PREFECTURE_NAMES: readonly string[] = PREFECTURES.map(([en]) => en);
