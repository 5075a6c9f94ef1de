/**
 * The Japanese catalogue: every string the portal shows. Its shape is the catalogue's type
 * (`Messages`): the English one must have every key, checked by the compiler. Keys name what a
 * string is for; parameters are typed.
 */
import type { EventKind, Technique } from '../../../core/index.js';

export interface StatusParams {
  readonly reporting: string;
  readonly sensors: string;
  readonly addresses: string;
  readonly coverage: string;
  readonly asOf: string;
}

export const ja = {
  htmlLang: 'ja',
  siteName: 'Koban 観測センター',
  tagline: 'インターネット定点観測と情報共有',
  skipToContent: '本文へ移動',
  nav: {
    label: 'サイト内メニュー',
    release: '観測結果',
    advisories: '注意喚起',
    feed: 'Atom フィード',
    api: 'API (JSON)',
  },
  language: {
    label: '表示言語',
    submit: '切り替え',
    names: { ja: '日本語', en: 'English' } as Record<'ja' | 'en', string>,
  },
  simulated:
    '模擬データ (SIMULATED) — このセンターのデータは内蔵シミュレータが生成したもので、実在のセンサーの観測ではありません。',
  status: (p: StatusParams): string =>
    `報告中のセンサー ${p.reporting} / ${p.sensors} 台、観測対象 ${p.addresses} アドレス (カバー率 ${p.coverage})、${p.asOf} 時点のデータ`,
  statusNoData: 'まだ観測データがありません',
  publicNotice: (delayHours: number, minCount: number): string =>
    `公開する数値は全センサーの合計で、${delayHours} 時間以上前までのものです。${minCount} 件未満の数値は表示しません (–)。`,
  footer: 'Koban — オープンソースの観測・情報共有プラットフォーム',
  suppressed: '–',
  release: {
    title: (month: string): string => `${month}の観測結果`,
    intro:
      'センサーに届いたアクセス (ファイアウォールの遮断記録とダークネットへの到達) と侵入検知システムの検知を集計した月次の観測結果です。',
    previous: '前月',
    next: '翌月',
    monthNav: '対象月の選択',
    noData: 'この月の公開データはありません。',
    notPublished: (month: string): string => `${month}の観測結果はまだ公開されていません。`,
    badMonth: '対象月は YYYY-MM の形式で指定してください。',
    dailyTitle: '日別の観測値',
    dailyCaption: '1 日あたりの件数 (アドレス当たりは観測対象 IPv4 アドレス 1 個当たり)',
    date: '日付',
    accesses: 'アクセス件数',
    accessesPerAddress: 'アドレス当たりアクセス',
    sources: '発信元アドレス数',
    ids: 'IDS 検知件数',
    idsPerAddress: 'アドレス当たり IDS 検知',
    backscatter: 'DoS バックスキャッタ検知',
    monitoredAddresses: (n: string): string => `観測対象 IPv4 アドレス: ${n} 個`,
    topTitle: '上位 5 位と前月比',
    topPorts: '宛先ポート',
    topCountries: '発信元の国・地域',
    topTechniques: '攻撃手法 (IDS)',
    rank: '順位',
    item: '項目',
    count: '件数',
    previousRank: '前月順位',
    change: '前月比',
    newEntry: '新規',
    outOfRank: '圏外',
    figuresTitle: '図表',
    data: 'データ',
  },
  figure: {
    kinds: '図 1 アクセス件数の推移 (種別ごと)',
    countries: '図 2 発信元の国・地域別アクセス件数 (上位 10)',
    techniques: '図 3 攻撃手法別 IDS 検知件数の推移',
    ports: '図 4 宛先ポート別アクセス件数 (上位 10)',
    portSeries: (port: string): string => `図 5 ${port} へのアクセス件数の推移 (国内・国外別)`,
    axisDay: '日',
    axisCount: '件数',
    domestic: '国内',
    foreign: '国外',
    unattributed: '不明',
  },
  kind: {
    firewall: 'ファイアウォール',
    darknet: 'ダークネット',
    ids: 'IDS',
  } as Record<EventKind, string>,
  technique: {
    Worm: 'ワーム',
    Scan: 'スキャン',
    Exploit: 'エクスプロイト',
    DoS: 'DoS',
    'Trojan/Backdoor': 'トロイの木馬・バックドア',
    Policy: 'ポリシー違反',
    Other: 'その他',
  } as Record<Technique, string>,
  unknownCountry: '不明',
  advisories: {
    title: '注意喚起',
    intro: 'センターが一般に公開している注意喚起 (TLP:CLEAR) です。',
    none: '公開中の注意喚起はありません。',
    published: '公開日時',
    updated: '更新日時',
    version: (n: number): string => `第 ${n} 版`,
    withdrawn: (reason: string): string => `この注意喚起は取り下げられました: ${reason}`,
    indicators: '関連する指標',
    indicatorType: '種別',
    indicatorValue: '値',
    lures: '確認されたメールの件名',
    noBody: '本文は英語版のみです。',
    back: '注意喚起の一覧へ',
    feedTitle: 'Koban 観測センターの注意喚起',
    notFound: '指定の注意喚起は見つかりません。',
  },
  tlpClear: '公開情報です。開示の制限はありません (FIRST TLP 2.0)。',
};

export type Messages = typeof ja;
