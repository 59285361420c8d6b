import { expect, test } from '@playwright/test';
import { dftP03, readAck, sendMllp, stentUsage } from '../support/hl7';
import { exceptionGroups, sendMllpMany, waitForException } from '../support/exceptions';
import { signIn, users } from '../support/portal';

/** How many bad messages the bulk test sends as one cause group (E2E_BULK_COUNT overrides). */
const bulkCount = Number(process.env.E2E_BULK_COUNT ?? '1000');

test.describe('Exception management', () => {
  test('an analyst filters the queue, previews a replay, edits and replays the payload and sees the exception close', async ({ page, request }) => {
    test.setTimeout(120_000);
    // Quantity 0 is refused by the supply charge workflow: a validation exception on the revenue cycle queue.
    const usage = stentUsage({ quantity: 0 });
    expect(readAck(await sendMllp(dftP03(usage))).code).toBe('AE');
    await waitForException(request, { q: usage.encounter, category: 'validation' });

    await signIn(page, users.analyst, '/exceptions');
    const count = page.getByTestId('exception-count');
    await page.getByLabel('Category').selectOption('validation');
    await expect(page).toHaveURL(/[?&]category=validation(&|$)/);
    await page.getByLabel('Search').fill(usage.encounter);
    await page.getByLabel('Search').press('Enter');
    await expect(count).toHaveText(/^1 exception\(s\)/);
    await page.getByRole('link', { name: 'Open exception invalid-quantity' }).click();
    await page.waitForURL(/\/exceptions\/[0-9a-f-]{36}/, { timeout: 30_000 });

    await expect(page.getByRole('heading', { level: 1, name: 'invalid-quantity' })).toBeVisible();
    await expect(page.getByTestId('status')).toHaveText('Open');
    await expect(page.getByTestId('error-detail')).toContainText('Quantity 0 is not positive');
    // Identifiers are masked until revealed, even for a role that may see them.
    await expect(page.getByTestId('payload')).not.toContainText(usage.encounter);

    // Replaying the message as it is would fail again: the dry run says so and offers no replay.
    await page.getByRole('link', { name: 'Preview replay' }).click();
    await expect(page.getByTestId('replay-summary')).toContainText('Refused');
    await expect(page.getByRole('list', { name: 'Would fail' })).toContainText('invalid-quantity');
    await expect(page.getByRole('button', { name: 'Replay now' })).toHaveCount(0);

    await page.getByRole('link', { name: 'Reveal patient identifiers', exact: true }).click();
    await expect(page.getByTestId('payload')).toContainText(usage.encounter);
    const edited = page.getByLabel('Edited payload');
    await expect(edited).toHaveValue(/FT1\|1\|/);
    await edited.fill(dftP03({ ...usage, quantity: 1 }).replace(/\r/g, '\n'));
    await page.getByLabel('Reason for the edit').fill('Quantity keyed as 0 at the point of use; one stent was implanted');
    await page.getByRole('button', { name: 'Replay edited payload' }).click();
    await expect(page.getByTestId('action-result')).toContainText('Replays');

    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('status')).toHaveText('Resolved', { timeout: 1_000 });
    }).toPass({ timeout: 60_000 });
    await expect(page.getByTestId('replay-state')).toHaveText('replay succeeded');
    const deliveries = page.getByRole('table', { name: 'Deliveries' });
    await expect(deliveries).toContainText('billing');
    await expect(deliveries).toContainText('Delivered');
    await expect(page.getByRole('list', { name: 'Lineage timeline' })).toContainText('replayed by analyst');
    await expect(page.getByRole('table', { name: 'Action history' })).toContainText('exception.edit-replay');
    await expect(page.getByLabel('Changes in v2')).toContainText('+ FT1');
  });

  test('an analyst reassigns an exception to another person and sees it in the history', async ({ page, request }) => {
    const usage = stentUsage({ quantity: 0 });
    expect(readAck(await sendMllp(dftP03(usage))).code).toBe('AE');
    const row = await waitForException(request, { q: usage.encounter, team: 'revenue-cycle' });

    await signIn(page, users.analyst, `/exceptions/${row.id}`);
    await expect(page.getByTestId('owner')).toHaveText('unassigned');
    await page.getByLabel('New owner').selectOption('admin');
    await page.getByLabel('Reason for reassignment').fill('Needs a charge master decision');
    await page.getByRole('button', { name: 'Reassign' }).click();

    await expect(page.getByTestId('action-result')).toHaveText('Reassigned: team revenue-cycle, owner admin.');
    await expect(page.getByTestId('owner')).toHaveText('admin');
    const entry = page.getByRole('table', { name: 'Action history' }).getByRole('row').filter({ hasText: 'exception.reassign' });
    await expect(entry).toContainText('analyst');
    await expect(entry).toContainText('Needs a charge master decision');
    await expect(entry).toContainText('owner unassigned → team revenue-cycle, owner admin');

    // The same entry is in the audit log.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Person').fill('analyst');
    await page.getByLabel('Action (starts with)').fill('exception.reassign');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByRole('table', { name: 'Audit entries' })).toContainText('Needs a charge master decision');
  });

  test('an analyst comments on a whole cause group in bulk and follows the progress to completion', async ({ page, request }) => {
    test.setTimeout(300_000);
    const isStentGroup = (g: { key: string; title: string }) => g.key.includes('missing-lot') && g.title.includes('Coronary stent');
    const before = (await exceptionGroups(request, { by: 'cause', category: 'validation' })).find(isStentGroup)?.count ?? 0;
    // Lot-tracked stents without lot or serial: one cause, on the revenue cycle queue.
    const messages = Array.from({ length: bulkCount }, () => dftP03(stentUsage({ lot: undefined, serial: undefined })));
    const acks = await sendMllpMany(messages);
    expect(acks.every((a) => readAck(a).code === 'AE')).toBe(true);
    await expect(async () => {
      const group = (await exceptionGroups(request, { by: 'cause', category: 'validation' })).find(isStentGroup);
      expect(group?.count ?? 0).toBeGreaterThanOrEqual(before + bulkCount);
    }).toPass({ timeout: 180_000 });

    await signIn(page, users.analyst, '/exceptions?status=Open&category=validation&group=cause');
    const groupRow = page.getByRole('table', { name: 'Exception groups' }).getByRole('row')
      .filter({ hasText: 'missing-lot' }).filter({ hasText: 'Coronary stent' });
    await groupRow.getByRole('link').click();
    await expect(page.getByTestId('group-filter')).toContainText('missing-lot');
    const total = Number((await page.getByTestId('exception-count').innerText()).split(' ')[0].replace(/,/g, ''));
    expect(total).toBeGreaterThanOrEqual(bulkCount);

    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByLabel('Bulk action', { exact: true }).selectOption('comment');
    await bulk.getByLabel('Comment text (comment)').fill('Asked the cath lab to resend with lot numbers');
    await bulk.getByRole('button', { name: 'Preview bulk action' }).click();
    await expect(page.getByTestId('bulk-preview')).toContainText(/This will apply to [\d,]+ exceptions \([\d,]+ you may act on\)/);
    const preview = await page.getByTestId('bulk-preview').innerText();
    const [, n, m] = /apply to ([\d,]+) exceptions \(([\d,]+) you may act on\)/.exec(preview)!;
    expect(Number(n.replace(/,/g, ''))).toBeGreaterThanOrEqual(bulkCount);
    expect(m).toBe(n);
    await page.getByRole('button', { name: /^Confirm comment of/ }).click();

    const progress = page.getByRole('progressbar', { name: 'Bulk action progress' });
    await expect(progress).toBeVisible();
    const summary = page.getByTestId('bulk-summary');
    await expect(summary).toHaveText(/^([\d,]+) of \1 done: [\d,]+ succeeded, 0 refused$/, { timeout: 120_000 });
    await expect(page.getByTestId('bulk-progress')).toHaveAttribute('data-status', 'Completed');
    await expect(progress).toHaveAttribute('aria-valuenow', '100');
    const done = Number((await summary.innerText()).split(' ')[0].replace(/,/g, ''));
    expect(done).toBeGreaterThanOrEqual(bulkCount);

    // The progress fragment the panel polls (hx-trigger="every 1s" while running) answers for this operation.
    const operation = new URL(page.url()).searchParams.get('bulkop');
    expect(operation).toBeTruthy();
    const fragment = await page.request.get(`/fragments/bulk/${operation}`, { headers: { 'HX-Request': 'true' } });
    expect(fragment.status()).toBe(200);
    expect(await fragment.text()).toContain('data-status="Completed"');
  });

  test('a supply chain lead sees masked identifiers on a revenue cycle exception and may not act on it', async ({ page, request }) => {
    const usage = stentUsage({ quantity: 0 });
    expect(readAck(await sendMllp(dftP03(usage))).code).toBe('AE');
    const row = await waitForException(request, { q: usage.encounter, team: 'revenue-cycle' });

    await signIn(page, users.supply, `/exceptions/${row.id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'invalid-quantity' })).toBeVisible();
    const main = page.getByRole('main');
    for (const value of [usage.encounter, usage.account, usage.mrn]) await expect(main).not.toContainText(value);
    await expect(page.getByRole('link', { name: 'Reveal patient identifiers' })).toHaveCount(0);
    await expect(page.getByTestId('no-actions')).toBeVisible();
    for (const name of ['Resolve', 'Reassign', 'Preview replay', 'Add comment', 'Replay edited payload'])
      await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Preview replay' })).toHaveCount(0);

    // Asking for the identifiers in the address changes nothing for this role.
    await page.goto(`/exceptions/${row.id}?reveal=true`);
    await expect(main).not.toContainText(usage.encounter);

    // The API refuses the action with the supply lead's own session.
    const response = await page.request.post(`/api/v1/exceptions/${row.id}/comments`, { data: { text: 'not my queue' } });
    expect(response.status()).toBe(403);

    // The revenue cycle queue offers no bulk actions either.
    await page.goto('/exceptions?team=revenue-cycle');
    await expect(page.getByTestId('no-bulk-actions')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Preview bulk action' })).toHaveCount(0);
  });
});
