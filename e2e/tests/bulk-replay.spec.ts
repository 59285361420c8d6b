import { expect, test } from '@playwright/test';
import { dftP03, readAck, stentUsage } from '../support/hl7';
import { listExceptions, sendMllpMany } from '../support/exceptions';
import { signIn, users } from '../support/portal';

const count = Number(process.env.E2E_BULK_COUNT ?? '1000');

test.describe('Bulk replay', () => {
  test('an analyst replays a group of reversals held before their originals and watches them all close', async ({ page, request }) => {
    test.setTimeout(600_000);
    // A point-of-use system sends credits before the usages they reverse: each credit is held as a sequencing exception.
    const facility = 'CMC';
    const usages = Array.from({ length: count }, () => stentUsage({ facility, location: 'OR2' }));
    // Each credit is stored and acknowledged; the engine holds it when it finds no usage to reverse.
    const held = await sendMllpMany(usages.map((u) => dftP03({ ...u, reversal: true, controlId: u.controlId + 'R' })));
    expect(held.every((a) => readAck(a).code === 'AA')).toBe(true);
    const filter = { status: 'Open', category: 'sequencing', facility, q: 'reversal-before-original' };
    await expect(async () => expect((await listExceptions(request, filter)).total).toBeGreaterThanOrEqual(count)).toPass({ timeout: 240_000 });
    // Then the usages themselves arrive and post.
    const originals = await sendMllpMany(usages.map((u) => dftP03(u)));
    expect(originals.every((a) => readAck(a).code === 'AA')).toBe(true);

    await signIn(page, users.analyst, `/exceptions?status=Open&category=sequencing&facility=${facility}&q=reversal-before-original`);
    const bulk = page.getByRole('region', { name: 'Bulk actions' });
    await bulk.getByLabel('Bulk action', { exact: true }).selectOption('replay');
    await bulk.getByLabel('Note or reason').fill('Originals have arrived; replaying the held credits');
    await bulk.getByRole('button', { name: 'Preview bulk action' }).click();
    const preview = await page.getByTestId('bulk-preview').innerText();
    const [, n] = /apply to ([\d,]+) exceptions/.exec(preview)!;
    expect(Number(n.replace(/,/g, ''))).toBeGreaterThanOrEqual(count);
    await page.getByRole('button', { name: /^Confirm replay of/ }).click();

    await expect(page.getByRole('progressbar', { name: 'Bulk action progress' })).toBeVisible();
    await expect(page.getByTestId('bulk-progress')).toHaveAttribute('data-status', 'Completed', { timeout: 300_000 });
    await expect(page.getByTestId('bulk-summary')).toHaveText(/^([\d,]+) of \1 done: [\d,]+ succeeded, 0 refused$/);

    // Each replayed credit closes only once the ERP return and the billing credit are posted.
    await expect(async () => expect((await listExceptions(request, filter)).total).toBe(0)).toPass({ timeout: 300_000, intervals: [2_000] });
    const closed = await listExceptions(request, { status: 'Resolved', category: 'sequencing', facility, q: 'reversal-before-original', pageSize: '1' });
    expect(closed.total).toBeGreaterThanOrEqual(count);
    await page.goto(`/lineage/${closed.rows[0].correlationId}`);
    await expect(page.getByTestId('outcome')).toHaveText('posted');
    await expect(page.getByRole('list', { name: 'Lineage timeline' })).toContainText('replayed');
    await expect(page.getByRole('list', { name: 'Lineage timeline' })).toContainText('credit');
  });
});
