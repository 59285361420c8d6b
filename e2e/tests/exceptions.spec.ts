import { expect, test } from '@playwright/test';
import { dftP03, readAck, sendMllp, stentUsage } from '../support/hl7';
import { adminApiKey, signIn, users } from '../support/portal';

test.describe('Exception work list', () => {
  test.beforeAll(async ({ request }) => {
    // A vascular closure device has no charge code in the demo master data: one more open mapping-gap exception.
    const unmapped = stentUsage({
      itemCode: 'ITM-SUP-VCD01', description: 'Vascular closure device', unitPrice: 480, lot: undefined, serial: undefined,
    });
    expect(readAck(await sendMllp(dftP03(unmapped))).code).toBe('AE');
    await expect(async () => {
      const response = await request.get('/api/v1/exceptions', {
        params: { category: 'mapping-gap', q: unmapped.encounter },
        headers: { 'X-Api-Key': adminApiKey },
      });
      expect(response.status()).toBe(200);
      expect(((await response.json()) as { total: number }).total).toBeGreaterThan(0);
    }).toPass({ timeout: 20_000 });
  });

  test('filtering by category updates the count and shows only that category', async ({ page }) => {
    await signIn(page, users.analyst, '/exceptions');
    await expect(page.getByRole('heading', { name: 'Exceptions', level: 1 })).toBeVisible();
    const count = page.getByTestId('exception-count');
    await expect(count).toHaveText(/^[\d,]+ exception\(s\) · page 1 of \d+$/);
    const before = await count.innerText();
    const rows = page.getByRole('table').getByRole('row').filter({ has: page.getByRole('cell') });
    const categoriesBefore = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[1]?.textContent?.trim() ?? ''));
    expect(categoriesBefore.some((c) => c !== 'mapping-gap'), 'the unfiltered list holds other categories too').toBe(true);

    const filtered = page.waitForResponse((r) => r.url().includes('category=mapping-gap') && r.request().headers()['hx-request'] === 'true');
    await page.getByLabel('Category').selectOption('mapping-gap');
    expect((await filtered).status()).toBe(200);

    await expect(count).not.toHaveText(before);
    await expect(page).toHaveURL(/[?&]category=mapping-gap(&|$)/);
    await expect(page.getByLabel('Category')).toHaveValue('mapping-gap');
    const total = Number((await count.innerText()).split(' ')[0].replace(/,/g, ''));
    expect(total).toBeGreaterThan(0);
    const shown = await rows.count();
    expect(shown).toBe(Math.min(total, 50));
    for (let i = 0; i < shown; i++) {
      await expect(rows.nth(i).getByRole('cell').nth(1)).toHaveText('mapping-gap');
    }
  });
});
