import { expect, test, type Page } from '@playwright/test';
import { signIn, users } from '../support/portal';

/** The Outage column of one system's row in the fault injection table. */
function outageOf(page: Page, system: string) {
  return page.getByRole('row').filter({ has: page.getByRole('cell', { name: system, exact: true }) }).getByRole('cell').last();
}

async function applyFaults(page: Page, system: string, outage: boolean): Promise<void> {
  await page.getByLabel('System').selectOption(system);
  await page.getByLabel('Outage (answer 503 to everything)').setChecked(outage);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/\/estate$/);
}

test.describe('Simulated estate', () => {
  test('an administrator takes the ERP down and brings it back up', async ({ page }) => {
    await signIn(page, users.admin, '/estate');
    await expect(page.getByRole('heading', { name: 'Simulated estate', level: 1 })).toBeVisible();
    await expect(outageOf(page, 'erp')).toHaveText('up');

    try {
      await applyFaults(page, 'erp', true);
      await expect(outageOf(page, 'erp')).toHaveText('DOWN');
      for (const other of ['billing', 'warehouse']) await expect(outageOf(page, other)).toHaveText('up');
    } finally {
      await applyFaults(page, 'erp', false);
    }
    await expect(outageOf(page, 'erp')).toHaveText('up');
    await page.reload();
    await expect(outageOf(page, 'erp')).toHaveText('up');
  });

  test('a revenue cycle analyst cannot open the simulated estate', async ({ page }) => {
    await signIn(page, users.analyst, '/lineage');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Simulated estate' })).toHaveCount(0);

    await page.goto('/estate');
    await expect(page).toHaveURL(/\/account\/denied/);
    await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Apply' })).toHaveCount(0);
  });
});
