import { expect, test } from '@playwright/test';
import { findTransactions, inOrder, signIn, timelineSteps, transactionOutcome, users } from '../support/portal';

const correlationIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test.describe('Transaction lineage', () => {
  test('an analyst opens a recent transaction from the lineage page and sees its timeline', async ({ page }) => {
    await signIn(page, users.analyst, '/lineage');

    await expect(page.getByRole('heading', { name: 'Most recent transactions' })).toBeVisible();
    const recent = page.getByRole('link', { name: correlationIdPattern });
    await expect(recent.first()).toBeVisible();
    const id = (await recent.first().innerText()).trim();

    await recent.first().click();

    await expect(page).toHaveURL(`/lineage/${id}`);
    await expect(page.getByRole('heading', { name: `Transaction ${id}`, level: 1 })).toBeVisible();
    await expect(page.getByTestId('outcome')).not.toBeEmpty();
    const steps = await timelineSteps(page);
    expect(steps[0]).toBe('received');
  });

  test('an analyst finds a posted transaction by its correlation id and sees every step to posted', async ({ page, request }) => {
    // The API lookup picks a lot-tracked, billable implant usage whose stock decrement and charge were both posted.
    let posted: string | undefined;
    for (const item of ['ITM-IMP-STENT01', 'ITM-IMP-HIP01', 'ITM-IMP-KNEE01', 'ITM-IMP-PACE01', 'ITM-IMP-MESH01']) {
      for (const hit of await findTransactions(request, item)) {
        if ((await transactionOutcome(request, hit.correlationId)) === 'posted') {
          posted = hit.correlationId;
          break;
        }
      }
      if (posted) break;
    }
    expect(posted, 'a posted implant usage among the demo traffic').toBeDefined();

    await signIn(page, users.analyst, '/lineage');
    await page.getByLabel('Correlation id or business key').fill(posted!);
    await page.getByRole('button', { name: 'Find' }).click();

    await expect(page).toHaveURL(`/lineage?q=${posted}`);
    await expect(page.getByText('1 transaction(s) found.')).toBeVisible();
    await expect(page.getByRole('row', { name: /correlation id/ })).toHaveCount(1);
    await page.getByRole('link', { name: posted! }).click();

    await expect(page.getByRole('heading', { name: `Transaction ${posted}` })).toBeVisible();
    await expect(page.getByTestId('outcome')).toHaveText('posted');
    const timeline = page.getByRole('list', { name: 'Lineage timeline' });
    await expect(timeline.getByRole('listitem').first()).toContainText('received');
    const steps = await timelineSteps(page);
    expect(inOrder(steps, ['received', 'parsed', 'validated', 'mapped', 'routed', 'delivered', 'posted']), `timeline ${steps.join(' → ')}`).toBe(true);
    expect(steps.filter((s) => s === 'posted').length).toBeGreaterThanOrEqual(2);

    const deliveries = page.getByRole('table');
    for (const target of ['erp', 'billing']) {
      const row = deliveries.getByRole('row').filter({ has: page.getByRole('cell', { name: target, exact: true }) });
      await expect(row).toHaveCount(1);
      await expect(row.getByRole('cell', { name: 'Delivered', exact: true })).toBeVisible();
    }
    await expect(page.getByText('None.')).toBeVisible();
  });
});
