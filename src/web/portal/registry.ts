/**
 * Every part of the portal, one line each: a page (or a group of pages) is a file exporting a
 * `mount` function, registered here. Order matters only where paths overlap: the signed-in areas' guard comes before their pages.
 */
import type { Hono } from 'hono';
import { mountAdvisoryFeed } from './advisories/atom.js';
import { mountAdvisoryPages } from './advisories/pages.js';
import { PORTAL_CSS, PORTAL_CSS_PATH } from './assets.js';
import { mountConsoleAdvisories } from './console/advisories.js';
import { mountConsoleAlerts } from './console/alerts.js';
import { mountCampaignPages } from './console/campaigns.js';
import { mountConsoleEvidence } from './console/evidence.js';
import { mountConsoleHome } from './console/home.js';
import { mountIndicatorSearch } from './console/indicators.js';
import { mountConsoleReport } from './console/report.js';
import { mountConsoleSensors } from './console/sensors.js';
import { mountTriage } from './console/triage.js';
import { mountLanguageSwitch } from './language.js';
import { mountDelivery } from './member/delivery.js';
import { mountInbox } from './member/inbox.js';
import { mountLogin } from './member/login.js';
import { mountNotifications } from './member/notifications.js';
import { mountMemberReports } from './member/reports.js';
import { mountSignedInAreas } from './member/session.js';
import { mountSubmit } from './member/submit.js';
import { mountTokens } from './member/tokens.js';
import { mountUsers } from './member/users.js';
import type { PortalContext } from './page.js';
import { mountRelease } from './release/page.js';
import { mountReports } from './reports/pages.js';

export interface PortalPart {
  readonly name: string;
  mount(app: Hono, ctx: PortalContext): void;
}

function mountAssets(app: Hono): void {
  app.get(PORTAL_CSS_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'max-age=3600');
    return c.body(PORTAL_CSS);
  });
}

export const PORTAL_PARTS: readonly PortalPart[] = [
  { name: 'assets', mount: mountAssets },
  { name: 'language switch', mount: mountLanguageSwitch },
  { name: 'observation release', mount: mountRelease },
  { name: 'advisories', mount: mountAdvisoryPages },
  { name: 'advisory feed', mount: mountAdvisoryFeed },
  { name: 'periodic reports', mount: mountReports },
  // Before any page of /member/ or /console/: their guard sends the signed-out to /login.
  { name: 'signed-in areas', mount: mountSignedInAreas },
  { name: 'login and logout', mount: mountLogin },
  { name: 'member inbox', mount: mountInbox },
  { name: 'member reports', mount: mountMemberReports },
  { name: 'member report submission', mount: mountSubmit },
  { name: 'member API tokens', mount: mountTokens },
  { name: 'member notification settings', mount: mountNotifications },
  { name: 'member users (org admins)', mount: mountUsers },
  { name: 'advisory delivery endpoints (org admins)', mount: mountDelivery },
  { name: 'analyst console', mount: mountConsoleHome },
  { name: 'console: triage queue', mount: mountTriage },
  { name: 'console: report', mount: mountConsoleReport },
  { name: 'console: indicator search', mount: mountIndicatorSearch },
  { name: 'console: campaigns', mount: mountCampaignPages },
  { name: 'console: advisories', mount: mountConsoleAdvisories },
  { name: 'console: operator alerts', mount: mountConsoleAlerts },
  { name: 'console: sensors and audit chain', mount: mountConsoleSensors },
  { name: 'console: site evidence (investigators)', mount: mountConsoleEvidence },
];
