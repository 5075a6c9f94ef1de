/**
 * Messages of the release's worm figures (figures.ts), Japanese (the default) and English; the
 * English catalogue is typed by the Japanese one.
 */
type Match = 'none' | 'first-octet' | 'first-two-octets';

const ja = {
  wormCountries: `図6 ワーム検知件数の送信元国・地域別推移（上位5）`,
  neighbours: '図7 送信元と宛先（センサーのアドレス）の上位オクテットの一致',
  other: 'その他',
  match: {
    'first-two-octets': '第1・第2オクテット一致',
    'first-octet': '第1オクテットのみ一致',
    none: '一致なし',
  } as Record<Match, string>,
  accessShare: 'アクセス件数',
  sourceShare: '送信元数',
  axisShare: '割合 (%)',
};

const en: typeof ja = {
  wormCountries: 'Figure 6 Worm detections per day by source country or region (top 5)',
  neighbours: 'Figure 7 Sources sharing leading octets with the sensor address they hit',
  other: 'Other',
  match: {
    'first-two-octets': 'First two octets shared',
    'first-octet': 'First octet only',
    none: 'None shared',
  },
  accessShare: 'Accesses',
  sourceShare: 'Sources',
  axisShare: 'Share (%)',
};

export const FIGURE_MESSAGES = { ja, en } as const;
