/**
 * Messages of the notification settings page (`/member/notifications`, notifications.ts), Japanese
 * (the default) and English; the English catalogue is typed by the Japanese one.
 */

export const NOTIFICATIONS_PATH = '/member/notifications';

const ja = {
  nav: '通知設定',
  title: '通知設定',
  intro: (email: string): string =>
    `注意喚起を、ポータルの受信箱のほかに電子メール（${email}）でどう受け取るかを選びます。受信箱にはいつでもすべて届きます。`,
  legend: '注意喚起の電子メール',
  modes: {
    each: '一件ずつ：発信・更新・取り下げのたびにすぐ届く',
    daily: (at: string): string => `一日一回のまとめ：前回からの分をまとめて1通（次回 ${at}）`,
    off: '送らない：受信箱だけ',
  },
  notChosen:
    'まだ選んでいません。いまは、あなたを名指しした注意喚起だけが一件ずつ電子メールで届き、組織あての注意喚起は受信箱（と組織の配信先）だけに届きます。',
  save: '保存',
  invalid: 'どれか一つを選んでください。',
  saved: '保存しました。すでに配信待ちのものは、保存前の方法で届きます。',
};

const en: typeof ja = {
  nav: 'Notifications',
  title: 'Notification settings',
  intro: (email: string): string =>
    `Choose how advisories reach you by e-mail (${email}) besides the portal inbox. The inbox always holds every advisory.`,
  legend: 'Advisory e-mail',
  modes: {
    each: 'Each one: at once, on every send, update and withdrawal',
    daily: (at: string): string => `Daily digest: one e-mail with everything since the last (next: ${at})`,
    off: 'None: the inbox only',
  },
  notChosen:
    'You have not chosen yet. For now, advisories naming you come by e-mail one by one; advisories to your organisation go to the inbox (and your organisation’s delivery endpoints) only.',
  save: 'Save',
  invalid: 'Choose one of the options.',
  saved: 'Saved. What is already waiting to be delivered goes out as chosen before.',
};

export const NOTIFICATION_MESSAGES = { ja, en } as const;
