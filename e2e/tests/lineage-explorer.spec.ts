import { expect, test, type Page } from '@playwright/test';
import { dftP03, readAck, sendMllp, stentUsage } from '../support/hl7';
import { inOrder, signIn, users } from '../support/portal';

/** Reloads until the locator reads `text`: processing and delivery are asynchronous. */
async function waitForText(page: Page, testId: string, text: string): Promise<void> {
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId(testId).first()).toHaveText(text, { timeout: 1_000 });
  }).toPass({ timeout: 30_000, intervals: [500, 1_000] });
}

test.describe('Lineage explorer', () => {
  test('an analyst searches an encounter and follows its lineage across systems to the billing outcome', async ({ page }) => {
    const usage = stentUsage();
    const ack = readAck(await sendMllp(dftP03(usage)));
    expect(ack.code).toBe('AA');

    await signIn(page, users.analyst, '/lineage');
    await page.getByLabel('Correlation id or business key').fill(usage.encounter);
    await page.getByRole('button', { name: 'Find' }).click();

    await expect(page).toHaveURL(`/lineage?q=${usage.encounter}`);
    await expect(page.getByText('1 transaction(s) found.')).toBeVisible();
    const hit = page.getByRole('row', { name: /encounter/ });
    await expect(hit).toHaveCount(1);
    await expect(hit).toContainText(usage.encounter);
    await waitForText(page, 'hit-outcome', 'posted');
    await page.screenshot({ path: 'test-results/artifacts/lineage-explorer-search.png', fullPage: true });

    await page.getByRole('link', { name: `Timeline across systems for encounter ${usage.encounter}` }).click();
    await expect(page).toHaveURL(`/lineage/chain?type=encounter&key=${usage.encounter}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(`Timeline across systems for encounter ${usage.encounter}`);
    await expect(page.getByTestId('chain-outcome')).toHaveText('posted');
    const lane = page.getByTestId('lane');
    await expect(lane).toHaveCount(1);
    await expect(lane.getByTestId('lane-outcome')).toHaveText('posted');
    const steps = (await lane.getByRole('list', { name: /^Steps of / }).getByRole('listitem').allInnerTexts()).map((t) => t.trim().split(/\s+/));
    expect(inOrder(steps.map((s) => s[0]), ['received', 'validated', 'mapped', 'routed', 'delivered', 'posted']), steps.map((s) => s[0]).join(' → ')).toBe(true);
    expect(steps.some(([step, system]) => step === 'posted' && system === 'billing'), 'billing posted the charge').toBe(true);
    const billing = lane.getByTestId('deliveries').getByRole('row').filter({ has: page.getByRole('cell', { name: 'billing', exact: true }) });
    await expect(billing.getByRole('cell', { name: 'billing.charge.post', exact: true })).toBeVisible();
    await expect(billing.getByRole('cell', { name: 'Delivered', exact: true })).toBeVisible();
    await page.screenshot({ path: 'test-results/artifacts/lineage-explorer-timeline.png', fullPage: true });

    // The chain is a shareable link; the transaction it shows opens on its own page with the same outcome.
    const chainUrl = page.url();
    await lane.getByRole('link', { name: /^Transaction / }).click();
    await expect(page).toHaveURL(/\/lineage\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId('outcome')).toHaveText('posted');
    await expect(page.getByTestId('chain-link').filter({ hasText: `encounter ${usage.encounter}` })).toHaveAttribute('href', new URL(chainUrl).pathname + new URL(chainUrl).search);
  });

  test('a supply chain lead cannot search by an encounter but follows the same usage by its message control id', async ({ page }) => {
    const usage = stentUsage();
    expect(readAck(await sendMllp(dftP03(usage))).code).toBe('AA');

    await signIn(page, users.supply, `/lineage?q=encounter:${usage.encounter}`);
    await expect(page.getByTestId('phi-refused')).toBeVisible();

    await page.getByLabel('Correlation id or business key').fill(usage.controlId);
    await page.getByRole('button', { name: 'Find' }).click();
    await expect(page.getByText('1 transaction(s) found.')).toBeVisible();
    await page.getByRole('row', { name: /message-control-id/ }).getByRole('link').click();
    await expect(page.getByRole('main')).not.toContainText(usage.encounter);
    await expect(page.getByRole('main')).not.toContainText(usage.account);
    await expect(page.getByTestId('chain-link').filter({ hasText: 'encounter' })).toHaveCount(0);
  });
});
