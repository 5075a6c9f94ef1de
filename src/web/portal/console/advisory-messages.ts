/**
 * The messages of advisory drafting's newer parts (a draft written from scratch, the preview in
 * both languages, organisations chosen by name), Japanese (the default) and English: a catalogue
 * of their own beside desk-messages.ts. The English object is typed by the Japanese one.
 */
import type { Lang } from '../i18n/index.js';

const ja = {
  blankLink: '元になる報告なしで書く (外部の情報源など)',
  blankTitle: '注意喚起の作成 (元になる報告なし)',
  blankIntro:
    '報告やキャンペーンを引用せずに、外部の情報源などから一から書きます。指標や誘導メールの情報は含まれません。TLP は必ず選んでください。',
  fromSourceLink: '報告またはキャンペーンを元に作成する',
  tlpChoose: '選んでください',
  noSource: '元になる報告なし: ラベルは作成者が選びます',
  languagesIntro:
    '受信者には画面の言語 (言語の切り替え、またはブラウザーの言語設定) の版が表示されます。メールでの配信には両方の本文が入ります。',
  readers: { ja: '日本語の画面で読む受信者', en: '英語の画面で読む受信者' } as Record<Lang, string>,
  /** What a reader of `lang` sees when the body exists only in the other language, or not at all. */
  fallback: {
    ja: '日本語の本文がありません。日本語の画面で読む受信者には英語の本文が注記付きで表示されます。',
    en: '英語の本文がありません。英語の画面で読む受信者には日本語の本文が注記付きで表示されます。',
  } as Record<Lang, string>,
  noBody: 'どちらの言語にも本文がありません。受信者には件名と共有する値だけが表示されます。',
  orgs: '組織 (名前を 1 行に 1 つ、または番号をカンマ区切りで)',
  orgUnknown: (name: string) => `組織「${name}」は登録されていません`,
};

export type AdvisoryMessages = typeof ja;

const en: AdvisoryMessages = {
  blankLink: 'Write one without a source report (an outside source, say)',
  blankTitle: 'Draft an advisory from scratch',
  blankIntro:
    'Written without quoting a report or a campaign, from an outside source for instance. It shares no indicators or lure details. Choose its TLP label.',
  fromSourceLink: 'Draft from a report or a campaign instead',
  tlpChoose: 'Choose one',
  noSource: 'No source report: the label is the author’s choice',
  languagesIntro:
    'Recipients see the version in their page’s language (the language switch, or their browser’s setting). E-mail deliveries carry both texts.',
  readers: { ja: 'Recipients reading in Japanese', en: 'Recipients reading in English' },
  fallback: {
    ja: 'There is no Japanese text: recipients reading in Japanese see the English text, with a note.',
    en: 'There is no English text: recipients reading in English see the Japanese text, with a note.',
  },
  noBody: 'There is no text in either language: recipients see the title and the shared values only.',
  orgs: 'Organisations (one name a line, or numbers separated by commas)',
  orgUnknown: (name) => `No organisation is named “${name}”`,
};

export const ADVISORY_MESSAGES: Readonly<Record<Lang, AdvisoryMessages>> = { ja, en };
