import { randomInt } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { dftP03, readAck, stentUsage } from '../support/hl7';
import { listExceptions, sendMllpMany } from '../support/exceptions';
import { signIn, users } from '../support/portal';

test.describe('Administration', () => {
  test('an admin fixes a mapping gap from its exception and the unblocked exceptions replay and post', async ({ page, request }) => {
    test.setTimeout(180_000);
    // Three usages of an item the crosswalk does not know yet: each becomes an "unmapped-item" exception.
    const item = `ITM-NEW-${randomInt(100000, 999999)}`;
    const usages = Array.from({ length: 3 }, () => stentUsage({ itemCode: item, description: 'Suture kit, absorbable', facility: 'NGH', location: 'OR1', unitPrice: 145 }));
    const acks = await sendMllpMany(usages.map((u) => dftP03(u)));
    expect(acks.every((a) => ['AA', 'AE'].includes(readAck(a).code))).toBe(true);
    const filter = { status: 'Open', q: item };
    await expect(async () => expect((await listExceptions(request, filter)).total).toBe(3)).toPass({ timeout: 60_000 });

    await signIn(page, users.admin, `/exceptions?status=Open&q=${item}`);
    await expect(page.getByTestId('exception-count')).toHaveText(/^3 /);
    await page.getByRole('table', { name: 'Exceptions' }).getByRole('link').first().click();
    await expect(page.getByTestId('error-detail')).toContainText(item);

    // The missing mapping, pre-filled from the failed usage: the admin names the SKU and previews what it unblocks.
    const fix = page.getByTestId('mapping-fix');
    await expect(fix.getByLabel('Clinical item id / GTIN / UDI-DI *')).toHaveValue(item);
    await fix.getByLabel('ERP SKU *').fill('SKU-40030');
    await fix.getByLabel('Description *').fill('Suture kit, absorbable');
    await fix.getByLabel('Implant / lot-tracked').selectOption('false');
    await fix.getByLabel('Reason *').fill('Suture kit is stocked under SKU-40030');
    await fix.getByRole('button', { name: 'Preview what it unblocks' }).click();
    await expect(page.getByTestId('unblock-count')).toHaveText('3 exception(s) would be unblocked');
    await expect(page.getByRole('table', { name: 'Exceptions the mapping would unblock' }).getByRole('row')).toHaveCount(4);
    await page.screenshot({ path: 'test-results/artifacts/mapping-fix-preview.png', fullPage: true });

    await page.getByTestId('mapping-fix').getByRole('button', { name: 'Create mapping and replay 3' }).click();
    await expect(page.getByTestId('action-result')).toContainText('3 exception(s) unblocked and queued for replay');
    await expect(page.getByTestId('fix-summary')).toHaveText('3 exception(s) replayed: 3 resolved, 0 still replaying, 0 failed again.', { timeout: 60_000 });

    // The queue shrank by three, and each usage is posted to the ERP and billing.
    await page.goto(`/exceptions?status=Open&q=${item}`);
    await expect(page.getByTestId('exception-count')).toHaveText(/^0 /);
    const resolved = await listExceptions(request, { status: 'Resolved', q: item });
    expect(resolved.total).toBe(3);
    await page.goto(`/lineage/${resolved.rows[0].correlationId}`);
    await expect(page.getByTestId('outcome')).toHaveText('posted', { timeout: 30_000 });
    const timeline = page.getByRole('list', { name: 'Lineage timeline' });
    await expect(timeline).toContainText('replayed');
    await expect(timeline).toContainText('SKU-40030');

    // The mapping has its history: who, when and why.
    await page.goto(`/admin/mappings?type=item&q=${item}`);
    await page.getByRole('table', { name: 'Mappings' }).getByRole('link').first().click();
    await expect(page.getByRole('table', { name: 'Mapping history' })).toContainText('Suture kit is stocked under SKU-40030');
  });

  test('an admin imports a unit-conversion file with one bad row and sees that row refused and nothing applied', async ({ page }) => {
    const unit = `P${randomInt(1000, 9999)}`;
    const csv = ['sku,from_uom,facility,factor,effective_from,effective_to', `SKU-41001,${unit},,10,,`, `SKU-41001,${unit}X,,ten,,`, `SKU-41002,${unit},,12,,`].join('\n');
    await signIn(page, users.admin, '/admin/mappings?type=uom');
    const form = page.getByRole('form', { name: 'Import CSV' });
    await form.getByLabel('File').setInputFiles({ name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await form.getByLabel('Reason *').fill('Supplier catalogue update');
    await form.getByRole('button', { name: 'Validate and import' }).click();

    const report = page.getByTestId('import-report');
    await expect(report).toContainText('Nothing imported: 1 of 3 row(s) are invalid');
    const bad = page.locator('[data-testid=import-row][data-row="3"]');
    await expect(bad).toContainText("factor: Base units per unit 'ten' is not a number.");
    await page.screenshot({ path: 'test-results/artifacts/mapping-import-report.png', fullPage: true });
    await page.goto(`/admin/mappings?type=uom&q=${unit}`);
    await expect(page.getByTestId('mapping-count')).toHaveText(/^0 /);
  });

  test('an admin changes who owns mapping gaps at one facility and new exceptions route to the new team', async ({ page, request }) => {
    test.setTimeout(120_000);
    const raise = async () => {
      const usage = stentUsage({ itemCode: `ITM-NEW-${randomInt(100000, 999999)}`, facility: 'CMC', location: 'OR1' });
      const [ack] = await sendMllpMany([dftP03(usage)]);
      expect(['AA', 'AE']).toContain(readAck(ack).code);
      let team: string | null = null;
      await expect(async () => {
        const { rows } = await listExceptions(request, { status: 'Open', q: usage.itemCode });
        expect(rows.length).toBe(1);
        team = rows[0].team;
      }).toPass({ timeout: 30_000 });
      return team;
    };

    await signIn(page, users.admin, '/admin/ownership');
    const add = page.getByRole('form', { name: 'Add a routing rule' });
    await add.getByLabel('Category of the new rule').selectOption('mapping-gap');
    await add.getByLabel('Workflow of the new rule').selectOption('supply-charge');
    await add.getByLabel('Facility of the new rule').selectOption('CMC');
    await add.getByLabel('Team of the new rule').fill('cmc-master-data');
    await add.getByLabel('Reason for the new rule').fill('CMC keeps its own item master');
    await add.getByRole('button', { name: 'Add rule' }).click();
    await expect(page.getByTestId('admin-message')).toBeVisible();
    await expect(page.getByTestId('route-mapping-gap-supply-charge')).toBeVisible();
    expect(await raise()).toBe('cmc-master-data');

    // The owner changes: the rule's team is edited, and the next exception goes to the new team.
    const row = page.getByTestId('routing-rule').filter({ hasText: 'cmc-master-data' });
    const ruleId = await row.getAttribute('data-rule-id');
    await row.getByText('Change or delete').click();
    const edit = page.getByRole('form', { name: `Change rule ${ruleId}` });
    await edit.getByLabel(`Team of rule ${ruleId}`).fill('cmc-charge-integrity');
    await edit.getByLabel(`Reason for changing rule ${ruleId}`).fill('Charge integrity took over CMC item master');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('routing-rule').filter({ hasText: 'cmc-charge-integrity' })).toHaveCount(1);
    await page.screenshot({ path: 'test-results/artifacts/ownership-and-routing.png', fullPage: true });
    expect(await raise()).toBe('cmc-charge-integrity');

    await page.goto('/audit?action=routing-rule.update');
    await expect(page.getByRole('table', { name: 'Audit entries' })).toContainText('Charge integrity took over CMC item master');

    // Back to the network-wide rule for the other tests.
    await page.goto('/admin/ownership');
    const changed = page.getByTestId('routing-rule').filter({ hasText: 'cmc-charge-integrity' });
    await changed.getByText('Change or delete').click();
    const remove = page.getByRole('form', { name: `Delete rule ${ruleId}` });
    await remove.getByLabel(`Reason for deleting rule ${ruleId}`).fill('End of test');
    await remove.getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('routing-rule').filter({ hasText: 'cmc-charge-integrity' })).toHaveCount(0);
  });
});
