import { describe, expect, it } from 'vitest';
import { cspSafeSvg, renderChart } from './charts.js';

describe('server-side charts', () => {
  it('turns ECharts’ inline styles into presentation attributes and drops its <style>', () => {
    const svg =
      '<svg width="10" height="10"><style><![CDATA[.zr0-cls-0:hover{cursor:pointer}]]></style>' +
      '<clipPath id="zr0-c0"></clipPath><text style="font-size:12px;font-family:\'Noto\', sans-serif;cursor:pointer;" clip-path="url(#zr0-c0)">a</text></svg>';
    expect(cspSafeSvg(svg, 'c-x', 'cap')).toBe(
      '<svg role="img" aria-labelledby="cap" class="chart" width="10" height="10">' +
        '<clipPath id="c-x-c0"></clipPath><text font-size="12px" font-family="\'Noto\', sans-serif" clip-path="url(#c-x-c0)">a</text></svg>',
    );
  });

  it('draws a chart with its labels escaped and no inline style or script', async () => {
    const svg = await renderChart(
      {
        xAxis: { type: 'category', data: ['<b>"x"</b>', '日本'] },
        yAxis: { type: 'value' },
        series: [{ type: 'bar', name: '<script>', data: [3, 4], label: { show: true } }],
        legend: {},
      },
      { width: 400, height: 200 },
      { prefix: 'c-t', labelledBy: 'cap-t' },
    );
    expect(svg).toMatch(/^<svg role="img" aria-labelledby="cap-t" class="chart" width="400" height="200"/);
    expect(svg).toContain('&lt;b&gt;&quot;x&quot;&lt;/b&gt;');
    expect(svg).toContain('>日本</text>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toMatch(/<script|<style|\sstyle=|zr\d+-/);
    expect(svg).toContain("font-family=\"'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', sans-serif\"");
  });
});
