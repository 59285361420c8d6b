import { expect, test, type Page } from '@playwright/test';
import { dftP03, readAck, sendMllp, stentUsage } from '../support/hl7';
import { inOrder, signIn, timelineSteps, users } from '../support/portal';

/** Searches the lineage page by MSH-10 and opens the single transaction found; returns its correlation id. */
async function openByControlId(page: Page, controlId: string): Promise<string> {
  await page.goto('/lineage');
  await page.getByLabel('Correlation id or business key').fill(controlId);
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(page.getByText('1 transaction(s) found.')).toBeVisible();
  const hit = page.getByRole('row', { name: /message-control-id/ });
  await expect(hit).toHaveCount(1);
  const link = hit.getByRole('link');
  const correlationId = (await link.innerText()).trim();
  await link.click();
  await expect(page.getByRole('heading', { name: `Transaction ${correlationId}` })).toBeVisible();
  return correlationId;
}

/** Reloads the transaction's page until its outcome badge reads `outcome` (processing and delivery are asynchronous). */
async function waitForOutcome(page: Page, outcome: string): Promise<void> {
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('outcome')).toHaveText(outcome, { timeout: 1_000 });
  }).toPass({ timeout: 20_000, intervals: [500, 1_000] });
}

test.describe('Supply usage sent over MLLP', () => {
  test.describe.configure({ mode: 'serial' });

  const valid = stentUsage();
  const withoutLot = stentUsage({ lot: undefined, serial: undefined });
  let validCorrelationId = '';

  test('a valid DFT^P03 is acknowledged with AA and posted to the ERP and billing', async ({ page }) => {
    const ack = readAck(await sendMllp(dftP03(valid)));
    expect(ack.code).toBe('AA');
    expect(ack.controlId).toBe(valid.controlId);

    await signIn(page, users.analyst, '/lineage');
    validCorrelationId = await openByControlId(page, valid.controlId);
    expect(ack.text).toContain(validCorrelationId);
    await waitForOutcome(page, 'posted');

    const steps = await timelineSteps(page);
    expect(inOrder(steps, ['received', 'parsed', 'validated', 'mapped', 'routed', 'delivered', 'posted']), `timeline ${steps.join(' → ')}`).toBe(true);
    const deliveries = page.getByRole('table');
    for (const [target, operation] of [['erp', 'erp.inventory.decrement'], ['billing', 'billing.charge.post']]) {
      const row = deliveries.getByRole('row').filter({ has: page.getByRole('cell', { name: target, exact: true }) });
      await expect(row).toHaveCount(1);
      await expect(row.getByRole('cell', { name: operation, exact: true })).toBeVisible();
      await expect(row.getByRole('cell', { name: 'Delivered', exact: true })).toBeVisible();
    }
    await expect(page.getByRole('listitem').filter({ hasText: /^\s*lot\s/ })).toHaveText(`lot ${valid.lot}`);
    await expect(page.getByRole('listitem').filter({ hasText: /^\s*source-event\s/ })).toHaveText(`source-event ${valid.transactionId}`);
  });

  test('a supply chain lead sees the patient identifiers of that transaction masked, an analyst sees them in clear', async ({ browser }) => {
    expect(validCorrelationId).not.toBe('');
    const encounterKey = (page: Page) => page.getByRole('listitem').filter({ hasText: /^\s*encounter\s/ });
    const accountKey = (page: Page) => page.getByRole('listitem').filter({ hasText: /^\s*patient-account\s/ });

    const supplyContext = await browser.newContext();
    const supply = await supplyContext.newPage();
    await signIn(supply, users.supply, '/lineage');
    expect(await openByControlId(supply, valid.controlId)).toBe(validCorrelationId);
    for (const [key, value] of [[encounterKey(supply), valid.encounter], [accountKey(supply), valid.account]] as const) {
      await expect(key).toContainText('•');
      await expect(key).toHaveText(new RegExp(`•+${value.slice(-2)}$`));
      await expect(key).not.toContainText(value);
    }
    await expect(supply.getByRole('main')).not.toContainText(valid.encounter);
    await expect(supply.getByRole('main')).not.toContainText(valid.account);
    await supplyContext.close();

    const analystContext = await browser.newContext();
    const analyst = await analystContext.newPage();
    await signIn(analyst, users.analyst, `/lineage/${validCorrelationId}`);
    await expect(encounterKey(analyst)).toHaveText(`encounter ${valid.encounter}`);
    await expect(accountKey(analyst)).toHaveText(`patient-account ${valid.account}`);
    await expect(analyst.getByRole('main')).not.toContainText('•');
    await analystContext.close();
  });

  test('a DFT^P03 for an implant without lot is acknowledged with AE and shows a missing-lot exception', async ({ page }) => {
    const ack = readAck(await sendMllp(dftP03(withoutLot)));
    expect(ack.code).toBe('AE');
    expect(ack.controlId).toBe(withoutLot.controlId);
    expect(ack.text).toContain('missing-lot');

    await signIn(page, users.analyst, '/lineage');
    await openByControlId(page, withoutLot.controlId);
    await waitForOutcome(page, 'needs attention');

    const exception = page.getByRole('listitem').filter({ has: page.getByText('missing-lot', { exact: true }) });
    await expect(exception).toHaveCount(1);
    await expect(exception).toContainText('Open');
    await expect(exception).toContainText('lot-tracked but the usage carries no lot or serial number');
    await expect(page.getByRole('table'), 'nothing was delivered for a rejected usage').toHaveCount(0);
  });
});
