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
  // ── Periodic reports (koban publish, /reports): keep this block together ──
  report: {
    nav: '定期報告',
    kind: { monthly: '月次報告', semiannual: '半期報告', annual: '年次報告' } as Record<
      'monthly' | 'semiannual' | 'annual',
      string
    >,
    documentTitle: (period: string, kind: string): string => `${period} 観測・情報共有 ${kind}`,
    gregorianHalf: (year: number, half: number): string => `${year}年${half === 1 ? '上半期' : '下半期'}`,
    gregorianYear: (year: number): string => `${year}年`,
    gregorianRange: (from: string, to: string): string => `(${from} 〜 ${to})`,
    issued: (date: string): string => `発行 ${date}`,
    observationChapter: '第 1 章 インターネット定点観測の結果',
    observationIntro:
      'センサーに届いたアクセス (ファイアウォールの遮断記録とダークネットへの到達) と侵入検知システムの検知を、全センサー合計で集計しました。',
    byMonthNote: '半期・年次の報告では、推移の表と図を月単位で集計しています (順位は期間全体)。',
    byMonthTitle: '月別の観測値',
    monthlyCaption: '1 か月あたりの件数 (発信元アドレス数はその月の異なるアドレスの数)',
    month: '月',
    axisMonth: '月',
    topTitle: {
      monthly: '上位 5 位と前月比',
      semiannual: '上位 5 位と前期比',
      annual: '上位 5 位と前年比',
    } as Record<'monthly' | 'semiannual' | 'annual', string>,
    previousRank: { monthly: '前月順位', semiannual: '前期順位', annual: '前年順位' } as Record<
      'monthly' | 'semiannual' | 'annual',
      string
    >,
    change: { monthly: '前月比', semiannual: '前期比', annual: '前年比' } as Record<
      'monthly' | 'semiannual' | 'annual',
      string
    >,
    sharingChapter: '第 2 章 情報共有ネットワーク',
    sharingIntro:
      '会員組織から報告された標的型メール等の件数と、その集計結果です。件数のみを掲載し、組織名や報告の内容は掲載しません。',
    reportsTitle: '標的型メール等の報告件数',
    reportsCol: '報告件数',
    emailsCol: 'うち標的型メール',
    total: '合計',
    c2Title: '不正プログラムの接続先 (国・地域別)',
    c2Summary: (destinations: string, addresses: string): string =>
      `接続先 ${destinations} 件 (うち IP アドレス ${addresses} 件)`,
    country: '国・地域',
    destinations: '接続先数',
    share: '割合',
    noRows: '掲載できる件数はありません。',
    campaignsTitle: '攻撃キャンペーン',
    campaigns: (n: string, reports: string): string =>
      `期間中に新たに識別したキャンペーン ${n} 件 (関連する報告 ${reports} 件)`,
    advisoriesTitle: '注意喚起',
    advisoriesSent: (n: string): string => `会員組織へ送信した注意喚起 ${n} 件`,
    listTitle: '定期報告',
    listIntro:
      '月次・半期・年次の報告です。期間が終わり、公開の遅延時間が過ぎたものを掲載しています。PDF は HTML と同じ内容を印刷したものです。',
    noReports: 'まだ公開された報告はありません。',
    notPublished: (period: string): string => `${period} の報告はまだ公開されていません。`,
    badPeriod: '期間は 2026-11、2026-H1、2026 の形式で指定してください。',
    pdfUnavailable: 'このサーバーでは PDF を作成できません。HTML 版をご覧ください。',
  },
};

export type Messages = typeof ja;
