/**
 * `/member/notifications`: a member sees that they have not chosen, chooses a daily digest (its next
 * time shown), and the choice is what intel delivers by; a choice outside the three and a form
 * without its CSRF token are refused and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';

let w: ApiWorld;
let member: PortalBrowser;

beforeAll(async () => {
  w = await openApiWorld();
  member = new PortalBrowser(w, '192.0.2.43');
  await member.login(w.cast.x2.email);
});
afterAll(async () => {
  await w.close();
});

const setting = () => w.center.intel.advisories.userMail.get(w.system, w.cast.x2.userId);

describe('notification settings in the member portal', () => {
  it('shows the unchosen default, saves a daily digest and shows its next time', async () => {
    const page = await member.get('/member/notifications?lang=en');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Notification settings</h1>');
    expect(page.body).toContain(`(${w.cast.x2.email})`);
    expect(page.body).toContain('You have not chosen yet.');
    expect(page.body).not.toContain(' checked');
    // The menu leads here.
    expect(page.body).toContain('<a href="/member/notifications?lang=en">Notifications</a>');
    const r = await member.post('/member/notifications?lang=en', { advisories: 'daily' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('<div class="done" role="status"><p>Saved.');
    expect(r.body).toContain('value="daily" checked');
    expect(r.body).not.toContain('You have not chosen yet.');
    // The test center's clock: 2012-02-10 09:00 at +09:00; the next digest is at 08:00 the next day.
    expect(r.body).toContain('(next: 11 Feb 2012, 08:00 (UTC+09:00))');
    expect(await setting()).toMatchObject({ mode: 'daily', chosen: true });
    const ja = await member.get('/member/notifications');
    expect(ja.body).toContain(
      '一日一回のまとめ：前回からの分をまとめて1通（次回 2012/02/11 8:00 (UTC+09:00)）',
    );
  });

  it('refuses another choice and a form without its CSRF token, changing nothing', async () => {
    await member.get('/member/notifications?lang=en');
    const bad = await member.post('/member/notifications?lang=en', { advisories: 'hourly' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<p class="error" role="alert">Choose one of the options.</p>');
    const noToken = await member.post('/member/notifications', { advisories: 'off' }, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(await setting()).toMatchObject({ mode: 'daily' });
    expect((await member.post('/member/notifications?lang=en', { advisories: 'off' })).body).toContain(
      'value="off" checked',
    );
    expect(await setting()).toMatchObject({ mode: 'off', chosen: true });
  });
});
