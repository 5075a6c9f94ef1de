/**
 * Correlation and campaigns: every stored report is correlated on arrival (correlate.ts: per-value
 * aggregates, links between reports sharing values or fuzzy keys, the campaign they fall into);
 * analysts rename, merge and split campaigns (`CampaignService`); campaign-refs.ts answers which
 * campaigns an indicator or report belongs to, within what the reader may see.
 */
export { campaignsOfIndicator, hiddenLinkedReports, readableCampaign } from './campaign-refs.js';
export { CampaignService, type CampaignSummary, type CampaignView } from './campaigns.js';
