/**
 * Messages of the delivery page (`/member/delivery`), Japanese (the default) and English; the
 * English catalogue is typed by the Japanese one so that neither lacks a key.
 */
import type { EndpointPreferences, Tlp } from '../../../intel/index.js';

type Event = NonNullable<EndpointPreferences['events']>[number];
type Status = 'pending' | 'delivered' | 'failed';
type Action = 'pause' | 'enable' | 'remove' | 'test';

const ja = {
  nav: '配信先',
  title: '注意喚起の配信先',
  intro: (org: string): string =>
    `${org}あての注意喚起を、受信箱のほかに届ける宛先（電子メール、Webhook）と、それぞれに送る内容です。`,
  adminsOnly: '配信先を管理できるのは自組織の管理者だけです。',
  none: '配信先はまだありません。注意喚起は受信箱にだけ届きます。',
  target: '宛先',
  kind: '種類',
  state: '状態',
  sends: '送る内容',
  lastDelivery: '最後の配信',
  actions: '操作',
  kinds: { email: '電子メール', webhook: 'Webhook' } as Record<'email' | 'webhook', string>,
  active: '有効',
  paused: (at: string): string => `停止中（${at}から）`,
  everything: 'すべて',
  sendsSummary: (tlps: string, events: string): string => `TLP: ${tlps}／出来事: ${events}`,
  status: { pending: '再試行待ち', delivered: '配信済み', failed: '失敗' } as Record<Status, string>,
  last: (status: string, at: string, alertId: number): string => `${status}（${at}、注意喚起 #${alertId}）`,
  never: 'まだありません',
  action: { pause: '停止', enable: '再開', remove: '削除', test: 'テスト送信' } as Record<Action, string>,
  actionNamed: (action: string, target: string): string => `${target} を${action}`,
  preferencesOf: (target: string): string => `${target} に送る内容`,
  tlpLegend: '送る TLP',
  eventLegend: '知らせる出来事',
  events: { sent: '発信', updated: '更新', withdrawn: '取り下げ' } as Record<Event, string>,
  tlp: (t: Tlp): string => `TLP:${t}`,
  save: '保存',
  saved: (target: string): string => `${target} に送る内容を保存しました。`,
  noDigest:
    'ここの配信先には、注意喚起が発信・更新・取り下げのたびにすぐ届きます。一日一回のまとめ送りは、各自が「通知設定」で自分のアドレスに選べます。',
  addHeading: '配信先を追加',
  addTarget: '電子メールアドレス、または Webhook の https URL',
  add: '追加',
  secretOnce:
    'Webhook の署名鍵です。表示は今回だけです。受信側に設定し、各配信の X-Koban-Signature を検証してください。',
  added: (target: string): string => `${target} を追加しました。`,
  done: {
    pause: (target: string): string => `${target} への配信を停止しました。`,
    enable: (target: string): string => `${target} への配信を再開しました。`,
    remove: (target: string): string => `${target} を削除しました。`,
  },
  testOk: (target: string): string => `${target} にテストを送りました。受信を確認してください。`,
  testFailed: (target: string, why: string): string => `${target} へのテスト送信に失敗しました: ${why}`,
  notFound: 'その配信先はありません。',
  back: '配信先の一覧へ',
};

export type DeliveryMessages = typeof ja;

const en: DeliveryMessages = {
  nav: 'Delivery',
  title: 'Advisory delivery',
  intro: (org: string): string =>
    `Where advisories to ${org} are delivered besides the inbox (e-mail, webhooks), and what each is sent.`,
  adminsOnly: 'Only your organisation’s administrators manage its delivery endpoints.',
  none: 'No delivery endpoints yet: advisories reach the inbox only.',
  target: 'Target',
  kind: 'Kind',
  state: 'State',
  sends: 'Sent',
  lastDelivery: 'Last delivery',
  actions: 'Actions',
  kinds: { email: 'E-mail', webhook: 'Webhook' },
  active: 'active',
  paused: (at: string): string => `paused (since ${at})`,
  everything: 'all',
  sendsSummary: (tlps: string, events: string): string => `TLP: ${tlps}; events: ${events}`,
  status: { pending: 'retrying', delivered: 'delivered', failed: 'failed' },
  last: (status: string, at: string, alertId: number): string => `${status} (${at}, advisory #${alertId})`,
  never: 'none yet',
  action: { pause: 'Pause', enable: 'Enable', remove: 'Remove', test: 'Send a test' },
  actionNamed: (action: string, target: string): string => `${action}: ${target}`,
  preferencesOf: (target: string): string => `What ${target} is sent`,
  tlpLegend: 'TLP labels sent',
  eventLegend: 'Events notified',
  events: { sent: 'sent', updated: 'updated', withdrawn: 'withdrawn' },
  tlp: (t: Tlp): string => `TLP:${t}`,
  save: 'Save',
  saved: (target: string): string => `Saved what ${target} is sent.`,
  noDigest:
    'These endpoints get each advisory at once, on every send, update and withdrawal. A daily digest is each person’s own choice for their own address, under Notifications.',
  addHeading: 'Add a delivery endpoint',
  addTarget: 'An e-mail address, or a webhook’s https URL',
  add: 'Add',
  secretOnce:
    'The webhook’s signing secret, shown this once: configure it at the receiver and verify each delivery’s X-Koban-Signature.',
  added: (target: string): string => `${target} was added.`,
  done: {
    pause: (target: string): string => `Delivery to ${target} is paused.`,
    enable: (target: string): string => `Delivery to ${target} is enabled again.`,
    remove: (target: string): string => `${target} was removed.`,
  },
  testOk: (target: string): string => `A test was sent to ${target}: check that it arrived.`,
  testFailed: (target: string, why: string): string => `The test to ${target} failed: ${why}`,
  notFound: 'No such delivery endpoint.',
  back: 'Back to delivery endpoints',
};

export const DELIVERY_MESSAGES = { ja, en } as const;
