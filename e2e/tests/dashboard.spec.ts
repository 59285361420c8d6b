import { expect, test, type APIRequestContext, type Locator } from '@playwright/test';
import { adminApiKey, signIn, users } from '../support/portal';

/** Runs the inventory drift reconciliation through the jobs API, as an admin would, and waits for that run to succeed. */
async function runInventoryDrift(request: APIRequestContext): Promise<void> {
  expect(adminApiKey, 'ADMIN_API_KEY must hold the admin API key the portal was started with').not.toBe('');
  const headers = { 'X-Api-Key': adminApiKey };
  const runs = async () =>
    ((await (await request.get('/api/v1/jobs/runs', { params: { job: 'inventory-drift' }, headers })).json()) as {
      runs: { id: string; status: string; triggeredBy: string }[];
    }).runs;
  const before = new Set((await runs()).map((r) => r.id));
  expect((await request.post('/api/v1/jobs/inventory-drift/run', { headers })).status()).toBe(200);
  await expect(async () => {
    const run = (await runs()).find((r) => !before.has(r.id) && r.triggeredBy.startsWith('manual'));
    expect(run?.status).toBe('Succeeded');
  }).toPass({ timeout: 30_000, intervals: [500] });
}

async function count(locator: Locator): Promise<number> {
  return Number((await locator.innerText()).replace(/,/g, '').trim());
}

test.describe('Business KPI dashboard', () => {
  test('a supply chain lead cuts the dashboard by facility and drills from inventory sync accuracy to the variances behind it', async ({ page, request }) => {
    await runInventoryDrift(request);
    await signIn(page, users.supply, '/dashboard');

    const tile = page.locator('[data-testid=kpi-tile][data-kpi=inventory-accuracy]');
    await expect(tile.getByTestId('kpi-value')).toHaveText(/%$/);
    // chart.js from the portal's own lib/ draws every trend; the values are in the table beside each chart.
    expect(await page.evaluate(() => typeof (window as unknown as { Chart?: unknown }).Chart)).toBe('function');
    await expect(page.locator('[data-testid=kpi-trend][data-kpi=inventory-accuracy] [data-testid=kpi-trend-values] tbody tr').first()).toBeVisible();
    expect(await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid=kpi-trend][data-kpi=inventory-accuracy] canvas');
      return !!(window as unknown as { Chart: { getChart(c: Element | null): unknown } }).Chart.getChart(canvas);
    })).toBe(true);

    // The filter form swaps the board in place (htmx) and keeps the state in the URL.
    await page.getByTestId('kpi-filters').getByLabel('Facility').selectOption('NGH');
    await expect(page).toHaveURL(/[?&]facility=NGH/);
    await expect(tile.getByTestId('kpi-uncut')).toHaveCount(0);
    const agreeing = await count(tile.getByTestId('kpi-numerator'));
    const compared = await count(tile.getByTestId('kpi-denominator'));
    expect(compared, 'item-locations compared at NGH').toBeGreaterThan(0);
    expect(agreeing).toBeLessThan(compared);
    await page.screenshot({ path: 'test-results/artifacts/dashboard.png', fullPage: true });

    await tile.getByTestId('kpi-drill-link').click();
    await expect(page).toHaveURL(/\/dashboard\/inventory-accuracy\?.*facility=NGH/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inventory sync accuracy');
    const drillTile = page.locator('[data-testid=kpi-tile][data-kpi=inventory-accuracy]');
    expect(await count(drillTile.getByTestId('kpi-numerator'))).toBe(agreeing);
    expect(await count(drillTile.getByTestId('kpi-denominator'))).toBe(compared);

    // The gap list holds exactly the variances: compared minus agreeing, each at NGH, none agreeing, each with a variance.
    await expect(page.getByTestId('list-gap')).toHaveText(`Gap: not counted (${compared - agreeing})`);
    await expect(page.getByTestId('drill-count')).toContainText(`${compared - agreeing} item(s)`);
    const rows = page.getByTestId('drill-row');
    await expect(rows).toHaveCount(Math.min(50, compared - agreeing));
    for (const row of await rows.all()) {
      const cells = await row.getByRole('cell').allInnerTexts();
      expect(cells[2]).toBe('NGH');
      expect(cells[7]).not.toContain('Agree');
      expect(Number(await row.getByTestId('drill-measure').innerText())).not.toBe(0);
    }
    const tab = async (list: string) => Number((await page.getByTestId(`list-${list}`).innerText()).match(/\((\d[\d,]*)\)/)![1].replace(/,/g, ''));
    expect((await tab('numerator')) + (await tab('gap'))).toBe(await tab('denominator'));
    await expect(page.getByTestId('gap-causes').getByTestId('gap-cause').first()).toBeVisible();
    await expect(page.getByRole('table', { name: 'Inventory sync accuracy by item' })).toBeVisible();
    await page.screenshot({ path: 'test-results/artifacts/inventory-drill-down.png', fullPage: true });

    // The numerator list is the agreeing item-locations.
    await page.getByTestId('list-numerator').click();
    await expect(page.getByTestId('drill-count')).toContainText(`${agreeing} item(s)`);
  });
});
